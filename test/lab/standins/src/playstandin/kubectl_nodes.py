"""kubectl cordon, uncordon, drain, label and annotate (staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go,
pkg/drain/{drain,filters,cordon}.go, pkg/cmd/label/label.go, pkg/cmd/annotate/annotate.go).

Like the real kubectl they only talk to the API: a merge patch on the Node for cordon, label and
annotate, the Eviction API for drain, which a PodDisruptionBudget can refuse (429): drain then
retries every 5 s until --timeout.
"""
import sys
import time

from . import timefmt
from .errors import StandinError

EVICTION_RETRY_SECONDS = 5.0


def _node(api, name: str) -> dict:
    answer = api.request(f"/api/v1/nodes/{name}")
    if answer.status == 404:
        raise StandinError(f'Error from server (NotFound): nodes "{name}" not found')
    return answer.json()


def _patch_node(api, name: str, patch: dict) -> None:
    answer = api.request(f"/api/v1/nodes/{name}", "PATCH", patch)
    if answer.status != 200:
        body = answer.json() if answer.body else {}
        raise StandinError(f"Error from server ({body.get('reason', 'InternalError')}): {body.get('message', '')}")


def set_schedulable(api, name: str, unschedulable: bool) -> None:
    """pkg/drain/cordon.go: prints node/NAME cordoned|uncordoned, or already ... when nothing changes."""
    node = _node(api, name)
    word = "cordoned" if unschedulable else "uncordoned"
    if bool(node.get("spec", {}).get("unschedulable")) == unschedulable:
        print(f"node/{name} already {word}")
        return
    _patch_node(api, name, {"spec": {"unschedulable": True if unschedulable else None}})
    print(f"node/{name} {word}")


def cmd_cordon(api_factory, args, unschedulable: bool) -> int:
    if not args.positionals:
        raise StandinError(f"error: USAGE: {'cordon' if unschedulable else 'uncordon'} NODE [flags]")
    api = api_factory(args)
    for name in args.positionals:
        set_schedulable(api, name, unschedulable)
    return 0


# -- drain --------------------------------------------------------------------------------------
def _owned(pod: dict, kind: str) -> bool:
    return any(o.get("kind") == kind for o in pod["metadata"].get("ownerReferences", []))


def _listed(pods: list) -> str:
    return ", ".join(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in pods)


