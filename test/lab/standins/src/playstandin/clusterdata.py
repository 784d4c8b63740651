"""The cluster's bootstrap data: kubeadm's cluster record, the bootstrap tokens, the kubeadm-certs Secret.

Folder mode (the default): documents in the shared folder (state.py), cluster.json, tokens.json and
kubeadm-certs.json, exactly as before. Object mode: a store is attached to the state (the apiserver's
etcdstore.EtcdStore, or kubeadm's remotestore.RemoteStore when settings.json says "apiserver_storage":
"etcd"), and the data are the API objects the real kubeadm keeps:
  ConfigMap kube-system/kubeadm-config   the ClusterConfiguration: most of the record comes from it
  ConfigMap kube-public/cluster-info     the CA and the endpoint (its kubeconfig); the JWS signatures of
                                         the tokens are added when it is read (the bootstrapsigner's work)
  Secret kube-system/bootstrap-token-ID  type bootstrap.kubernetes.io/token, the real data keys
  Secret kube-system/kubeadm-certs       owned by a bootstrap token Secret, each file encrypted (certkey.py)
"""

from __future__ import annotations

import base64

import yaml

from . import apistore, pki, timefmt
from .resources import Registry
from .state import ClusterState

TOKEN_TYPE = "bootstrap.kubernetes.io/token"
TOKEN_PREFIX = "bootstrap-token-"
KUBE_SYSTEM, KUBE_PUBLIC = "kube-system", "kube-public"
BUILTIN = Registry()   # the kinds here are all built in: no CRD list needed (a bootstrap token may not list them)
CONFIGMAP, SECRET = BUILTIN.by_kind("v1", "ConfigMap"), BUILTIN.by_kind("v1", "Secret")


def in_objects(state: ClusterState) -> bool:
    """True when the state's API objects go through a store other than the folder."""
    return getattr(state, "objects_store", None) is not None


def objects_wanted(state: ClusterState) -> bool:
    """kubeadm's side of the switch: the lab's settings.json, read by every stand-in."""
    return state.settings().get("apiserver_storage") == "etcd"


def for_client(state: ClusterState, client) -> ClusterState:
    """state with its objects behind the apiserver (client: a kubeconfig.Kubeconfig) in object mode;
    unchanged (the folder) otherwise."""
    if objects_wanted(state):
        from . import remotestore   # only kubeadm needs it
        remotestore.attach(state, client)
    return state


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _unb64(text: str) -> str:
    return base64.b64decode(text or "").decode()


# -- the cluster record ------------------------------------------------------------------------
def record(state: ClusterState) -> dict | None:
    """What kubeadm knows of the cluster (init's record: endpoint, CA, versions, subnets), None if none."""
    return _record_from_objects(state) if in_objects(state) else state.cluster()


def pod_subnet(state: ClusterState) -> str:
    """networking.podSubnet (kube-controller-manager's --cluster-cidr), "" when there is none."""
    if not in_objects(state):
        return (state.cluster() or {}).get("podSubnet") or ""
    return ((_cluster_configuration(state) or {}).get("networking") or {}).get("podSubnet") or ""


def _kubeadm_config(state: ClusterState) -> dict | None:
    return apistore.find_object(state, CONFIGMAP, KUBE_SYSTEM, "kubeadm-config")


def _cluster_configuration(state: ClusterState, config_map: dict | None = None) -> dict | None:
    config_map = config_map or _kubeadm_config(state)
    if not config_map:
        return None
    return yaml.safe_load(config_map.get("data", {}).get("ClusterConfiguration", "")) or {}


def _record_from_objects(state: ClusterState) -> dict | None:
    config_map = _kubeadm_config(state)
    if not config_map:
        return None
    config = _cluster_configuration(state, config_map)
    info = apistore.find_object(state, CONFIGMAP, KUBE_PUBLIC, "cluster-info") or {}
    kubeconfig_text = info.get("data", {}).get("kubeconfig", "")
    cluster = ((yaml.safe_load(kubeconfig_text) or {}).get("clusters") or [{}])[0].get("cluster", {})
    ca_pem = base64.b64decode(cluster.get("certificate-authority-data", ""))
    networking = config.get("networking") or {}

    def extra_args(section: str) -> dict:
        return dict((config.get(section) or {}).get("extraArgs") or {})
    return {
        "initialised": True, "clusterName": config.get("clusterName", "kubernetes"),
        "controlPlaneEndpoint": config.get("controlPlaneEndpoint", ""),
        "apiServerEndpoint": cluster.get("server", "").split("://", 1)[-1],
        "kubernetesVersion": config.get("kubernetesVersion", ""), "podSubnet": networking.get("podSubnet", ""),
        "serviceSubnet": networking.get("serviceSubnet", ""), "dnsDomain": networking.get("dnsDomain", ""),
        "imageRepository": config.get("imageRepository", ""), "certificatesDir": config.get("certificatesDir", ""),
        # v1beta3 has no encryptionAlgorithm: the lab's key_algorithm, which init used as well
        "encryptionAlgorithm": config.get("encryptionAlgorithm") or state.settings()["key_algorithm"],
        "apiServerExtraArgs": extra_args("apiServer"), "controllerManagerExtraArgs": extra_args("controllerManager"),
        "schedulerExtraArgs": extra_args("scheduler"),
        "caCert": ca_pem.decode(), "caCertHash": pki.spki_sha256(ca_pem) if ca_pem else "",
        "createdAt": info.get("metadata", {}).get("creationTimestamp") or config_map["metadata"].get("creationTimestamp"),
        "initNode": "", "clusterInfoKubeconfig": kubeconfig_text,
    }


