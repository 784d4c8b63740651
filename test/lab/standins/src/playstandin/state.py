"""The cluster state of folder mode: what etcd is to a real cluster.

A folder (PLAY_CLUSTER_STATE) holds JSON documents, shared by the "nodes" of one fake root
test (loopback, several stand-in hosts on one machine). Several of them write at once, so
every read-modify-write happens under one fcntl lock and every write is a temp file +
rename, so readers never see half a document. The lab's hosts share no folder: each has its
own HOST_SETTINGS with "apiserver_storage": "etcd", and the cluster lives in its etcd.

Layout (see README.md):
  cluster.json         the cluster record (endpoint, CA, versions, subnets)
  tokens.json          bootstrap tokens            (0600: holds secrets, as etcd does)
  kubeadm-certs.json   the "kubeadm-certs" Secret  (0600: encrypted with the certificate key)
  objects.json         applied API objects (kubectl apply, kubeadm addons)
  nodes/<name>.json    one Node object per node
  settings.json        written by fake-root tests only: shortens TTLs and timeouts

With "apiserver_storage": "etcd" (settings.json or HOST_SETTINGS) only the settings are read
here: the cluster's data are API objects in etcd (clusterdata.py), and the etcd members are
etcd's own.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os

from . import paths

DEFAULT_SETTINGS = {
    "certificate_key_ttl_seconds": 7200,      # kubeadm-certs Secret lifetime (real: 2h)
    "token_ttl_seconds": 86400,               # default bootstrap token TTL (real: 24h)
    "discovery_timeout_seconds": 300,         # kubeadm join discovery (real: 5m)
    "control_plane_timeout_seconds": 240,     # kubeadm waits for kubelet/API (real: 4m)
    "tls_bootstrap_timeout_seconds": 240,     # kubeadm join waits for the kubelet (real: 4m)
    "node_monitor_grace_seconds": 40,         # Ready -> Unknown without heartbeats (real: 40s)
    "heartbeat_seconds": 2,                   # kubelet status updates (real: 10s)
    "upgrade_manifest_timeout_seconds": 300,  # kubeadm upgrade waits for each restarted static pod (real: 5m)
    "key_algorithm": "RSA-2048",              # kubeadm's keys; "ECDSA-P256" is ~50x faster to generate
    "apiserver_storage": "folder",            # where the apiserver keeps objects: "folder" (this one) or "etcd" (--etcd-servers)
    "storage_timeout_seconds": 15,            # etcd storage: how long a request may wait for etcd (real: --request-timeout 60s)
    "etcd_dial_timeout_seconds": 20,          # etcd storage: how long the apiserver's start waits for a connection (real: 20s)
}

SECRET_DOCUMENTS = ("tokens", "kubeadm-certs")
HOST_SETTINGS = "/etc/play-standin/settings.json"


def _read_json(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


class ClusterState:
    def __init__(self, directory: str | None = None):
        self.directory = directory or paths.state_dir()

    # -- locking ---------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self):
        paths.ensure_dir(self.directory)
        fd = os.open(os.path.join(self.directory, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # -- documents -------------------------------------------------------------------
    def _path(self, name: str) -> str:
        return os.path.join(self.directory, f"{name}.json")

    def read(self, name: str, default=None):
        try:
            with open(self._path(name), encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            return default
        except json.JSONDecodeError:
            # Only possible if someone edits by hand: treat as absent rather than crash
            # every program on every host.
            return default

    def write(self, name: str, data) -> None:
        mode = 0o600 if name in SECRET_DOCUMENTS else 0o644
        paths.write_file(self._path(name), json.dumps(data, indent=1, sort_keys=True) + "\n", mode)

    def remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._path(name))

    def settings(self) -> dict:
        """The defaults, then the state folder's settings.json (fake roots), then this host's own
        HOST_SETTINGS (a lab host: the lab writes it into each host, no folder is shared)."""
        merged = dict(DEFAULT_SETTINGS)
        merged.update(self.read("settings", {}) or {})
        merged.update(_read_json(paths.host_path(HOST_SETTINGS)) or {})
        return merged

    # -- cluster record --------------------------------------------------------------
    def cluster(self) -> dict | None:
        cluster = self.read("cluster")
        return cluster if cluster and cluster.get("initialised") else None

    # -- nodes -----------------------------------------------------------------------
    def _node_path(self, name: str) -> str:
        return os.path.join(self.directory, "nodes", f"{name}.json")

    def node(self, name: str) -> dict | None:
        try:
            with open(self._node_path(name), encoding="utf-8") as handle:
                return json.load(handle)
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def nodes(self) -> list:
        folder = os.path.join(self.directory, "nodes")
        if not os.path.isdir(folder):
            return []
        found = []
        for entry in sorted(os.listdir(folder)):
            if entry.endswith(".json"):
                node = self.node(entry[:-5])
                if node:
                    found.append(node)
        return found

    def write_node(self, node: dict) -> None:
        paths.write_file(self._node_path(node["metadata"]["name"]),
                         json.dumps(node, indent=1, sort_keys=True) + "\n", 0o644)

    def delete_node(self, name: str) -> bool:
        try:
            os.remove(self._node_path(name))
            return True
        except FileNotFoundError:
            return False

    # -- etcd members (what `kubeadm reset` on a control plane removes; the Node object stays) --
    def etcd_members(self) -> list:
        return list((self.read("etcd-members", {}) or {}).get("members", []))

    def set_etcd_member(self, name: str, present: bool) -> list:
        members = [m for m in self.etcd_members() if m != name] + ([name] if present else [])
        self.write("etcd-members", {"members": members})
        return members

    def wipe(self) -> None:
        """Forget the whole cluster (the last etcd member left). settings.json stays."""
        for name in ("cluster", "tokens", "kubeadm-certs", "objects", "etcd-members"):
            self.remove(name)
        folder = os.path.join(self.directory, "nodes")
        if os.path.isdir(folder):
            for entry in os.listdir(folder):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(folder, entry))
