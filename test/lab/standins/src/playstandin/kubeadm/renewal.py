"""`kubeadm certs check-expiration` and `kubeadm certs renew`, and the lab's clock knob.

As cmd/kubeadm/app/cmd/certs.go and phases/certs/renewal: the certificates kubeadm manages on a
control plane (leaves in the PKI folder, client certificates embedded in the kubeconfigs; not
kubelet.conf, whose certificate the kubelet rotates), read from the files themselves. Renewal
signs the same certificate again (subject, SANs, usages and key kept) for a new year with its
CA; the CAs are never renewed. Nothing restarts: kubeadm says so and leaves it to the user.
"""
import base64
import os
import sys
import time

import yaml

from .. import kubeconfig, paths, pki
from ..errors import StandinError

PKI_DIR = "/etc/kubernetes/pki"
KUBECONFIG_DIR = "/etc/kubernetes"

# name -> (file: a PKI base name or a kubeconfig, CA name, the long name renew prints)
MANAGED = {
    "admin.conf": ("admin.conf", "ca", "certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself"),
    "apiserver": ("apiserver", "ca", "certificate for serving the Kubernetes API"),
    "apiserver-etcd-client": ("apiserver-etcd-client", "etcd-ca", "certificate the apiserver uses to access etcd"),
    "apiserver-kubelet-client": ("apiserver-kubelet-client", "ca", "certificate for the API server to connect to kubelet"),
    "controller-manager.conf": ("controller-manager.conf", "ca", "certificate embedded in the kubeconfig file for the controller manager to use"),
    "etcd-healthcheck-client": ("etcd/healthcheck-client", "etcd-ca", "certificate for liveness probes to healthcheck etcd"),
    "etcd-peer": ("etcd/peer", "etcd-ca", "certificate for etcd nodes to communicate with each other"),
    "etcd-server": ("etcd/server", "etcd-ca", "certificate for serving etcd"),
    "front-proxy-client": ("front-proxy-client", "front-proxy-ca", "certificate for the front proxy client"),
    "scheduler.conf": ("scheduler.conf", "ca", "certificate embedded in the kubeconfig file for the scheduler manager to use"),
    "super-admin.conf": ("super-admin.conf", "ca", "certificate embedded in the kubeconfig file for the super-admin"),
}
CA_FILES = {"ca": "ca", "etcd-ca": "etcd/ca", "front-proxy-ca": "front-proxy-ca"}
LEAF_DAYS = 365


def _is_kubeconfig(name: str) -> bool:
    return name.endswith(".conf")


def _pki(cert_dir: str, base: str, ext: str) -> str:
    return paths.host_path(os.path.join(cert_dir, f"{base}.{ext}"))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _kubeconfig_path(name: str) -> str:
    return paths.host_path(os.path.join(KUBECONFIG_DIR, name))


def _kubeconfig_material(name: str) -> tuple:
    """(parsed yaml, cert pem, key pem) of a kubeconfig with embedded client credentials, or Nones."""
    raw = _read(_kubeconfig_path(name))
    if raw is None:
        return None, None, None
    config = yaml.safe_load(raw) or {}
    user = ((config.get("users") or [{}])[0] or {}).get("user") or {}
    if "client-certificate-data" not in user:
        return config, None, None
    return config, base64.b64decode(user["client-certificate-data"]), base64.b64decode(user["client-key-data"])


def _certificate(name: str, cert_dir: str) -> bytes | None:
    base = MANAGED[name][0]
    if _is_kubeconfig(name):
        return _kubeconfig_material(base)[1]
    return _read(_pki(cert_dir, base, "crt"))


def short_human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.ShortHumanDuration, which kubeadm prints."""
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m"
    hours = whole // 3600
    if hours < 24:
        return f"{hours}h"
    if hours < 24 * 365:
        return f"{hours // 24}d"
    return f"{hours // 24 // 365}y"


def _expires(epoch: float) -> str:
    return time.strftime("%b %d, %Y %H:%M UTC", time.gmtime(epoch))


def _table(rows: list) -> list:
    """text/tabwriter as certs.go sets it up (minwidth 10, padding 3) for every column but the
    last, which is printed with %-8v (hence "no" and six spaces)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return ["".join(cell.ljust(max(widths[i] + 3, 10)) for i, cell in enumerate(row[:-1])) + (row[-1] if n == 0 else row[-1].ljust(8))
            for n, row in enumerate(rows)]


def _reading_config(prefix: str) -> None:
    if os.path.exists(_kubeconfig_path("admin.conf")):
        print(f'[{prefix}] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...')
        print(f"[{prefix}] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it.")
    else:
        print(f"[{prefix}] Error reading configuration from the Cluster. Falling back to default configuration")
    print()


