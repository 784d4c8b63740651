"""The API's data: stored objects, Node objects, and the pods a real cluster would run.

Stored through a backend (store(state)): by default FolderStore, objects.json (anything applied)
and nodes/<name>.json in the shared folder; the apiserver may attach etcdstore.EtcdStore instead
(settings.json "apiserver_storage": "etcd"). Both offer the same operations: objects
(get, list, apply, create, delete) and Nodes (node, nodes, update_node, delete_node). Derived on every read:
node liveness (heartbeat age vs the node monitor grace period), the pods of DaemonSets
and Deployments (one per eligible node / replicas on Ready nodes, Pending otherwise)
and static pods reported by each kubelet. Nothing runs in those pods: they are what
`kubectl get pods -A` would show for the cluster's state.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import ipaddress
import json
import uuid

import yaml

from . import clusterdata, timefmt
from .resources import BUILTIN, BUILTIN_NAMESPACES, Registry, Resource
from .state import ClusterState

STATIC_PODS_ANNOTATION = "play.standin/static-pods"
NETWORK_READY_ANNOTATION = "play.standin/network-ready"
EVICTED_ANNOTATION = "play.standin/evicted"
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"   # k8s.io/apimachinery/pkg/util/rand
JWS_PREFIX = "jws-kubeconfig-"
VOLATILE_METADATA = ("uid", "creationTimestamp", "resourceVersion", "generation", "managedFields")
NAMESPACE = next(resource for resource in BUILTIN if resource.kind == "Namespace")


class ApiStatus(Exception):
    """An API error answer: code, reason and message as a metav1.Status carries them."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}

    def body(self) -> dict:
        # metav1.Status omits an empty reason (StatusReasonUnknown) and empty details
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "details": self.details, "code": self.code}
        if not self.reason:
            body.pop("reason")
            if not self.details:
                body.pop("details")
        return body


def not_found(resource: Resource, name: str) -> ApiStatus:
    return ApiStatus(404, "NotFound", f'{resource.plural}{"." + resource.group if resource.group else ""} "{name}" not found',
                     {"name": name, "kind": resource.plural, **({"group": resource.group} if resource.group else {})})


def already_exists(resource: Resource, name: str) -> ApiStatus:
    return ApiStatus(409, "AlreadyExists", f'{resource.plural}{"." + resource.group if resource.group else ""} "{name}" already exists',
                     {"name": name, "kind": resource.plural, **({"group": resource.group} if resource.group else {})})


def conflict(resource: Resource, name: str) -> ApiStatus:
    """storage.NewResourceVersionConflictsError as the registry reports it (errors.NewConflict)."""
    qualified = f'{resource.plural}{"." + resource.group if resource.group else ""}'
    return ApiStatus(409, "Conflict", f'Operation cannot be fulfilled on {qualified} "{name}": the object has been '
                                      "modified; please apply your changes to the latest version and try again",
                     {"name": name, "kind": resource.plural, **({"group": resource.group} if resource.group else {})})


def suffix(*parts: str, length: int = 5) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(NAME_ALPHABET[b % len(NAME_ALPHABET)] for b in digest[:length])


# -- the storage backend ---------------------------------------------------------------
def store(state: ClusterState):
    """The backend the API's data goes through: one attached to the state (the apiserver's etcd store), else the folder."""
    return getattr(state, "objects_store", None) or FolderStore(state)


def _key(resource: Resource, namespace: str | None, name: str) -> str:
    return f"{resource.group}/{resource.kind}/{namespace or ''}/{name}"


def _comparable(obj: dict) -> dict:
    trimmed = copy.deepcopy(obj)
    trimmed.pop("status", None)
    for key in VOLATILE_METADATA:
        trimmed.get("metadata", {}).pop(key, None)
    return trimmed


def _named(resource: Resource, obj: dict) -> dict:
    """The object with its name checked and its namespace set (default) or dropped (cluster-scoped)."""
    metadata = obj.setdefault("metadata", {})
    if not metadata.get("name"):
        raise ApiStatus(422, "Invalid", f"{resource.kind} is invalid: metadata.name: Required value: name or generateName is required")
    if resource.namespaced:
        metadata["namespace"] = metadata.get("namespace") or "default"
    else:
        metadata.pop("namespace", None)
    return obj


