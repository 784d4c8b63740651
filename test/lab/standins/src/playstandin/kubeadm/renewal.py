"""The certificates kubeadm manages and renews (phases/certs/renewal/{manager,readwriter}.go).

One handler per certificate `kubeadm certs check-expiration` lists and `kubeadm certs renew`
renews: the PKI leaves under the certificates dir and the client certificates embedded in the
kubeconfig files (kubelet.conf is not one: the kubelet rotates its own). Expiry is always read
from the files themselves.
"""
import base64
import os

import yaml

from .. import kubeconfig, paths, pki
from ..errors import StandinError

KUBERNETES_DIR = "/etc/kubernetes"
DEFAULT_CERT_DIR = "/etc/kubernetes/pki"

# name, long name (kubeadm's UX text), kubeconfig file or PKI base name, CA name, CA base name
_HANDLERS = [
    ("admin.conf", "certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself",
     "conf", "ca", "ca"),
    ("apiserver", "certificate for serving the Kubernetes API", "apiserver", "ca", "ca"),
    ("apiserver-etcd-client", "certificate the apiserver uses to access etcd", "apiserver-etcd-client",
     "etcd-ca", "etcd/ca"),
    ("apiserver-kubelet-client", "certificate for the API server to connect to kubelet", "apiserver-kubelet-client",
     "ca", "ca"),
    ("controller-manager.conf", "certificate embedded in the kubeconfig file for the controller manager to use",
     "conf", "ca", "ca"),
    ("etcd-healthcheck-client", "certificate for liveness probes to healthcheck etcd", "etcd/healthcheck-client",
     "etcd-ca", "etcd/ca"),
    ("etcd-peer", "certificate for etcd nodes to communicate with each other", "etcd/peer", "etcd-ca", "etcd/ca"),
    ("etcd-server", "certificate for serving etcd", "etcd/server", "etcd-ca", "etcd/ca"),
    ("front-proxy-client", "certificate for the front proxy client", "front-proxy-client",
     "front-proxy-ca", "front-proxy-ca"),
    ("scheduler.conf", "certificate embedded in the kubeconfig file for the scheduler manager to use",
     "conf", "ca", "ca"),
    ("super-admin.conf", "certificate embedded in the kubeconfig file for the super-admin", "conf", "ca", "ca"),
]
CAS = [("ca", "ca"), ("etcd-ca", "etcd/ca"), ("front-proxy-ca", "front-proxy-ca")]   # name, base name

# UsingExternal{,FrontProxy,Etcd}CA: the CA's UX name and the certificates it must have signed
_EXTERNAL_CHECKS = {
    "ca": ("CA", [("apiserver", "API server"), ("apiserver-kubelet-client", "API server kubelet client")]),
    "front-proxy-ca": ("front-proxy CA", [("front-proxy-client", "front-proxy client")]),
    "etcd/ca": ("etcd CA", [("apiserver-etcd-client", "apiserver etcd client"), ("etcd/server", "etcd server"),
                            ("etcd/peer", "etcd peer"), ("etcd/healthcheck-client", "etcd health-check client")]),
}


def _no_such_file(path: str) -> str:
    return f"open {path}: no such file or directory"


class Handler:
    """A certificate on disk: a PKI cert/key pair or the client credentials of a kubeconfig."""

    def __init__(self, cert_dir: str, name: str, long_name: str, base: str, ca_name: str, ca_base: str):
        self.cert_dir, self.name, self.long_name = cert_dir, name, long_name
        self.ca_name, self.ca_base = ca_name, ca_base
        self.is_kubeconfig = base == "conf"
        self.path = f"{KUBERNETES_DIR}/{name}" if self.is_kubeconfig else f"{cert_dir}/{base}.crt"
        self.key_path = "" if self.is_kubeconfig else f"{cert_dir}/{base}.key"

    def exists(self) -> bool:
        return os.path.isfile(paths.host_path(self.path))

    def read(self) -> tuple:
        """(certificate PEM, key PEM)."""
        if not self.is_kubeconfig:
            return _read(self.path, "failed to load existing certificate " + self.name), _read(self.key_path, "")
        user = _current_user(self._document(), self.path)
        if not user.get("client-certificate-data"):
            raise StandinError(f"kubeConfig file {self.path} does not have an embedded client certificate")
        return base64.b64decode(user["client-certificate-data"]), base64.b64decode(user.get("client-key-data", ""))

    def write(self, cert_pem: bytes, key_pem: bytes) -> None:
        """Atomic, with the modes kubeadm uses (keys and kubeconfigs 0600, certificates 0644)."""
        if not self.is_kubeconfig:
            paths.write_file(paths.host_path(self.key_path), key_pem, 0o600)
            paths.write_file(paths.host_path(self.path), cert_pem, 0o644)
            return
        document = self._document()
        user = _current_user(document, self.path)
        user["client-certificate-data"] = base64.b64encode(cert_pem).decode()
        user["client-key-data"] = base64.b64encode(key_pem).decode()
        # kubeadm also refreshes the embedded CA from the CA on disk
        cluster = _current_cluster(document)
        cluster["certificate-authority-data"] = base64.b64encode(_read(f"{self.cert_dir}/ca.crt", "")).decode()
        paths.write_file(paths.host_path(self.path), kubeconfig.dump_yaml(document), 0o600)

    def _document(self) -> dict:
        try:
            return yaml.safe_load(_read(self.path, "")) or {}
        except yaml.YAMLError as exc:
            raise StandinError(f"failed to load kubeConfig file {self.path}: {exc}".replace("\n", " ")) from None


