"""PATCH bodies as the real apiserver applies them (handlers/patch.go), by Content-Type:

- application/merge-patch+json: RFC 7386 (kubectl label, annotate, patch --type merge);
- application/strategic-merge-patch+json: sigs.k8s.io/structured-merge-diff's predecessor,
  apimachinery/pkg/util/strategicpatch (kubectl apply's client-side three-way patch, cordon):
  maps merge, null deletes, lists with a patch merge key merge by that key, other lists are
  replaced, and the directives $patch (replace, delete, merge), $retainKeys,
  $setElementOrder/FIELD and $deleteFromPrimitiveList/FIELD;
- application/json-patch+json: RFC 6902 (add, remove, replace, test, move, copy).

The merge keys are the x-kubernetes-patch-merge-key of the core types (k8s.io/api/core/v1,
apps/v1), by field name, which is how they are used in the kinds the roles apply.
"""

from __future__ import annotations

import copy

from .apistore import ApiStatus

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"

MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
    "hostAliases": "ip", "ownerReferences": "uid", "conditions": "type", "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name", "schedulingGates": "name",
}
# container ports merge on containerPort, a Service's on port
PORT_KEYS = ("containerPort", "port")
PRIMITIVE_MERGE = {"finalizers"}   # patchStrategy: merge on a list of strings
# patchStrategy: replace fields, by kind (policy/v1 PodDisruptionBudgetSpec.Selector)
REPLACED = {"PodDisruptionBudget": [("spec", "selector")]}


def _merge_key(field: str, items: list):
    if field == "ports":
        for key in PORT_KEYS:
            if all(isinstance(i, dict) and key in i for i in items if not (isinstance(i, dict) and "$patch" in i)):
                return key
        return None
    return MERGE_KEYS.get(field)


def _merge_list(field: str, original: list, patch: list, order: list | None) -> list:
    if field in PRIMITIVE_MERGE and all(not isinstance(i, dict) for i in patch):
        merged = list(original) + [i for i in patch if i not in original]
    else:
        key = _merge_key(field, list(original) + list(patch))
        if key is None or not all(isinstance(i, dict) for i in patch):
            return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and i.get("$patch"))]
        merged = [copy.deepcopy(i) for i in original]
        for item in patch:
            directive = item.get("$patch")
            at = next((n for n, old in enumerate(merged) if isinstance(old, dict) and old.get(key) == item.get(key)), None)
            if directive == "delete":
                if at is not None:
                    merged.pop(at)
            elif directive == "replace":
                return [copy.deepcopy(i) for i in patch if i.get("$patch") != "replace"]
            elif at is None:
                merged.append(strategic(dict(), item))
            else:
                merged[at] = strategic(merged[at], item)
        if order is not None:
            rank = {(o.get(key) if isinstance(o, dict) else o): n for n, o in enumerate(order)}
            merged.sort(key=lambda i: rank.get(i.get(key) if isinstance(i, dict) else i, len(rank)))
        return merged
    if order is not None:
        rank = {o: n for n, o in enumerate(order)}
        merged.sort(key=lambda i: rank.get(i, len(rank)))
    return merged


def strategic(original: dict, patch: dict) -> dict:
    """A strategic merge patch on a map (strategicpatch.StrategicMergeMapPatch), returning a new map."""
    result = copy.deepcopy(original)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return {}
    retain = patch.get("$retainKeys")
    orders = {k.split("/", 1)[1]: v for k, v in patch.items() if k.startswith("$setElementOrder/")}
    for key, value in patch.items():
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [i for i in result.get(field, []) if i not in value]
        elif key.startswith("$"):
            continue
        elif value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = strategic(result[key], value)
        elif isinstance(value, dict):
            result[key] = strategic({}, value)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(key, result[key], value, orders.get(key))
        elif isinstance(value, list):
            result[key] = _merge_list(key, [], value, orders.get(key))
        else:
            result[key] = copy.deepcopy(value)
    for field, order in orders.items():
        if field not in patch and isinstance(result.get(field), list):
            result[field] = _merge_list(field, result[field], [], order)
    if retain is not None:
        result = {k: v for k, v in result.items() if k in retain}
    return result


def merge(original, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(original) if isinstance(original, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge(result.get(key), value)
    return result


def _pointer(path: str) -> list:
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiStatus(422, "Invalid", f'the server rejected our request due to an error in our request: '
                                        f'JSON pointer "{path}" does not start with /')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(document, parts: list):
    node = document
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def json_patch(original: dict, operations: list) -> dict:
    """RFC 6902 (evanphx/json-patch as the apiserver uses it)."""
    document = copy.deepcopy(original)
    for op in operations:
        kind, parts = op.get("op"), _pointer(op.get("path", ""))
        try:
            parent = _parent(document, parts)
            last = parts[-1] if parts else None
            if kind == "test":
                here = parent[int(last)] if isinstance(parent, list) else parent.get(last)
                if here != op.get("value"):
                    raise ApiStatus(422, "Invalid", "the server rejected our request due to an error in our request")
            elif kind in ("remove", "replace", "move"):
                source = _pointer(op["from"]) if kind == "move" else parts
                holder = _parent(document, source)
                value = holder.pop(int(source[-1])) if isinstance(holder, list) else holder.pop(source[-1])
                if kind == "replace":
                    _put(parent, last, op.get("value"), insert=True)
                elif kind == "move":
                    _put(_parent(document, parts), last, value, insert=True)
            elif kind in ("add", "copy"):
                value = copy.deepcopy(op.get("value")) if kind == "add" else copy.deepcopy(
                    _get(document, _pointer(op["from"])))
                _put(parent, last, value, insert=True)
            else:
                raise ApiStatus(422, "Invalid", f'Unexpected kind: {kind}')
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiStatus(422, "Invalid", f"the server rejected our request due to an error in our request: "
                                            f"jsonpatch {kind} operation does not apply: doc is missing path: "
                                            f"\"{op.get('path')}\": missing value") from None
    return document


def _get(document, parts: list):
    node = document
    for part in parts:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _put(parent, last: str, value, insert: bool) -> None:
    if isinstance(parent, list):
        if last == "-":
            parent.append(value)
        else:
            parent.insert(int(last), value) if insert else parent.__setitem__(int(last), value)
    else:
        parent[last] = value


def _strategic_of_kind(original: dict, patch: dict) -> dict:
    result = strategic(original, patch)
    for parent, field in REPLACED.get(original.get("kind", ""), []):
        given = (patch.get(parent) or {}) if isinstance(patch.get(parent), dict) else {}
        if isinstance(given.get(field), dict) and isinstance(result.get(parent), dict):
            result[parent][field] = {k: copy.deepcopy(v) for k, v in given[field].items() if not k.startswith("$")}
    return result


def apply(content_type: str, original: dict, body) -> dict:
    media = content_type.split(";")[0].strip()
    if media == STRATEGIC:
        return _strategic_of_kind(original, body)
    if media == MERGE:
        return merge(original, body)
    if media == JSON_PATCH:
        return json_patch(original, body)
    raise ApiStatus(415, "UnsupportedMediaType", f'the body of the request was in an unknown format - accepted media '
                                                 f'types include: {JSON_PATCH}, {MERGE}, {STRATEGIC}, '
                                                 f'application/apply-patch+yaml')


def is_patch(content_type: str) -> bool:
    return content_type.split(";")[0].strip() in (MERGE, STRATEGIC, JSON_PATCH)
