"""?labelSelector= and ?fieldSelector= on lists (apimachinery/pkg/labels/selector.go,
apimachinery/pkg/fields/selector.go). kubectl drain lists a node's pods with
fieldSelector=spec.nodeName=NODE, kubectl delete and wait follow one object with
fieldSelector=metadata.name=NAME, cluster-info asks Services by label.
"""

from __future__ import annotations

import re

from .apistore import ApiStatus

# the field labels each kind supports besides metadata.name and metadata.namespace
# (pkg/registry/core/pod/strategy.go PodToSelectableFields, node/strategy.go NodeToSelectableFields ...)
FIELDS = {
    "Pod": {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"},
    "Node": {"spec.unschedulable"},
    "Secret": {"type"},
    "Namespace": {"status.phase"},
}
_SET = re.compile(r"^\s*([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split(expression: str) -> list:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in expression:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _requirement(text: str):
    match = _SET.match(text)
    if match:
        key, op, values = match.group(1), match.group(2), {v.strip() for v in match.group(3).split(",") if v.strip()}
        return lambda labels: (labels.get(key) in values) if op == "in" else (labels.get(key) not in values)
    for op in ("!=", "==", "="):
        if op in text:
            key, value = (s.strip() for s in text.split(op, 1))
            if op == "!=":
                return lambda labels: labels.get(key) != value
            return lambda labels: key in labels and labels[key] == value
    if text.startswith("!"):
        return lambda labels: text[1:].strip() not in labels
    return lambda labels: text in labels


def label_matcher(selector: str):
    requirements = [_requirement(part) for part in _split(selector)]
    return lambda obj: all(req(obj.get("metadata", {}).get("labels") or {}) for req in requirements)


def _field(obj: dict, path: str) -> str:
    node = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        return "false" if path in ("spec.unschedulable", "spec.hostNetwork") else ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def field_matcher(selector: str, kind: str):
    checks = []
    for part in _split(selector):
        op = "!=" if "!=" in part else "==" if "==" in part else "="
        key, value = (s.strip() for s in part.split(op, 1))
        if key not in {"metadata.name", "metadata.namespace"} | FIELDS.get(kind, set()):
            raise ApiStatus(400, "BadRequest", f"field label not supported: {key}")
        checks.append((key, op == "!=", value))
    return lambda obj: all((_field(obj, key) != value) if negate else (_field(obj, key) == value)
                           for key, negate, value in checks)


def select(items: list, query: dict, kind: str) -> list:
    """The items a list request's selectors keep (all of them without selectors)."""
    labels = (query.get("labelSelector") or [""])[0]
    fields = (query.get("fieldSelector") or [""])[0]
    if labels:
        items = [i for i in items if label_matcher(labels)(i)]
    if fields:
        matcher = field_matcher(fields, kind)
        items = [i for i in items if matcher(i)]
    return items