def pods_for_deletion(pods: list, args) -> tuple:
    """pkg/drain/filters.go: (pods to evict, warnings, errors), in the filters' order."""
    daemon = [p for p in pods if _owned(p, "DaemonSet")]
    mirror = [p for p in pods if _owned(p, "Node")]
    unmanaged = [p for p in pods if not p["metadata"].get("ownerReferences")]
    local = [p for p in pods if any("emptyDir" in v for v in p["spec"].get("volumes", []) or [])
             and p not in daemon and p not in mirror]
    warnings, errors = [], []
    if daemon:
        if args.get("ignore-daemonsets"):
            warnings.append(f"ignoring DaemonSet-managed Pods: {_listed(daemon)}")
        else:
            errors.append(f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {_listed(daemon)}")
    if unmanaged:
        if args.get("force"):
            warnings.append(f"deleting Pods that declare no controller: {_listed(unmanaged)}")
        else:
            errors.append(f"cannot delete Pods that declare no controller (use --force to override): {_listed(unmanaged)}")
    if local:
        if args.get("delete-emptydir-data"):
            warnings.append(f"deleting Pods with local storage: {_listed(local)}")
        else:
            errors.append(f"cannot delete Pods with local storage (use --delete-emptydir-data to override): {_listed(local)}")
    evict = [p for p in pods if p not in daemon and p not in mirror]
    return evict, warnings, errors


def drain_failed(name: str, error: str) -> StandinError:
    """What RunDrain prints for a node it could not drain; the command then exits 1."""
    print(f'error: unable to drain node "{name}" due to error: {error}, continuing command...', file=sys.stderr)
    print(f"There are pending nodes to be drained:\n {name}", file=sys.stderr)
    return StandinError(error)


def evict_all(api, pods: list, timeout: float) -> tuple:
    """evictPods: every pod until evicted; a 429 (disruption budget) is retried after 5 s.
    Returns (evicted pods, the first error or None)."""
    deadline = time.monotonic() + timeout if timeout > 0 else None
    pending, evicted = list(pods), []
    shown_timeout = timefmt.go_duration(timeout) if timeout > 0 else "2562047h47m16.854775807s"
    while pending:
        blocked = []
        for pod in pending:
            namespace, pod_name = pod["metadata"]["namespace"], pod["metadata"]["name"]
            print(f"evicting pod {namespace}/{pod_name}")
            if deadline is not None and time.monotonic() >= deadline:
                return evicted, f'error when evicting pods/"{pod_name}" -n "{namespace}": global timeout reached: {shown_timeout}'
            answer = api.request(f"/api/v1/namespaces/{namespace}/pods/{pod_name}/eviction", "POST",
                                 {"apiVersion": "policy/v1", "kind": "Eviction",
                                  "metadata": {"name": pod_name, "namespace": namespace}})
            if answer.status in (200, 201, 404):
                evicted.append(pod)
                print(f"pod/{pod_name} evicted")
            elif answer.status == 429:
                message = answer.json().get("message", "")
                print(f'error when evicting pods/"{pod_name}" -n "{namespace}" (will retry after 5s): {message}',
                      file=sys.stderr)
                blocked.append(pod)
            else:
                return evicted, f'error when evicting pods/"{pod_name}" -n "{namespace}": {answer.json().get("message", "")}'
        pending = blocked
        if pending:
            time.sleep(EVICTION_RETRY_SECONDS)
    return evicted, None


def cmd_drain(api_factory, args, parse_timeout) -> int:
    if len(args.positionals) != 1:
        raise StandinError("error: USAGE: drain NODE [flags]")
    name = args.positionals[0]
    api = api_factory(args)
    set_schedulable(api, name, True)
    pods = [p for p in api.request("/api/v1/pods").json().get("items", []) if p.get("spec", {}).get("nodeName") == name]
    evict, warnings, errors = pods_for_deletion(pods, args)
    if errors:
        raise drain_failed(name, ", ".join(errors))
    if warnings:
        print(f"Warning: {'; '.join(warnings)}", file=sys.stderr)
    timeout = parse_timeout(args, "0s")
    evicted, error = evict_all(api, evict, timeout)
    if error:
        print(f'There are pending pods in node "{name}" when an error occurred: {error}', file=sys.stderr)
        for pod in evict:
            if pod not in evicted:
                print(f"pod/{pod['metadata']['name']}", file=sys.stderr)
        raise drain_failed(name, error)
    print(f"node/{name} drained")
    return 0


# -- label / annotate ---------------------------------------------------------------------------
def _changes(pairs: list, what: str) -> tuple:
    """KEY=VALUE to set and KEY- to remove, as label.go/annotate.go parse them."""
    setting, removing = {}, []
    for pair in pairs:
        if pair.endswith("-") and "=" not in pair:
            removing.append(pair[:-1])
        elif "=" in pair:
            key, _, value = pair.partition("=")
            setting[key] = value
        else:
            raise StandinError(f"error: at least one {what} update is required")
    if not setting and not removing:
        raise StandinError(f"error: at least one {what} update is required")
    return setting, removing


def cmd_metadata(api_factory, args, resource_and_names, field: str) -> int:
    """kubectl label|annotate TYPE NAME K=V... K-... [--overwrite]."""
    what = "label" if field == "labels" else "annotation"
    if len(args.positionals) < 2:
        raise StandinError("error: one or more resources must be specified as <resource> <name> or <resource>/<name>")
    api = api_factory(args)
    target = args.positionals[:1] if "/" in args.positionals[0] else args.positionals[:2]
    resource, names = resource_and_names(api, target)
    setting, removing = _changes(args.positionals[len(target):], what)
    namespace = (args.get("namespace") or "default") if resource.namespaced else None
    for name in names:
        answer = api.request(resource.path(namespace, name))
        if answer.status == 404:
            raise StandinError(f'Error from server (NotFound): {resource.plural} "{name}" not found')
        obj = answer.json()
        current = dict(obj.get("metadata", {}).get(field) or {})
        if not args.get("overwrite"):
            clashes = [(k, current[k]) for k, v in setting.items() if k in current and current[k] != v]
            if clashes and field == "labels":
                raise StandinError("\n".join(f"error: '{k}' already has a value ({v}), and --overwrite is false" for k, v in clashes))
            if clashes:
                listed = "; ".join(f"'{k}' already has a value ({v})" for k, v in clashes)
                raise StandinError(f"error: --overwrite is false but found the following declared annotation(s): {listed}")
        for key in removing:
            if key not in current and field == "labels":
                print(f'label "{key}" not found.')
        updated = {**{k: v for k, v in current.items() if k not in removing}, **setting}
        patch = dict(setting)
        patch.update({k: None for k in removing if k in current})
        if resource.kind == "Node":
            _patch_node(api, name, {"metadata": {field: patch}})
        else:
            obj["metadata"][field] = updated
            api.request(resource.path(namespace, name), "PATCH", obj)
        print(f"{resource.qualified}/{name} {_verb(field, current, updated, bool(args.get('overwrite')))}")
    return 0


def _verb(field: str, before: dict, after: dict, overwrite: bool) -> str:
    if field == "annotations":
        return "annotated"
    if before == after:
        return "not labeled"
    return "unlabeled" if not overwrite and len(after) < len(before) else "labeled"
