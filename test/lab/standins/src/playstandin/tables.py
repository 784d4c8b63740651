"""Server-side printing: the meta.k8s.io/v1 Table a real apiserver returns when `kubectl get`
asks for one (Accept: application/json;as=Table;v=v1;g=meta.k8s.io). The columns and cells
are those of the stand-in kubectl's printers (kubectl_print.py), which copy the real ones
(pkg/printers/internalversion/printers.go); wide columns have priority 1, as there.
Rows carry the object as PartialObjectMetadata unless ?includeObject= says otherwise
(staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go, transformResponseObject).
"""

from __future__ import annotations

from . import kubectl_print

DESCRIPTIONS = {"NAME": "Name must be unique within a namespace. Is required when creating resources, although "
                        "some resources may allow a client to request the generation of an appropriate name "
                        "automatically. Name is primarily intended for creation idempotence and configuration "
                        "definition. Cannot be updated. More info: "
                        "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
                "AGE": "CreationTimestamp is a timestamp representing the server time when this object was "
                       "created. It is not guaranteed to be set in happens-before order across separate "
                       "operations. Clients may not set this value. It is represented in RFC3339 form and is "
                       "in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
                       "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}
UPPER_WORDS = {"IP", "OS"}


def _column_name(header: str) -> str:
    """NOMINATED NODE -> Nominated Node, INTERNAL-IP -> Internal-IP (kubectl upper-cases them again)."""
    return " ".join("-".join(part if part in UPPER_WORDS else part.capitalize() for part in word.split("-"))
                    for word in header.split(" "))


def _definition(header: str, priority: int) -> dict:
    return {"name": _column_name(header), "type": "string", "format": "name" if header == "NAME" else "",
            "description": DESCRIPTIONS.get(header, ""), "priority": priority}


def _row_object(obj: dict, include: str):
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def _budget_row(pdb: dict, wide: bool) -> list:
    spec, status = pdb.get("spec", {}), pdb.get("status", {})
    return [pdb["metadata"]["name"], str(spec.get("minAvailable", "N/A")), str(spec.get("maxUnavailable", "N/A")),
            str(status.get("disruptionsAllowed", 0)), kubectl_print.age(pdb)]


# kinds the stand-in kubectl prints as NAME, AGE but a real server has columns for (printers.go)
SERVER_PRINTERS = {
    "PodDisruptionBudget": (["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"], [], _budget_row),
}


def table(kind: str, items: list, include_object: str = "Metadata") -> dict:
    headers, wide_headers, row_of = SERVER_PRINTERS.get(kind) or kubectl_print.PRINTERS.get(
        kind, (["NAME", "AGE"], [], kubectl_print.generic_row))
    columns = [_definition(h, 0) for h in headers] + [_definition(h, 1) for h in wide_headers]
    rows = []
    for item in items:
        row = {"cells": row_of(item, bool(wide_headers))}
        if include_object != "None":
            row["object"] = _row_object(item, include_object)
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": ""},
            "columnDefinitions": columns, "rows": rows}