def publish_cluster_info(state: ClusterState, kubeconfig_text: str) -> None:
    """bootstrap-token phase: the cluster-info ConfigMap, readable anonymously (kubeadm's RBAC)."""
    apistore.apply_object(state, CONFIGMAP, {"apiVersion": "v1", "kind": "ConfigMap",
                                             "metadata": {"name": "cluster-info", "namespace": KUBE_PUBLIC},
                                             "data": {"kubeconfig": kubeconfig_text}})


def cluster_info_object(state: ClusterState) -> dict | None:
    return apistore.find_object(state, CONFIGMAP, KUBE_PUBLIC, "cluster-info")


# -- bootstrap tokens -----------------------------------------------------------------------------
def token_secret(token: dict) -> dict:
    """A token record (id, secret, expires, usages, groups, description) as kubeadm's Secret."""
    data = {"token-id": token["id"], "token-secret": token["secret"]}
    if token.get("expires"):
        data["expiration"] = timefmt.rfc3339(token["expires"])
    for usage in token.get("usages") or []:
        data[f"usage-bootstrap-{usage}"] = "true"
    if token.get("groups"):
        data["auth-extra-groups"] = ",".join(token["groups"])
    if token.get("description"):
        data["description"] = token["description"]
    return {"apiVersion": "v1", "kind": "Secret", "type": TOKEN_TYPE,
            "metadata": {"name": f"{TOKEN_PREFIX}{token['id']}", "namespace": KUBE_SYSTEM},
            "data": {key: _b64(value) for key, value in data.items()}}


def token_record(secret: dict) -> dict:
    data = {key: _unb64(value) for key, value in (secret.get("data") or {}).items()}
    usages = sorted(key[len("usage-bootstrap-"):] for key, value in data.items()
                    if key.startswith("usage-bootstrap-") and value == "true")
    return {"id": data.get("token-id", ""), "secret": data.get("token-secret", ""),
            "expires": timefmt.parse_rfc3339(data["expiration"]) if data.get("expiration") else None,
            "usages": usages, "groups": [g for g in data.get("auth-extra-groups", "").split(",") if g],
            "description": data.get("description", ""), "uid": secret.get("metadata", {}).get("uid", "")}


def tokens(state: ClusterState) -> list:
    """Every token record, expired ones included (the caller decides)."""
    if not in_objects(state):
        return list((state.read("tokens", {}) or {}).get("tokens", []))
    secrets = apistore.list_objects(state, SECRET, KUBE_SYSTEM)
    return [token_record(secret) for secret in secrets if secret.get("type") == TOKEN_TYPE]


def put_token(state: ClusterState, token: dict) -> dict:
    """Object mode: create or replace the token's Secret; returns the record with the Secret's uid."""
    stored = apistore.apply_object(state, SECRET, token_secret(token))[1]
    return {**token, "uid": stored.get("metadata", {}).get("uid", "")}


def delete_token(state: ClusterState, token_id: str) -> bool:
    """Object mode: delete the token's Secret; False when there was none."""
    return apistore.store(state).delete(SECRET, KUBE_SYSTEM, f"{TOKEN_PREFIX}{token_id}") is not None


def expired(token: dict, now: float) -> bool:
    return bool(token.get("expires")) and token["expires"] <= now


def collected(state: ClusterState, obj: dict, now: float | None = None) -> bool:
    """The apiserver's view of the token cleaner and the garbage collector (object mode): an expired
    bootstrap token Secret is gone, and so is an object owned by a token Secret that is gone
    (kubeadm-certs, owned by its proxy token, expires with it)."""
    now = timefmt.now() if now is None else now
    if obj.get("kind") == "Secret" and obj.get("type") == TOKEN_TYPE:
        return expired(token_record(obj), now)
    for owner in obj.get("metadata", {}).get("ownerReferences") or []:
        if owner.get("kind") == "Secret" and owner.get("name", "").startswith(TOKEN_PREFIX):
            token = apistore.find_object(state, SECRET, obj["metadata"].get("namespace"), owner["name"])
            if not token or expired(token_record(token), now):
                return True
    return False
