"""The API's data: stored objects, Node objects, and the pods a real cluster would run.

Stored: objects.json (anything applied) and nodes/<name>.json. Derived on every read:
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

from . import timefmt
from .resources import BUILTIN_NAMESPACES, Registry, Resource
from .state import ClusterState

STATIC_PODS_ANNOTATION = "play.standin/static-pods"
NETWORK_READY_ANNOTATION = "play.standin/network-ready"
EVICTED_ANNOTATION = "play.standin/evicted"
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"   # k8s.io/apimachinery/pkg/util/rand
JWS_PREFIX = "jws-kubeconfig-"
VOLATILE_METADATA = ("uid", "creationTimestamp", "resourceVersion", "generation", "managedFields")


class ApiStatus(Exception):
    """An API error answer: code, reason and message as a metav1.Status carries them."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}

    def body(self) -> dict:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "details": self.details, "code": self.code}


def not_found(resource: Resource, name: str) -> ApiStatus:
    return ApiStatus(404, "NotFound", f'{resource.plural}{"." + resource.group if resource.group else ""} "{name}" not found',
                     {"name": name, "kind": resource.plural, **({"group": resource.group} if resource.group else {})})


def suffix(*parts: str, length: int = 5) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(NAME_ALPHABET[b % len(NAME_ALPHABET)] for b in digest[:length])


# -- stored objects ------------------------------------------------------------------
def _objects(state: ClusterState) -> dict:
    return (state.read("objects", {}) or {}).get("objects", {})


def _key(resource: Resource, namespace: str | None, name: str) -> str:
    return f"{resource.group}/{resource.kind}/{namespace or ''}/{name}"


def registry(state: ClusterState) -> Registry:
    crds = [obj for obj in _objects(state).values() if obj.get("kind") == "CustomResourceDefinition"]
    return Registry(crds)


def namespace_exists(state: ClusterState, namespace: str) -> bool:
    if namespace in BUILTIN_NAMESPACES:
        return True
    return any(obj.get("kind") == "Namespace" and obj["metadata"]["name"] == namespace
               for obj in _objects(state).values())


def _comparable(obj: dict) -> dict:
    trimmed = copy.deepcopy(obj)
    trimmed.pop("status", None)
    for key in VOLATILE_METADATA:
        trimmed.get("metadata", {}).pop(key, None)
    return trimmed


def apply_object(state: ClusterState, resource: Resource, obj: dict) -> tuple:
    """Create or update; returns ("created"|"configured"|"unchanged", stored object)."""
    metadata = obj.setdefault("metadata", {})
    name = metadata.get("name")
    if not name:
        raise ApiStatus(422, "Invalid", f"{resource.kind} is invalid: metadata.name: Required value: name or generateName is required")
    if resource.namespaced:
        metadata["namespace"] = metadata.get("namespace") or "default"
    else:
        metadata.pop("namespace", None)
    with state.locked():
        document = state.read("objects", {}) or {}
        objects = document.setdefault("objects", {})
        if resource.namespaced and not namespace_exists(state, metadata["namespace"]):
            raise ApiStatus(404, "NotFound", f'namespaces "{metadata["namespace"]}" not found',
                            {"name": metadata["namespace"], "kind": "namespaces"})
        key = _key(resource, metadata.get("namespace"), name)
        previous = objects.get(key)
        if previous and _comparable(previous) == _comparable(obj):
            return "unchanged", previous
        revision = int(document.get("resourceVersion", 0)) + 1
        document["resourceVersion"] = revision
        stored = copy.deepcopy(obj)
        stored["metadata"].update(
            uid=(previous or {}).get("metadata", {}).get("uid") or str(uuid.uuid4()),
            creationTimestamp=(previous or {}).get("metadata", {}).get("creationTimestamp") or timefmt.rfc3339(timefmt.now()),
            resourceVersion=str(revision),
            generation=(previous or {}).get("metadata", {}).get("generation", 0) + 1)
        objects[key] = stored
        state.write("objects", document)
    return ("configured" if previous else "created"), stored