def _read(path: str, context: str) -> bytes:
    try:
        with open(paths.host_path(path), "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        message = _no_such_file(path)
        raise StandinError(f"{context}: {message}" if context else message) from None


def _current(document: dict, section: str, name: str) -> dict:
    for entry in document.get(section) or []:
        if entry.get("name") == name:
            return entry.get(section[:-1]) or {}
    return {}


def _current_context(document: dict, path: str) -> dict:
    context = _current(document, "contexts", document.get("current-context", ""))
    if not context:
        raise StandinError(f"invalid kubeConfig file {path}: missing context {document.get('current-context', '')}")
    return context


def _current_user(document: dict, path: str) -> dict:
    user = _current(document, "users", _current_context(document, path).get("user", ""))
    if not user:
        raise StandinError(f"invalid kubeConfig file {path}: missing authInfo")
    return user


def _current_cluster(document: dict) -> dict:
    return _current(document, "clusters", _current_context(document, "").get("cluster", ""))


def handlers(cert_dir: str) -> list:
    """Sorted by name, as Manager.Certificates() returns them."""
    return [Handler(cert_dir, *spec) for spec in _HANDLERS]


def by_name(cert_dir: str, name: str) -> Handler:
    for handler in handlers(cert_dir):
        if handler.name == name:
            return handler
    raise StandinError(f"{name} is not a valid certificate for this cluster")


def ca_exists(cert_dir: str, ca_base: str) -> bool:
    return os.path.isfile(paths.host_path(f"{cert_dir}/{ca_base}.crt"))


def ca_cert_pem(cert_dir: str, ca_base: str) -> bytes:
    return _read(f"{cert_dir}/{ca_base}.crt", "")


def externally_managed(cert_dir: str, ca_base: str) -> bool:
    """IsExternallyManaged: the CA certificate without its key, and the certificates it signed in place.
    A CA key missing together with those certificates (a worker's pki) is an error, as in kubeadm."""
    ux_name, signed = _EXTERNAL_CHECKS[ca_base]
    try:
        ca_path = f"{cert_dir}/{ca_base}.crt"
        if not os.path.isfile(paths.host_path(ca_path)):
            raise StandinError(f"failure loading certificate for {ux_name}: couldn't load the certificate file "
                               f"{ca_path}: {_no_such_file(ca_path)}")
        if os.path.exists(paths.host_path(f"{cert_dir}/{ca_base}.key")):
            return False
        for base, signed_ux in signed:
            key_path, cert_path = f"{cert_dir}/{base}.key", f"{cert_dir}/{base}.crt"
            if not os.path.isfile(paths.host_path(key_path)):
                raise StandinError(f"failure loading key for {base}: couldn't load the private key file "
                                   f"{key_path}: {_no_such_file(key_path)}")
            if not os.path.isfile(paths.host_path(cert_path)):
                raise StandinError(f"failure loading certificate for {signed_ux}: couldn't load the certificate "
                                   f"file {cert_path}: {_no_such_file(cert_path)}")
        return True
    except StandinError as exc:
        raise StandinError(f"Error checking external CA condition for {ca_base} certificate authority: "
                           f"{exc.message}") from None


def resign(handler: Handler, days: int, new_key: bool) -> None:
    """Sign the handler's certificate again with its CA: same subject, SANs and usages, valid `days`
    from now. kubeadm's renewal takes a new key (pkiutil.NewCertAndKey); the lab's clock knob keeps it."""
    cert_pem, key_pem = handler.read()
    if new_key:
        key_pem = pki.new_key_pem(pki.key_algorithm(key_pem))
    ca_crt, ca_key = (paths.host_path(f"{handler.cert_dir}/{handler.ca_base}.{ext}") for ext in ("crt", "key"))
    if not os.path.isfile(ca_key):
        raise StandinError(f"failure loading {handler.ca_base} certificate authority: couldn't load the private key "
                           f"file {handler.cert_dir}/{handler.ca_base}.key: "
                           f"{_no_such_file(handler.cert_dir + '/' + handler.ca_base + '.key')}")
    handler.write(pki.resign(ca_crt, ca_key, cert_pem, key_pem, days), key_pem)