def _check_namespace(state: ClusterState, resource: Resource, obj: dict) -> None:
    namespace = obj["metadata"].get("namespace")
    if resource.namespaced and not namespace_exists(state, namespace):
        raise ApiStatus(404, "NotFound", f'namespaces "{namespace}" not found', {"name": namespace, "kind": "namespaces"})


def next_version(previous: dict | None, obj: dict, resource_version: str | None) -> tuple:
    """What an apply stores: ("created"|"configured"|"unchanged", object); uid, creationTimestamp and
    generation carried over from the previous version. resource_version None: leave it to the backend."""
    if previous and _comparable(previous) == _comparable(obj):
        return "unchanged", previous
    stored = copy.deepcopy(obj)
    before = (previous or {}).get("metadata", {})
    stored["metadata"].update(
        uid=before.get("uid") or str(uuid.uuid4()),
        creationTimestamp=before.get("creationTimestamp") or timefmt.rfc3339(timefmt.now()),
        generation=before.get("generation", 0) + 1)
    if resource_version is None:
        stored["metadata"].pop("resourceVersion", None)
    else:
        stored["metadata"]["resourceVersion"] = resource_version
    return ("configured" if previous else "created"), stored


def check_write(mode: str, resource: Resource, obj: dict, previous: dict | None) -> None:
    """The write's preconditions against what is stored: "apply" (create or replace), "create"
    (AlreadyExists) or "update" (NotFound; Conflict unless metadata.resourceVersion is the stored one)."""
    name = obj["metadata"]["name"]
    if mode == "create" and previous:
        raise already_exists(resource, name)
    if mode == "update":
        if not previous:
            raise not_found(resource, name)
        expected = obj["metadata"].get("resourceVersion")
        if expected and previous["metadata"].get("resourceVersion") != expected:
            raise conflict(resource, name)


class FolderStore:
    """The shared folder (state.py): objects.json, one global resourceVersion counter, nodes/<name>.json."""

    def __init__(self, state: ClusterState):
        self.state = state

    def _objects(self) -> dict:
        return (self.state.read("objects", {}) or {}).get("objects", {})

    def crds(self) -> list:
        return [obj for obj in self._objects().values() if obj.get("kind") == "CustomResourceDefinition"]

    def get(self, resource: Resource, namespace: str | None, name: str) -> dict | None:
        return self._objects().get(_key(resource, namespace if resource.namespaced else None, name))

    def list(self, resource: Resource, namespace: str | None = None) -> list:
        prefix = f"{resource.group}/{resource.kind}/"
        found = [obj for key, obj in self._objects().items() if key.startswith(prefix)]
        if namespace and resource.namespaced:
            found = [obj for obj in found if obj["metadata"].get("namespace") == namespace]
        return found

    def _write(self, resource: Resource, obj: dict, mode: str) -> tuple:
        with self.state.locked():
            document = self.state.read("objects", {}) or {}
            objects = document.setdefault("objects", {})
            _check_namespace(self.state, resource, obj)
            key = _key(resource, obj["metadata"].get("namespace"), obj["metadata"]["name"])
            previous = objects.get(key)
            check_write(mode, resource, obj, previous)
            revision = int(document.get("resourceVersion", 0)) + 1
            outcome, stored = next_version(previous, obj, str(revision))
            if outcome == "unchanged":
                return outcome, stored
            document["resourceVersion"] = revision
            objects[key] = stored
            self.state.write("objects", document)
        return outcome, stored

    def write(self, resource: Resource, obj: dict, mode: str) -> tuple:
        return self._write(resource, obj, mode)

    def delete(self, resource: Resource, namespace: str | None, name: str) -> dict | None:
        with self.state.locked():
            document = self.state.read("objects", {}) or {}
            removed = document.get("objects", {}).pop(_key(resource, namespace if resource.namespaced else None, name), None)
            if removed:
                self.state.write("objects", document)
        return removed

    def node(self, name: str) -> dict | None:
        return self.state.node(name)

    def nodes(self) -> list:
        return self.state.nodes()

    def update_node(self, name: str, change) -> dict:
        with self.state.locked():
            node = self.state.node(name) or _skeleton(name)
            change(node)
            _allocate_pod_cidr(self.state, node, self.state.nodes)
            self.state.write_node(node)
        return node

    def delete_node(self, name: str) -> bool:
        return self.state.delete_node(name)


