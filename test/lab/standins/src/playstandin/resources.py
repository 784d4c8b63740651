"""Kinds, their REST names and scopes: the discovery data kubectl and the API share.

Built-in kinds are listed here; CustomResourceDefinitions applied to the cluster add
theirs (the trimmed calico manifest has none, so applying a calico IPPool fails with
"no matches for kind" exactly like a cluster without the CRDs).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Resource:
    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool
    short_names: tuple = field(default=())

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """What kubectl prints before /name: daemonset.apps, configmap, clusterrole.rbac..."""
        return f"{self.kind.lower()}.{self.group}" if self.group else self.kind.lower()

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        return f"{base}/{name}" if name else base


_B = Resource
BUILTIN = [
    _B("Namespace", "", "v1", "namespaces", False, ("ns",)),
    _B("Node", "", "v1", "nodes", False, ("no",)),
    _B("Pod", "", "v1", "pods", True, ("po",)),
    _B("ConfigMap", "", "v1", "configmaps", True, ("cm",)),
    _B("Secret", "", "v1", "secrets", True),
    _B("Service", "", "v1", "services", True, ("svc",)),
    _B("ServiceAccount", "", "v1", "serviceaccounts", True, ("sa",)),
    _B("Endpoints", "", "v1", "endpoints", True, ("ep",)),
    _B("PersistentVolume", "", "v1", "persistentvolumes", False, ("pv",)),
    _B("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", True, ("pvc",)),
    _B("DaemonSet", "apps", "v1", "daemonsets", True, ("ds",)),
    _B("Deployment", "apps", "v1", "deployments", True, ("deploy",)),
    _B("StatefulSet", "apps", "v1", "statefulsets", True, ("sts",)),
    _B("ReplicaSet", "apps", "v1", "replicasets", True, ("rs",)),
    _B("Job", "batch", "v1", "jobs", True),
    _B("CronJob", "batch", "v1", "cronjobs", True, ("cj",)),
    _B("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", False),
    _B("ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", False),
    _B("Role", "rbac.authorization.k8s.io", "v1", "roles", True),
    _B("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings", True),
    _B("CustomResourceDefinition", "apiextensions.k8s.io", "v1", "customresourcedefinitions", False, ("crd", "crds")),
    _B("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", True, ("pdb",)),
    _B("PriorityClass", "scheduling.k8s.io", "v1", "priorityclasses", False, ("pc",)),
    _B("StorageClass", "storage.k8s.io", "v1", "storageclasses", False, ("sc",)),
    _B("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True, ("netpol",)),
    _B("Ingress", "networking.k8s.io", "v1", "ingresses", True, ("ing",)),
    _B("CertificateSigningRequest", "certificates.k8s.io", "v1", "certificatesigningrequests", False, ("csr",)),
    _B("Lease", "coordination.k8s.io", "v1", "leases", True),
]
BUILTIN_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


def from_crd(crd: dict) -> list:
    spec = crd.get("spec", {})
    names = spec.get("names", {})
    return [Resource(names.get("kind", ""), spec.get("group", ""), version.get("name", ""),
                     names.get("plural", ""), spec.get("scope", "Namespaced") == "Namespaced",
                     tuple(names.get("shortNames", []) or ()))
            for version in spec.get("versions", []) or []]


class Registry:
    def __init__(self, crds=()):
        self.resources = list(BUILTIN)
        for crd in crds:
            self.resources.extend(from_crd(crd))

    def by_kind(self, api_version: str, kind: str) -> Resource | None:
        for resource in self.resources:
            if resource.kind == kind and resource.api_version == api_version:
                return resource
        return None

    def by_path(self, group: str, version: str, plural: str) -> Resource | None:
        for resource in self.resources:
            if (resource.group, resource.version, resource.plural) == (group, version, plural):
                return resource
        return None

    def by_name(self, name: str) -> Resource | None:
        """kubectl's resource argument: plural, singular, kind, short name, or plural.group."""
        name = name.lower()
        plural, _, group = name.partition(".")
        for resource in self.resources:
            if group and resource.group != group:
                continue
            names = {resource.plural, resource.kind.lower(), *resource.short_names}
            if plural in names:
                return resource
        return None
