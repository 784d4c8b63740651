"""/openapi/v3: the OpenAPI v3 discovery index and one document per group-version
(staging/src/k8s.io/kube-openapi/pkg/handler3/handler.go), reduced to what a client reads.

kubectl apply validates its input (--validate=strict by default): it first asks the server's
OpenAPI v3 whether the PATCH operation of the kind takes the fieldValidation query parameter
(kubectl's resource/query_param_verifier_v3.go); when it does, the server validates and the
client sends fieldValidation=Strict. So every operation here carries its
x-kubernetes-group-version-kind and its query parameters, and no schemas: the PATCH operations
declare no request body, so kubectl builds its strategic merge patches from its own compiled-in
types (apply/patcher.go gvkSupportsPatchOpenAPIV3 is false, the struct fallback), as it does
against any server without schemas.
"""

from __future__ import annotations

import hashlib
import json

from .resources import Registry, Resource

QUERY_PARAMETERS = {
    "dryRun": "When present, indicates that modifications should not be persisted.",
    "fieldManager": "fieldManager is a name associated with the actor or entity that is making these changes.",
    "fieldValidation": "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) "
                       "containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
}


def _gv_key(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _parameters(names) -> list:
    return [{"name": name, "in": "query", "description": QUERY_PARAMETERS[name], "schema": {"type": "string",
                                                                                          "uniqueItems": True}}
            for name in names]


def _operation(resource: Resource, action: str, verb: str) -> dict:
    writes = action in ("post", "put", "patch")
    prefix = "Core" if not resource.group else resource.group.split(".")[0].capitalize()
    scope = "Namespaced" if resource.namespaced else ""
    return {"operationId": f"{verb}{prefix}{resource.version.capitalize()}{scope}{resource.kind}",
            "parameters": _parameters(["dryRun", "fieldManager", "fieldValidation"] if writes else []),
            "responses": {"200": {"description": "OK"}, "401": {"description": "Unauthorized"}},
            "x-kubernetes-action": verb,
            "x-kubernetes-group-version-kind": {"group": resource.group, "version": resource.version,
                                                "kind": resource.kind}}


def document(registry: Registry, group: str, version: str, server_version: str) -> dict | None:
    resources = [r for r in registry.resources if (r.group, r.version) == (group, version)]
    if not resources:
        return None
    paths = {}
    for resource in sorted(resources, key=lambda r: r.plural):
        base = "/" + _gv_key(group, version) + ("/namespaces/{namespace}" if resource.namespaced else "")
        paths[f"{base}/{resource.plural}"] = {"get": _operation(resource, "get", "list"),
                                              "post": _operation(resource, "post", "post")}
        paths[f"{base}/{resource.plural}/{{name}}"] = {"get": _operation(resource, "get", "get"),
                                                      "put": _operation(resource, "put", "put"),
                                                      "patch": _operation(resource, "patch", "patch"),
                                                      "delete": _operation(resource, "delete", "delete")}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": server_version},
            "paths": paths, "components": {"schemas": {}}}


def _hash(doc: dict) -> str:
    return hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:128].upper()


def index(registry: Registry, server_version: str) -> dict:
    paths = {}
    for resource in registry.resources:
        key = _gv_key(resource.group, resource.version)
        if key not in paths:
            doc = document(registry, resource.group, resource.version, server_version)
            paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={_hash(doc)}"}
    return {"paths": dict(sorted(paths.items()))}


def for_path(registry: Registry, rest: str, server_version: str) -> dict | None:
    """/openapi/v3/REST: api/v1 or apis/GROUP/VERSION."""
    pieces = rest.strip("/").split("/")
    if pieces[:1] == ["api"] and len(pieces) == 2:
        return document(registry, "", pieces[1], server_version)
    if pieces[:1] == ["apis"] and len(pieces) == 3:
        return document(registry, pieces[1], pieces[2], server_version)
    return None
