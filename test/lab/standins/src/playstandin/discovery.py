"""API discovery as the real kube-apiserver serves it, from the resources the stand-in knows.

Two forms (staging/src/k8s.io/apiserver/pkg/endpoints/discovery/): the legacy documents
(/api: APIVersions, /apis: APIGroupList, /api/v1 and /apis/GROUP/VERSION: APIResourceList,
discovery/{legacy,group,version}.go), and the aggregated one of 1.30+
(discovery/aggregated/handler.go: apidiscovery.k8s.io/v2 APIGroupDiscoveryList), which
kubectl asks for first with `Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`.
Verbs, scopes, singular names and subresources follow pkg/registry/*/rest/storage_*.go.
"""

from __future__ import annotations

from .resources import Registry, Resource

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
STATUS_VERBS = ["get", "patch", "update"]
AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
# the "all" category (kubectl get all) of pkg/registry/*/storage
ALL_CATEGORY = {"Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "Job", "CronJob"}
# subresources the stand-in answers: (subresource, response group, version, kind, verbs)
SUBRESOURCES = {
    ("", "Node"): [("status", "", "v1", "Node", STATUS_VERBS)],
    ("", "Pod"): [("eviction", "policy", "v1", "Eviction", ["create"]), ("status", "", "v1", "Pod", STATUS_VERBS)],
    ("apps", "DaemonSet"): [("status", "apps", "v1", "DaemonSet", STATUS_VERBS)],
    ("apps", "Deployment"): [("status", "apps", "v1", "Deployment", STATUS_VERBS)],
    ("policy", "PodDisruptionBudget"): [("status", "policy", "v1", "PodDisruptionBudget", STATUS_VERBS)],
}


def accepts(accept: str, group: str, version: str, as_kind: str) -> bool:
    """The Accept header names application/json;g=GROUP;v=VERSION;as=KIND (content negotiation of
    apiserver/pkg/endpoints/handlers/negotiation: the client lists what it takes, preferred first)."""
    for part in accept.split(","):
        media, *params = [piece.strip() for piece in part.split(";")]
        values = dict(param.partition("=")[::2] for param in params)
        if media == "application/json" and (values.get("g"), values.get("v"), values.get("as")) == (group, version, as_kind):
            return True
    return False


def wants_aggregated(accept: str) -> bool:
    return accepts(accept, "apidiscovery.k8s.io", "v2", "APIGroupDiscoveryList")


def _singular(resource: Resource) -> str:
    return resource.kind.lower()


def _groups(registry: Registry) -> list:
    """[(group, [versions])] in the order the real server lists them: core first, then by registration."""
    order: list = []
    versions: dict = {}
    for resource in registry.resources:
        if resource.group not in versions:
            order.append(resource.group)
            versions[resource.group] = []
        if resource.version not in versions[resource.group]:
            versions[resource.group].append(resource.version)
    return [(group, versions[group]) for group in order]


# -- legacy -------------------------------------------------------------------------------
def api_versions() -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}]}


def _group_document(group: str, versions: list) -> dict:
    listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": listed, "preferredVersion": listed[0]}


def api_group_list(registry: Registry) -> dict:
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group_document(g, v) for g, v in _groups(registry) if g]}


def api_group(registry: Registry, group: str) -> dict | None:
    for name, versions in _groups(registry):
        if name == group and group:
            return {"kind": "APIGroup", "apiVersion": "v1", **_group_document(group, versions)}
    return None


def api_resource_list(registry: Registry, group: str, version: str) -> dict | None:
    resources = [r for r in registry.resources if (r.group, r.version) == (group, version)]
    if not resources:
        return None
    listed = []
    for resource in sorted(resources, key=lambda r: r.plural):
        entry = {"name": resource.plural, "singularName": _singular(resource), "namespaced": resource.namespaced,
                 "kind": resource.kind, "verbs": VERBS}
        if resource.short_names:
            entry["shortNames"] = list(resource.short_names)
        if resource.kind in ALL_CATEGORY:
            entry["categories"] = ["all"]
        listed.append(entry)
        for sub, sub_group, sub_version, sub_kind, verbs in SUBRESOURCES.get((resource.group, resource.kind), []):
            item = {"name": f"{resource.plural}/{sub}", "singularName": "", "namespaced": resource.namespaced,
                    "kind": sub_kind, "verbs": verbs}
            if (sub_group, sub_version) != (group, version):
                item.update(group=sub_group, version=sub_version)
            listed.append(item)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": listed}


# -- aggregated (apidiscovery.k8s.io/v2) ------------------------------------------------------
def _aggregated_resource(resource: Resource) -> dict:
    entry = {"resource": resource.plural,
             "responseKind": {"group": resource.group, "version": resource.version, "kind": resource.kind},
             "scope": "Namespaced" if resource.namespaced else "Cluster",
             "singularResource": _singular(resource), "verbs": VERBS}
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.kind in ALL_CATEGORY:
        entry["categories"] = ["all"]
    subresources = [{"subresource": sub, "responseKind": {"group": g, "version": v, "kind": k}, "verbs": verbs}
                    for sub, g, v, k, verbs in SUBRESOURCES.get((resource.group, resource.kind), [])]
    if subresources:
        entry["subresources"] = subresources
    return entry


def aggregated(registry: Registry, core: bool) -> dict:
    """/api (core=True: the legacy group "") or /apis (every named group)."""
    items = []
    for group, versions in _groups(registry):
        if bool(group) == core:
            continue
        items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": [
            {"version": version, "freshness": "Current",
             "resources": [_aggregated_resource(r) for r in sorted(registry.resources, key=lambda r: r.plural)
                           if (r.group, r.version) == (group, version)]}
            for version in versions]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}