def get_object(state: ClusterState, resource: Resource, namespace: str | None, name: str) -> dict:
    found = _objects(state).get(_key(resource, namespace if resource.namespaced else None, name))
    if not found:
        raise not_found(resource, name)
    return found


def list_objects(state: ClusterState, resource: Resource, namespace: str | None = None) -> list:
    prefix = f"{resource.group}/{resource.kind}/"
    found = [obj for key, obj in _objects(state).items() if key.startswith(prefix)]
    if namespace and resource.namespaced:
        found = [obj for obj in found if obj["metadata"].get("namespace") == namespace]
    return sorted(found, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))


def delete_object(state: ClusterState, resource: Resource, namespace: str | None, name: str) -> dict:
    with state.locked():
        document = state.read("objects", {}) or {}
        removed = document.get("objects", {}).pop(_key(resource, namespace if resource.namespaced else None, name), None)
        if not removed:
            raise not_found(resource, name)
        state.write("objects", document)
    return removed


# -- nodes ---------------------------------------------------------------------------
def _skeleton(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "uid": str(uuid.uuid4()),
                         "creationTimestamp": timefmt.rfc3339(timefmt.now()), "labels": {}, "annotations": {}},
            "spec": {}, "status": {}}


def _allocate_pod_cidr(state: ClusterState, node: dict) -> None:
    """kube-controller-manager --allocate-node-cidrs: a /24 (v4) per node from podSubnet."""
    cluster = state.cluster() or {}
    subnet = (cluster.get("podSubnet") or "").split(",")[0]
    if not subnet or node["spec"].get("podCIDR"):
        return
    network = ipaddress.ip_network(subnet, strict=False)
    size = 24 if network.version == 4 else 64
    if network.prefixlen > size:
        return
    taken = {other["spec"].get("podCIDR") for other in state.nodes()}
    for candidate in network.subnets(new_prefix=size):
        if str(candidate) not in taken:
            node["spec"]["podCIDR"] = str(candidate)
            node["spec"]["podCIDRs"] = [str(candidate)]
            return


def update_node(state: ClusterState, name: str, change) -> dict:
    """Read-modify-write one Node under the lock; change(node) edits it in place."""
    with state.locked():
        node = state.node(name) or _skeleton(name)
        change(node)
        _allocate_pod_cidr(state, node)
        state.write_node(node)
    return node


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


def patch_node(state: ClusterState, name: str, patch: dict) -> dict:
    """metadata (labels, annotations) and spec of a Node; its status belongs to the kubelet."""
    allowed = {key: patch[key] for key in ("metadata", "spec") if isinstance(patch.get(key), dict)}

    def change(node: dict) -> None:
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
    return [present_node(node, grace, now) for node in state.nodes()]


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
    return [token for token in (state.read("tokens", {}) or {}).get("tokens", [])
            if not token.get("expires") or token["expires"] > now]


def cluster_info(state: ClusterState) -> dict:
    cluster = state.cluster()
    if not cluster:
        raise ApiStatus(404, "NotFound", 'configmaps "cluster-info" not found', {"name": "cluster-info", "kind": "configmaps"})
    kubeconfig = cluster["clusterInfoKubeconfig"]
    data = {"kubeconfig": kubeconfig}
    for token in valid_tokens(state):
        if "signing" in token.get("usages", []):
            data[f"{JWS_PREFIX}{token['id']}"] = detached_jws(kubeconfig, token["id"], token["secret"])
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cluster-info", "namespace": "kube-public",
                         "creationTimestamp": cluster["createdAt"]}, "data": data}


def dump_cluster_info_kubeconfig(server: str, ca_b64: str) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "clusters": [{"cluster": {"certificate-authority-data": ca_b64,
                                                                         "server": server}, "name": ""}],
                           "contexts": None, "current-context": "", "kind": "Config", "preferences": {},
                           "users": None}, sort_keys=True, width=1 << 30)