# -- stored objects ------------------------------------------------------------------
def registry(state: ClusterState) -> Registry:
    return Registry(store(state).crds())


def namespace_exists(state: ClusterState, namespace: str) -> bool:
    if namespace in BUILTIN_NAMESPACES:
        return True
    return store(state).get(NAMESPACE, None, namespace) is not None


def apply_object(state: ClusterState, resource: Resource, obj: dict) -> tuple:
    """Create or update; returns ("created"|"configured"|"unchanged", stored object)."""
    return store(state).write(resource, _named(resource, obj), "apply")


def create_object(state: ClusterState, resource: Resource, obj: dict) -> dict:
    """POST: AlreadyExists when the object is there."""
    return store(state).write(resource, _named(resource, obj), "create")[1]


def update_object(state: ClusterState, resource: Resource, obj: dict) -> dict:
    """PUT: NotFound when absent; metadata.resourceVersion, when given, must be the stored one (Conflict)."""
    return store(state).write(resource, _named(resource, obj), "update")[1]


def get_object(state: ClusterState, resource: Resource, namespace: str | None, name: str) -> dict:
    found = find_object(state, resource, namespace, name)
    if not found:
        raise not_found(resource, name)
    return found


def find_object(state: ClusterState, resource: Resource, namespace: str | None, name: str) -> dict | None:
    return store(state).get(resource, namespace if resource.namespaced else None, name)


def list_objects(state: ClusterState, resource: Resource, namespace: str | None = None) -> list:
    found = store(state).list(resource, namespace)
    return sorted(found, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))


def delete_object(state: ClusterState, resource: Resource, namespace: str | None, name: str) -> dict:
    removed = store(state).delete(resource, namespace, name)
    if not removed:
        raise not_found(resource, name)
    return removed


# -- nodes ---------------------------------------------------------------------------
def _skeleton(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "uid": str(uuid.uuid4()),
                         "creationTimestamp": timefmt.rfc3339(timefmt.now()), "labels": {}, "annotations": {}},
            "spec": {}, "status": {}}


def _allocate_pod_cidr(state: ClusterState, node: dict, others) -> None:
    """kube-controller-manager --allocate-node-cidrs: a /24 (v4) per node from podSubnet, none of others()'."""
    if node["spec"].get("podCIDR"):
        return
    subnet = clusterdata.pod_subnet(state).split(",")[0]
    if not subnet:
        return
    network = ipaddress.ip_network(subnet, strict=False)
    size = 24 if network.version == 4 else 64
    if network.prefixlen > size:
        return
    taken = {other["spec"].get("podCIDR") for other in others()}
    for candidate in network.subnets(new_prefix=size):
        if str(candidate) not in taken:
            node["spec"]["podCIDR"] = str(candidate)
            node["spec"]["podCIDRs"] = [str(candidate)]
            return


def update_node(state: ClusterState, name: str, change) -> dict:
    """Read-modify-write one Node (created when absent); change(node) edits it in place."""
    return store(state).update_node(name, change)


def stored_node(state: ClusterState, name: str) -> dict | None:
    """The Node as stored (no liveness applied), None when there is none."""
    return store(state).node(name)


def stored_nodes(state: ClusterState) -> list:
    return store(state).nodes()


def delete_node(state: ClusterState, name: str) -> bool:
    return store(state).delete_node(name)


def mark_control_plane(state: ClusterState, name: str, taints: list) -> None:
    def change(node):
        labels = node["metadata"].setdefault("labels", {})
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
        if taints:
            node["spec"]["taints"] = taints
    update_node(state, name, change)