def check_expiration(cert_dir: str = PKI_DIR) -> int:
    _reading_config("check-expiration")
    now = time.time()
    rows = [("CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED")]
    missing = []
    for name, (_, ca, _) in MANAGED.items():
        pem = _certificate(name, cert_dir)
        if pem is None:
            missing.append(name)
            continue
        end = pki.not_after(pem)
        rows.append((name, _expires(end), short_human_duration(end - now), ca, "no"))
    for line in _table(rows):
        print(line)
    for name in missing:
        print(f"!MISSING! {name}")
    print()
    cas = [("CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED")]
    missing_cas = []
    for name, base in CA_FILES.items():
        pem = _read(_pki(cert_dir, base, "crt"))
        if pem is None:
            missing_cas.append(name)
            continue
        end = pki.not_after(pem)
        cas.append((name, _expires(end), short_human_duration(end - now), "no"))
    for line in _table(cas):
        print(line)
    for name in missing_cas:
        print(f"!MISSING! {name}")
    return 0


def _ca_paths(ca: str, cert_dir: str) -> tuple:
    base = CA_FILES[ca]
    crt, key = _pki(cert_dir, base, "crt"), _pki(cert_dir, base, "key")
    if not os.path.exists(key):
        raise StandinError(f"error execution phase: certificate authority {ca} is not available: open {key}: no such file or directory")
    return crt, key


def resign_one(name: str, cert_dir: str, days: int) -> bool:
    """Sign `name` again for `days` from now with its CA; False when the file is not there."""
    base, ca, _ = MANAGED[name]
    if _certificate(name, cert_dir) is None:
        return False
    ca_crt, ca_key = _ca_paths(ca, cert_dir)
    if _is_kubeconfig(name):
        config, cert, key = _kubeconfig_material(base)
        renewed = pki.resign(cert, key, ca_crt, ca_key, days)
        config["users"][0]["user"]["client-certificate-data"] = base64.b64encode(renewed).decode()
        paths.write_file(_kubeconfig_path(base), kubeconfig.dump_yaml(config), 0o600)
        return True
    cert, key = _read(_pki(cert_dir, base, "crt")), _read(_pki(cert_dir, base, "key"))
    if key is None:
        return False
    paths.write_file(_pki(cert_dir, base, "crt"), pki.resign(cert, key, ca_crt, ca_key, days), 0o644)
    return True


def renew(names: list, cert_dir: str = PKI_DIR) -> int:
    """`kubeadm certs renew all|NAME`: what renew prints, in its order."""
    _reading_config("renew")
    for name in names:
        if resign_one(name, cert_dir, LEAF_DAYS):
            print(f"{MANAGED[name][2]} renewed")
        else:
            print(f"MISSING! {MANAGED[name][2]}")
    if len(names) > 1:
        print()
        print("Done renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler "
              "and etcd, so that they can use the new certificates.")
    return 0


def dispatch(rest: list) -> int:
    """kubeadm certs check-expiration | renew (all | NAME) [--cert-dir DIR] [--config F] [--kubeconfig F]."""
    command, args = (rest[0] if rest else ""), rest[1:]
    cert_dir, positionals, items = PKI_DIR, [], list(args)
    while items:
        arg = items.pop(0)
        name, has_value, value = arg.partition("=")
        if name in ("--cert-dir", "--config", "--kubeconfig"):
            value = value if has_value else (items.pop(0) if items else "")
            if name == "--cert-dir":
                cert_dir = value
        elif arg.startswith("-"):
            raise StandinError(f"unknown flag: {name}")
        else:
            positionals.append(arg)
    if command == "check-expiration":
        return check_expiration(cert_dir)
    if command == "renew":
        target = positionals[0] if positionals else ""
        if target == "all":
            return renew(list(MANAGED), cert_dir)
        if target in MANAGED:
            return renew([target], cert_dir)
        raise StandinError(f'unknown command "{target}" for "kubeadm certs renew"' if target else
                           'Error: missing subcommand; "renew" is not meant to be run on its own')
    raise StandinError(f'unknown command "{command}" for "kubeadm certs"')


def age_main(argv: list) -> int:
    """play-standin-age-certs DAYS: the lab's clock knob (not a kubeadm command)."""
    if len(argv) != 1 or not argv[0].isdigit() or not 1 <= int(argv[0]) <= 3650:
        print("usage: play-standin-age-certs DAYS   (1 to 3650)", file=sys.stderr)
        return 2
    days = int(argv[0])
    aged = [name for name in MANAGED if resign_one(name, PKI_DIR, days)]
    if not aged:
        print("no kubeadm certificate on this host", file=sys.stderr)
        return 1
    for name in aged:
        print(f"{name}: expires in {days} days")
    return 0
