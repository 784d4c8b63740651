"""kubeconfig files: written like kubeadm writes them, read like client-go reads them."""

from __future__ import annotations

import base64
import os
import time

import yaml

from . import httpclient, paths

# client-go (rest/request.go) retries a GET whose connection was reset or closed before any answer
# ("connection reset by peer", EOF: an apiserver restarting, or haproxy in TCP mode closing the
# client when no backend took the connection) with an artificial "Retry-After: 1", about ten
# times; writes are not retried (not idempotent). kubeadm, kubectl and the kubelet ride out an
# apiserver restart behind the load balancer that way, so the stand-ins do too.
GET_RETRIES = 10
GET_RETRY_AFTER_S = 1.0


def dump_yaml(data) -> str:
    """sigs.k8s.io/yaml style: sorted keys, block style, no line wrapping."""
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=True, width=1 << 30)


def render(server: str, ca_pem: bytes, user: str, cluster_name: str = "kubernetes", *,
           cert_pem: bytes | None = None, key_pem: bytes | None = None,
           cert_file: str | None = None, key_file: str | None = None,
           token: str | None = None, context_name: str | None = None) -> str:
    credentials = {}
    if cert_pem:
        credentials["client-certificate-data"] = base64.b64encode(cert_pem).decode()
        credentials["client-key-data"] = base64.b64encode(key_pem).decode()
    if cert_file:
        credentials["client-certificate"] = cert_file
        credentials["client-key"] = key_file
    if token:
        credentials["token"] = token
    context = context_name or f"{user}@{cluster_name}"
    return dump_yaml({
        "apiVersion": "v1",
        "clusters": [{"cluster": {"certificate-authority-data": base64.b64encode(ca_pem).decode(),
                                  "server": server}, "name": cluster_name}],
        "contexts": [{"context": {"cluster": cluster_name, "user": user}, "name": context}],
        "current-context": context,
        "kind": "Config",
        "preferences": {},
        "users": [{"name": user, "user": credentials}],
    })


class Kubeconfig:
    """The cluster and user of the current context, with their material loaded."""

    def __init__(self, server: str, ca_pem: bytes | None, insecure: bool,
                 cert_pem: bytes | None, key_pem: bytes | None, token: str | None, path: str):
        self.server = server
        self.ca_pem = ca_pem
        self.insecure = insecure
        self.cert_pem = cert_pem
        self.key_pem = key_pem
        self.token = token
        self.path = path

    def request(self, path: str, method: str = "GET", body=None, timeout: float = 30.0):
        retries = GET_RETRIES if method == "GET" else 0
        while True:
            try:
                return httpclient.request(self.server, path, method, ca_pem=self.ca_pem, insecure=self.insecure,
                                          client_cert=self.cert_pem, client_key=self.key_pem,
                                          bearer=self.token, body=body, timeout=timeout)
            except httpclient.TransportError as exc:
                if exc.kind != "eof" or exc.message != "EOF" or retries == 0:
                    raise
                retries -= 1
                time.sleep(GET_RETRY_AFTER_S)


def _named(entries, name):
    for entry in entries or []:
        if entry.get("name") == name:
            return entry
    return None


def _material(section: dict, data_key: str, file_key: str, base_dir: str) -> bytes | None:
    if section.get(data_key):
        return base64.b64decode(section[data_key])
    if section.get(file_key):
        file_path = section[file_key]
        if not os.path.isabs(file_path):
            file_path = os.path.join(base_dir, file_path)
        with open(paths.host_path(file_path) if file_path.startswith("/") else file_path, "rb") as handle:
            return handle.read()
    return None


def parse(text: str, path: str, context_name: str | None = None) -> Kubeconfig:
    """Raise ValueError with client-go's wording when the file cannot be used."""
    config = yaml.safe_load(text) or {}
    if not isinstance(config, dict):
        raise ValueError(f'error loading config file "{path}": couldn\'t get version/kind; json parse error')
    name = context_name or config.get("current-context") or ""
    context = (_named(config.get("contexts"), name) or {}).get("context")
    if not context:
        raise ValueError('invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable')
    cluster = (_named(config.get("clusters"), context.get("cluster")) or {}).get("cluster") or {}
    user = (_named(config.get("users"), context.get("user")) or {}).get("user") or {}
    base_dir = os.path.dirname(path)
    return Kubeconfig(
        server=cluster.get("server", ""),
        ca_pem=_material(cluster, "certificate-authority-data", "certificate-authority", base_dir),
        insecure=bool(cluster.get("insecure-skip-tls-verify")),
        cert_pem=_material(user, "client-certificate-data", "client-certificate", base_dir),
        key_pem=_material(user, "client-key-data", "client-key", base_dir),
        token=user.get("token"),
        path=path,
    )


def load(path: str, context_name: str | None = None) -> Kubeconfig:
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read(), path, context_name)