def merge_patch(target: dict, patch: dict) -> dict:
    """RFC 7386 JSON merge patch (what kubectl cordon/label/annotate send for a Node): null removes a key."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_patch(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def patch_node(state: ClusterState, name: str, patch: dict, replace: dict | None = None) -> dict:
    """metadata (labels, annotations) and spec of a Node; its status belongs to the kubelet.
    replace: the Node as a patch made it (patches.py), whose labels, annotations and spec are kept."""
    allowed = {key: patch[key] for key in ("metadata", "spec") if isinstance(patch.get(key), dict)}

    def change(node: dict) -> None:
        if replace is not None:
            for key in ("labels", "annotations"):
                node["metadata"][key] = dict(replace.get("metadata", {}).get(key) or {})
            node["spec"] = dict(replace.get("spec") or {})
        else:
            merge_patch(node, allowed)
        if not node["spec"].get("unschedulable"):   # uncordoned: evicted pods may be placed here again
            node["metadata"].get("annotations", {}).pop(EVICTED_ANNOTATION, None)
    return update_node(state, name, change)


def record_eviction(state: ClusterState, node_name: str, pod_name: str) -> None:
    def change(node: dict) -> None:
        evicted = sorted(set(evicted_from(node)) | {pod_name})
        node["metadata"].setdefault("annotations", {})[EVICTED_ANNOTATION] = json.dumps(evicted)
    update_node(state, node_name, change)


def kubelet_status_update(state: ClusterState, name: str, reported: dict) -> dict:
    """Merge what a kubelet posts (labels, status, static pods) into the stored Node."""
    def change(node):
        metadata = reported.get("metadata", {})
        node["metadata"].setdefault("labels", {}).update(metadata.get("labels", {}))
        node["metadata"].setdefault("annotations", {}).update(metadata.get("annotations", {}))
        status = copy.deepcopy(reported.get("status", {}))
        now = timefmt.rfc3339(timefmt.now())
        old_ready = _condition(node, "Ready")
        for condition in status.get("conditions", []):
            condition["lastHeartbeatTime"] = now
            same = old_ready and old_ready.get("status") == condition.get("status")
            condition["lastTransitionTime"] = old_ready.get("lastTransitionTime", now) if same else now
        node["status"] = status
    return update_node(state, name, change)


def _condition(node: dict, kind: str) -> dict | None:
    for condition in node.get("status", {}).get("conditions", []) or []:
        if condition.get("type") == kind:
            return condition
    return None


def present_node(node: dict, grace_seconds: float, now: float) -> dict:
    """The Node as the API shows it: stale heartbeats turn Ready into Unknown (node lifecycle controller)."""
    shown = copy.deepcopy(node)
    ready = _condition(shown, "Ready")
    beat = ready.get("lastHeartbeatTime") if ready else None
    stale = not beat or now - timefmt.parse_rfc3339(beat) > grace_seconds
    taints = [t for t in shown["spec"].get("taints", []) if not t["key"].startswith("node.kubernetes.io/")]
    if stale:
        shown.setdefault("status", {})["conditions"] = [{
            "type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
            "message": "Kubelet stopped posting node status.",
            "lastHeartbeatTime": beat, "lastTransitionTime": beat or shown["metadata"]["creationTimestamp"]}]
        taints.append({"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"})
    elif ready.get("status") != "True":
        taints.append({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"})
    if taints:
        shown["spec"]["taints"] = taints
    else:
        shown["spec"].pop("taints", None)
    return shown


def node_is_ready(node: dict) -> bool:
    ready = _condition(node, "Ready")
    return bool(ready) and ready.get("status") == "True"


def node_is_alive(node: dict) -> bool:
    ready = _condition(node, "Ready")
    return bool(ready) and ready.get("status") != "Unknown"


def nodes(state: ClusterState) -> list:
    grace = float(state.settings()["node_monitor_grace_seconds"])
    now = timefmt.now()
    return [present_node(node, grace, now) for node in stored_nodes(state)]


def node(state: ClusterState, name: str) -> dict | None:
    """One Node as nodes() shows it, None when there is none."""
    stored = stored_node(state, name)
    return present_node(stored, float(state.settings()["node_monitor_grace_seconds"]), timefmt.now()) if stored else None


# -- pods of the cluster ---------------------------------------------------------------
def _tolerates(tolerations: list, taint: dict) -> bool:
    for toleration in tolerations or []:
        if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
            continue
        if toleration.get("operator") == "Exists" and not toleration.get("key"):
            return True
        if toleration.get("key") == taint.get("key") and (
                toleration.get("operator") == "Exists" or toleration.get("value", "") == taint.get("value", "")):
            return True
    return False


def evicted_from(node: dict) -> list:
    """Pods the Eviction API moved off this cordoned node (disruption.evict records them)."""
    return json.loads(node["metadata"].get("annotations", {}).get(EVICTED_ANNOTATION, "[]"))


def _schedulable(node: dict, pod_spec: dict, daemon: bool, pod_name: str = "") -> bool:
    # A cordoned node keeps the pods it runs until they are evicted (kubectl drain); DaemonSet pods stay.
    if node["spec"].get("unschedulable") and not daemon and pod_name in evicted_from(node):
        return False
    labels = node["metadata"].get("labels", {})
    if any(labels.get(key) != value for key, value in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    for taint in node["spec"].get("taints", []):
        if taint.get("effect") not in ("NoSchedule", "NoExecute"):
            continue
        if daemon and taint["key"] in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
            continue   # the DaemonSet controller adds these tolerations itself
        if not _tolerates(pod_spec.get("tolerations"), taint):
            return False
    return True


def _node_ip(node: dict) -> str:
    for address in node.get("status", {}).get("addresses", []):
        if address.get("type") == "InternalIP":
            return address["address"]
    return ""


def _pod_ip(node: dict, pod_name: str, host_network: bool) -> str:
    if host_network:
        return _node_ip(node)
    cidr = node["spec"].get("podCIDR")
    if not cidr:
        return ""
    network = ipaddress.ip_network(cidr)
    offset = 2 + int(hashlib.sha256(pod_name.encode()).hexdigest(), 16) % (min(network.num_addresses, 256) - 3)
    return str(network.network_address + offset)


def _pod(name: str, namespace: str, node: dict | None, spec: dict, labels: dict, created: str,
         ready: bool, waiting: str | None, restarts: int = 0, owner: dict | None = None) -> dict:
    containers = spec.get("containers", []) or [{"name": name, "image": ""}]
    host_network = bool(spec.get("hostNetwork"))
    phase = "Running" if not waiting else "Pending"
    statuses = []
    for container in containers:
        state = {"waiting": {"reason": waiting}} if waiting else {"running": {"startedAt": created}}
        statuses.append({"name": container["name"], "image": container.get("image", ""), "ready": ready,
                         "restartCount": restarts, "started": not waiting, "state": state})
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": namespace, "labels": labels, "creationTimestamp": created,
                        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{name}"))},
           "spec": {"containers": [{"name": c["name"], "image": c.get("image", "")} for c in containers],
                    "hostNetwork": host_network, **({"volumes": spec["volumes"]} if spec.get("volumes") else {})},
           "status": {"phase": phase, "containerStatuses": statuses,
                      "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}
    if owner:
        pod["metadata"]["ownerReferences"] = [owner]
    if node:
        pod["spec"]["nodeName"] = node["metadata"]["name"]
        pod["status"]["hostIP"] = _node_ip(node)
        ip = _pod_ip(node, name, host_network) if not waiting or host_network else ""
        if ip:
            pod["status"]["podIP"] = ip
    return pod


def _later(*stamps: str) -> str:
    return max(stamp for stamp in stamps if stamp)


def _network_ready(node: dict) -> bool:
    return node["metadata"].get("annotations", {}).get(NETWORK_READY_ANNOTATION) == "true"


def _static_pods(node: dict) -> list:
    found = []
    reported = json.loads(node["metadata"].get("annotations", {}).get(STATIC_PODS_ANNOTATION, "[]"))
    alive = node_is_alive(node)
    for entry in reported:
        found.append(_pod(f"{entry['name']}-{node['metadata']['name']}", "kube-system", node,
                          {"containers": [{"name": entry["name"], "image": entry.get("image", "")}], "hostNetwork": True},
                          {"component": entry["name"], "tier": "control-plane"},
                          timefmt.rfc3339(entry.get("startedAt", timefmt.now())),
                          entry.get("ready", False) and alive, None, entry.get("restarts", 0),
                          # a mirror pod is owned by its Node (kubelet/pod/mirror_client.go)
                          {"apiVersion": "v1", "kind": "Node", "name": node["metadata"]["name"], "controller": True}))
        if entry.get("annotations"):   # the manifest's, e.g. kubeadm's etcd advertise-client-urls
            found[-1]["metadata"]["annotations"] = dict(entry["annotations"])
    return found


def _daemonset_pods(ds: dict, all_nodes: list) -> list:
    spec = ds["spec"]["template"]["spec"]
    labels = dict(ds["spec"]["template"].get("metadata", {}).get("labels", {}))
    found = []
    for node in all_nodes:
        if not _schedulable(node, spec, daemon=True):
            continue
        name = f"{ds['metadata']['name']}-{suffix(ds['metadata']['uid'], node['metadata']['name'])}"
        alive = node_is_alive(node)
        network = spec.get("hostNetwork") or _network_ready(node)
        waiting = None if network else "ContainerCreating"
        found.append(_pod(name, ds["metadata"]["namespace"], node, spec, labels,
                          _later(ds["metadata"]["creationTimestamp"], node["metadata"]["creationTimestamp"]),
                          alive and bool(network), waiting,
                          owner={"apiVersion": "apps/v1", "kind": "DaemonSet", "name": ds["metadata"]["name"]}))
    return found


def _deployment_pods(deploy: dict, all_nodes: list) -> list:
    spec = deploy["spec"]["template"]["spec"]
    labels = dict(deploy["spec"]["template"].get("metadata", {}).get("labels", {}))
    template_hash = suffix(json.dumps(deploy["spec"]["template"], sort_keys=True), length=10)
    labels["pod-template-hash"] = template_hash
    replicas = deploy["spec"].get("replicas", 1)
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{deploy['metadata']['name']}-{template_hash}"}
    found = []
    for index in range(replicas):
        name = f"{deploy['metadata']['name']}-{template_hash}-{suffix(deploy['metadata']['uid'], str(index))}"
        candidates = [node for node in all_nodes if node_is_ready(node) and _schedulable(node, spec, False, name)]
        node = candidates[index % len(candidates)] if candidates else None
        created = deploy["metadata"]["creationTimestamp"]
        if node:
            network = spec.get("hostNetwork") or _network_ready(node)
            found.append(_pod(name, deploy["metadata"]["namespace"], node, spec, labels,
                              _later(created, node["metadata"]["creationTimestamp"]), bool(network),
                              None if network else "ContainerCreating", owner=owner))
        else:   # no Ready node it tolerates: the scheduler leaves it Pending
            found.append(_pod(name, deploy["metadata"]["namespace"], None, spec, labels, created, False,
                              "Pending", owner=owner))
    return found


def pods(state: ClusterState) -> list:
    all_nodes = nodes(state)
    registry_ = registry(state)
    found = []
    for node in all_nodes:
        found.extend(_static_pods(node))
    for ds in list_objects(state, registry_.by_kind("apps/v1", "DaemonSet")):
        found.extend(_daemonset_pods(ds, all_nodes))
    for deploy in list_objects(state, registry_.by_kind("apps/v1", "Deployment")):
        found.extend(_deployment_pods(deploy, all_nodes))
    return sorted(found, key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))


def realistic_pods(state: ClusterState, found: list) -> list:
    """The pods as a real cluster shows them to clients other than the stand-ins (the real kubectl):
    owner references name their controller (metav1.GetControllerOf, which kubectl drain's filters
    read), mirror pods carry the kubelet's kubernetes.io/config.* annotations (drain skips them),
    and a pod the Eviction API moved off a node is a new pod (new uid: drain waits for the old
    one to be gone, pkg/drain/drain.go waitForDelete)."""
    evicted = set()
    for node in stored_nodes(state):
        evicted.update(evicted_from(node))
    shown = []
    for pod in found:
        pod = copy.deepcopy(pod)
        metadata = pod["metadata"]
        for owner in metadata.get("ownerReferences", []):
            owner.setdefault("uid", str(uuid.uuid5(uuid.NAMESPACE_URL, f"{owner['kind']}/{metadata['namespace']}/{owner['name']}")))
            owner["controller"] = True
            owner.setdefault("blockOwnerDeletion", True)
            if owner["kind"] == "Node":
                hash_ = suffix(metadata["name"], length=10)
                metadata["annotations"] = {**metadata.get("annotations", {}), "kubernetes.io/config.hash": hash_,
                                           "kubernetes.io/config.mirror": hash_,
                                           "kubernetes.io/config.seen": metadata["creationTimestamp"],
                                           "kubernetes.io/config.source": "file"}
        if metadata["name"] in evicted:
            metadata["uid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{metadata['namespace']}/{metadata['name']}/evicted"))
        shown.append(pod)
    return shown


def _owned_by(pod: dict, kind: str, name: str) -> bool:
    owner = (pod["metadata"].get("ownerReferences") or [{}])[0]
    if kind == "DaemonSet":
        return owner.get("kind") == "DaemonSet" and owner.get("name") == name
    return owner.get("kind") == "ReplicaSet" and owner.get("name", "").rsplit("-", 1)[0] == name


def with_status(state: ClusterState, obj: dict) -> dict:
    """Workload objects get the status their controllers would report."""
    kind = obj.get("kind")
    if kind not in ("DaemonSet", "Deployment"):
        return obj
    shown = copy.deepcopy(obj)
    owned = [p for p in pods(state) if p["metadata"]["namespace"] == obj["metadata"]["namespace"]
             and _owned_by(p, kind, obj["metadata"]["name"])]
    ready = sum(1 for p in owned if p["status"]["conditions"][0]["status"] == "True")
    if kind == "DaemonSet":
        shown["status"] = {"desiredNumberScheduled": len(owned), "currentNumberScheduled": len(owned),
                           "numberReady": ready, "updatedNumberScheduled": len(owned), "numberAvailable": ready,
                           "numberMisscheduled": 0, "observedGeneration": obj["metadata"].get("generation", 1)}
    else:
        shown["status"] = {"replicas": len(owned), "readyReplicas": ready, "updatedReplicas": len(owned),
                           "availableReplicas": ready, "observedGeneration": obj["metadata"].get("generation", 1)}
    return shown


# -- discovery: the cluster-info ConfigMap ------------------------------------------------
def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def detached_jws(payload: str, token_id: str, token_secret: str) -> str:
    """RFC 7515 compact JWS with a detached payload, HS256 keyed by the token secret."""
    header = _b64url(json.dumps({"alg": "HS256", "kid": token_id}, separators=(",", ":")).encode())
    signing_input = f"{header}.{_b64url(payload.encode())}".encode()
    signature = _b64url(hmac.new(token_secret.encode(), signing_input, hashlib.sha256).digest())
    return f"{header}..{signature}"


def valid_tokens(state: ClusterState, now: float | None = None) -> list:
    now = now if now is not None else timefmt.now()
    return [token for token in clusterdata.tokens(state) if not clusterdata.expired(token, now)]


def _signed(state: ClusterState, kubeconfig: str) -> dict:
    """cluster-info's data: the kubeconfig and a JWS of it per signing token (the bootstrapsigner's)."""
    data = {"kubeconfig": kubeconfig}
    for token in valid_tokens(state):
        if "signing" in token.get("usages", []):
            data[f"{JWS_PREFIX}{token['id']}"] = detached_jws(kubeconfig, token["id"], token["secret"])
    return data


def cluster_info(state: ClusterState) -> dict:
    missing = ApiStatus(404, "NotFound", 'configmaps "cluster-info" not found', {"name": "cluster-info", "kind": "configmaps"})
    if clusterdata.in_objects(state):   # the stored ConfigMap, signed as it is read
        stored = clusterdata.cluster_info_object(state)
        if not stored:
            raise missing
        return {**stored, "data": _signed(state, stored.get("data", {}).get("kubeconfig", ""))}
    cluster = state.cluster()
    if not cluster:
        raise missing
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cluster-info", "namespace": "kube-public",
                         "creationTimestamp": cluster["createdAt"]}, "data": _signed(state, cluster["clusterInfoKubeconfig"])}


def dump_cluster_info_kubeconfig(server: str, ca_b64: str) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "clusters": [{"cluster": {"certificate-authority-data": ca_b64,
                                                                         "server": server}, "name": ""}],
                           "contexts": None, "current-context": "", "kind": "Config", "preferences": {},
                           "users": None}, sort_keys=True, width=1 << 30)
