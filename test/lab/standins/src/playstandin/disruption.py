"""The Eviction API and PodDisruptionBudgets (pkg/registry/core/pod/storage/eviction.go and the
disruption controller's arithmetic in pkg/controller/disruption/disruption.go).

An eviction of a pod covered by a policy/v1 PodDisruptionBudget is refused with 429
TooManyRequests when it would leave fewer healthy pods than the budget asks for. The
stand-in's pods are derived from their workloads (apistore.pods), so an allowed eviction
is recorded on its cordoned node, and the pod is placed elsewhere from then on (a cordoned node
keeps the pods it runs until they are evicted, like a real one).
"""

from __future__ import annotations

import math

from . import apistore
from .state import ClusterState

VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."


def _matches(selector: dict | None, labels: dict) -> bool:
    if selector is None:
        return False   # no selector: no pods
    # policy/v1: an empty selector ({}) selects every pod of the namespace
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        present, value = expression.get("key") in labels, labels.get(expression.get("key"))
        operator, values = expression.get("operator"), expression.get("values") or []
        if (operator == "In" and value not in values) or (operator == "NotIn" and present and value in values) \
                or (operator == "Exists" and not present) or (operator == "DoesNotExist" and present):
            return False
    return True


def _count(value, expected: int, round_up: bool) -> int:
    """intstr: an int, or a percentage of the expected pods."""
    if isinstance(value, str) and value.endswith("%"):
        share = expected * int(value[:-1]) / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value)


def _healthy(pod: dict) -> bool:
    return pod["status"].get("phase") == "Running" and pod["status"]["conditions"][0]["status"] == "True"


def budget_status(budget: dict, pods: list) -> dict:
    """desiredHealthy, currentHealthy, disruptionsAllowed of one budget over its pods."""
    expected = len(pods)
    healthy = sum(1 for pod in pods if _healthy(pod))
    spec = budget.get("spec", {})
    if "maxUnavailable" in spec:
        desired = max(0, expected - _count(spec["maxUnavailable"], expected, round_up=True))
    else:
        desired = _count(spec.get("minAvailable", 1), expected, round_up=True)
    return {"desiredHealthy": desired, "currentHealthy": healthy, "expectedPods": expected,
            "disruptionsAllowed": max(0, healthy - desired)}


def _covered(budget: dict, all_pods: list) -> list:
    return [p for p in all_pods if p["metadata"]["namespace"] == budget["metadata"]["namespace"]
            and _matches(budget.get("spec", {}).get("selector"), p["metadata"].get("labels", {}))]


def with_status(state: ClusterState, obj: dict) -> dict:
    """apistore.with_status, plus the status the disruption controller keeps on a PodDisruptionBudget."""
    if obj.get("kind") != "PodDisruptionBudget":
        return apistore.with_status(state, obj)
    shown = {**obj, "status": budget_status(obj, _covered(obj, apistore.pods(state)))}
    shown["status"]["observedGeneration"] = obj["metadata"].get("generation", 1)
    return shown


def evict(state: ClusterState, namespace: str, name: str) -> dict:
    """POST .../pods/NAME/eviction: a Status on success, ApiStatus 404 or 429 otherwise."""
    all_pods = apistore.pods(state)
    pod = next((p for p in all_pods if p["metadata"]["namespace"] == namespace and p["metadata"]["name"] == name), None)
    if pod is None:
        raise apistore.ApiStatus(404, "NotFound", f'pods "{name}" not found', {"name": name, "kind": "pods"})
    registry = apistore.registry(state)
    budgets = [b for b in apistore.list_objects(state, registry.by_kind("policy/v1", "PodDisruptionBudget"), namespace)
               if _matches(b.get("spec", {}).get("selector"), pod["metadata"].get("labels", {}))]
    if len(budgets) > 1:
        raise apistore.ApiStatus(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the "
                                 "eviction subresource does not support.")
    for budget in budgets:
        status = budget_status(budget, _covered(budget, all_pods))
        if status["disruptionsAllowed"] <= 0:
            raise apistore.ApiStatus(429, "TooManyRequests", VIOLATION, {"causes": [{
                "reason": "DisruptionBudget",
                "message": f"The disruption budget {budget['metadata']['name']} needs {status['desiredHealthy']} "
                           f"healthy pods and has {status['currentHealthy']} currently"}]})
    node_name = pod["spec"].get("nodeName")
    if node_name and any(n["metadata"]["name"] == node_name and n["spec"].get("unschedulable") for n in apistore.stored_nodes(state)):
        apistore.record_eviction(state, node_name, name)
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
