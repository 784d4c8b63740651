"""kubectl's table printers (tabwriter: min width 6, padding 3) for the kinds the lab uses."""
import time

from . import timefmt

NONE = "<none>"


def tabulate(rows: list) -> str:
    widths = [max(6, max(len(row[i]) for row in rows) + 3) for i in range(len(rows[0]))]
    return "".join("".join(cell.ljust(widths[i]) if i < len(row) - 1 else cell
                           for i, cell in enumerate(row)) + "\n" for row in rows)


def age(obj: dict) -> str:
    created = obj.get("metadata", {}).get("creationTimestamp")
    return timefmt.human_duration(time.time() - timefmt.parse_rfc3339(created)) if created else "<unknown>"


def _condition(obj: dict, kind: str) -> dict:
    for condition in obj.get("status", {}).get("conditions", []) or []:
        if condition.get("type") == kind:
            return condition
    return {}


def node_row(node: dict, wide: bool) -> list:
    status = "Ready" if _condition(node, "Ready").get("status") == "True" else "NotReady"
    if node.get("spec", {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    labels = node["metadata"].get("labels", {})
    roles = sorted(key.split("/", 1)[1] for key in labels if key.startswith("node-role.kubernetes.io/"))
    info = node.get("status", {}).get("nodeInfo", {})
    row = [node["metadata"]["name"], status, ",".join(roles) or NONE, age(node), info.get("kubeletVersion", "")]
    if wide:
        addresses = {a["type"]: a["address"] for a in node.get("status", {}).get("addresses", [])}
        row += [addresses.get("InternalIP", NONE), addresses.get("ExternalIP", NONE), info.get("osImage", "<unknown>"),
                info.get("kernelVersion", "<unknown>"), info.get("containerRuntimeVersion", "<unknown>")]
    return row


NODE_HEADERS = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
NODE_WIDE = ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]


def pod_row(pod: dict, wide: bool) -> list:
    statuses = pod.get("status", {}).get("containerStatuses", []) or []
    ready = sum(1 for s in statuses if s.get("ready"))
    reason = pod.get("status", {}).get("phase", "Unknown")
    for container in statuses:
        waiting = container.get("state", {}).get("waiting")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
    restarts = sum(s.get("restartCount", 0) for s in statuses)
    row = [pod["metadata"]["name"], f"{ready}/{len(pod.get('spec', {}).get('containers', []))}", reason,
           str(restarts), age(pod)]
    if wide:
        row += [pod.get("status", {}).get("podIP") or NONE, pod.get("spec", {}).get("nodeName") or NONE, NONE, NONE]
    return row


POD_HEADERS = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
POD_WIDE = ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]


def daemonset_row(ds: dict, wide: bool) -> list:
    status = ds.get("status", {})
    selector = ds["spec"]["template"]["spec"].get("nodeSelector") or {}
    return [ds["metadata"]["name"], str(status.get("desiredNumberScheduled", 0)), str(status.get("currentNumberScheduled", 0)),
            str(status.get("numberReady", 0)), str(status.get("updatedNumberScheduled", 0)), str(status.get("numberAvailable", 0)),
            ",".join(f"{k}={v}" for k, v in selector.items()) or NONE, age(ds)]


def deployment_row(deploy: dict, wide: bool) -> list:
    status = deploy.get("status", {})
    return [deploy["metadata"]["name"], f"{status.get('readyReplicas', 0)}/{deploy['spec'].get('replicas', 1)}",
            str(status.get("updatedReplicas", 0)), str(status.get("availableReplicas", 0)), age(deploy)]


def namespace_row(ns: dict, wide: bool) -> list:
    return [ns["metadata"]["name"], ns.get("status", {}).get("phase", "Active"), age(ns)]


def configmap_row(cm: dict, wide: bool) -> list:
    return [cm["metadata"]["name"], str(len(cm.get("data", {}) or {})), age(cm)]


def generic_row(obj: dict, wide: bool) -> list:
    return [obj["metadata"]["name"], age(obj)]


PRINTERS = {
    "Node": (NODE_HEADERS, NODE_WIDE, node_row),
    "Pod": (POD_HEADERS, POD_WIDE, pod_row),
    "DaemonSet": (["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"], [], daemonset_row),
    "Deployment": (["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], [], deployment_row),
    "Namespace": (["NAME", "STATUS", "AGE"], [], namespace_row),
    "ConfigMap": (["NAME", "DATA", "AGE"], [], configmap_row),
}


def table(kind: str, items: list, wide: bool, with_namespace: bool, no_headers: bool = False) -> str:
    headers, wide_headers, row_of = PRINTERS.get(kind, (["NAME", "AGE"], [], generic_row))
    header = (["NAMESPACE"] if with_namespace else []) + headers + (wide_headers if wide else [])
    rows = [] if no_headers else [header]
    for item in items:
        row = row_of(item, wide)
        rows.append(([item["metadata"].get("namespace", "")] if with_namespace else []) + row)
    return tabulate(rows) if rows else ""
