"""kubeadm reset: undo init/join on this host, and leave the shared cluster state.

Like the real one (cmd/kubeadm/app/cmd/reset.go and phases/reset/removeetcdmember.go), a
control plane's reset removes its etcd member and nothing else from the cluster: the Node
object stays (it turns NotReady once its kubelet stops posting status), and a re-join under
the same name while it still shows Ready fails in kubelet-start. When the last etcd member
leaves, the whole cluster record (tokens, kubeadm-certs, objects, nodes) is forgotten, since
the data was in that etcd. A node whose CA does not match the cluster in the state (a leftover
of an older cluster) never touches the state.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys

from .. import apistore, clusterdata, kubeconfig, paths, staticpods
from ..errors import StandinError
from ..state import ClusterState
from . import etcd, kubeletstart, preflight

ETCD_MANIFEST = "/etc/kubernetes/manifests/etcd.yaml"

CONF_FILES = ["admin.conf", "super-admin.conf", "kubelet.conf", "bootstrap-kubelet.conf",
              "controller-manager.conf", "scheduler.conf"]
CLEANUP_DIRS = ["/etc/kubernetes/manifests", "/var/lib/kubelet", "/etc/kubernetes/pki"]
NOTES = """
The reset process does not clean CNI configuration. To do so, you must remove /etc/cni/net.d

The reset process does not reset or clean up iptables rules or IPVS tables.
If you wish to reset iptables, you must do so manually by using the "iptables" command.

If your cluster was setup to utilize IPVS, run ipvsadm --clear (or similar)
to reset your system's IPVS tables.

The reset process does not clean your kubeconfig files and you must remove them manually.
Please, check the contents of the $HOME/.kube/config file."""


def _node_name() -> str:
    """The name this host registered under: --hostname-override in kubeadm-flags.env, else the hostname."""
    try:
        text = paths.read_text(paths.host_path(kubeletstart.FLAGS_FILE))
        for word in text.replace('"', " ").split():
            if word.startswith("--hostname-override="):
                return word.split("=", 1)[1]
    except OSError:
        pass
    return socket.gethostname().lower()


def _local_ca() -> str | None:
    with contextlib.suppress(OSError):
        return paths.read_text(paths.host_path("/etc/kubernetes/pki/ca.crt"))
    return None


def _clean_dir(path: str) -> None:
    folder = paths.host_path(path)
    if not os.path.isdir(folder):
        return
    for entry in os.listdir(folder):
        target = os.path.join(folder, entry)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.remove(target)


def _cluster(state: ClusterState) -> dict | None:
    """The cluster record; in etcd mode read through the API, which may be down by now (None then,
    as kubeadm goes on without its kubeadm-config)."""
    try:
        return clusterdata.record(state)
    except (StandinError, apistore.ApiStatus):
        return None


def _state_for_reset() -> ClusterState:
    """The folder, or in etcd mode the API through admin.conf when this host has one."""
    state = ClusterState()
    with contextlib.suppress(OSError, ValueError):
        clusterdata.for_client(state, kubeconfig.load(paths.host_path("/etc/kubernetes/admin.conf")))
    return state


def _remove_etcd_member(state: ClusterState, node_name: str, local_ca: str | None) -> bool:
    """phases/reset/removeetcdmember.go; True when this was the last member, so the cluster goes with it."""
    cluster = _cluster(state)
    if not cluster or not local_ca or cluster["caCert"] != local_ca:
        return False
    try:
        return not etcd.remove_member(state, cluster["certificatesDir"], node_name, ETCD_MANIFEST)
    except (StandinError, apistore.ApiStatus) as exc:   # etcd mode: the etcd pods are read through the API
        print(f"[reset] Failed to remove etcd member: {exc.message}, Please manually remove this etcd member using etcdctl")
        return False


def _forget_cluster(state: ClusterState, local_ca: str | None) -> None:
    """The folder's documents; etcd mode has none to forget: the data went with the last member's data dir."""
    if clusterdata.in_objects(state):
        return
    with state.locked():
        cluster = state.cluster()
        if cluster and local_ca and cluster["caCert"] == local_ca:
            state.wipe()


def _confirm() -> None:
    print("[reset] WARNING: Changes made to this host by 'kubeadm init' or 'kubeadm join' will be reverted.")
    print("[reset] Are you sure you want to proceed? [y/N]: ", end="", flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise StandinError("aborted reset operation")


def run(flags: dict) -> int:
    if not flags.get("force"):
        _confirm()
    state = _state_for_reset()
    node_name = _node_name()
    local_ca = _local_ca()
    was_control_plane = os.path.exists(paths.host_path("/etc/kubernetes/manifests/kube-apiserver.yaml"))
    if os.path.exists(paths.host_path("/etc/kubernetes/admin.conf")) and _cluster(state):
        print("[reset] Reading configuration from the cluster...")
        print("[reset] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'")
    else:
        print(f"W0000 00:00:00.000000 {os.getpid():>7} reset.go:124] [reset] Unable to fetch the kubeadm-config "
              "ConfigMap from cluster: failed to get config map: configmaps \"kubeadm-config\" not found")
    print("[preflight] Running pre-flight checks")
    preflight.run(preflight.is_privileged_user(), [], flags.get("ignore-preflight-errors", []))
    if flags.get("dry-run"):
        print("[dryrun] Would stop the kubelet and remove the files listed below; nothing was changed")
        return 0
    last_member = False
    if was_control_plane:
        print(f"[reset] Removing info for node \"{node_name}\" from the ConfigMap \"kubeadm-config\" in the \"kube-system\" Namespace")
        last_member = _remove_etcd_member(state, node_name, local_ca)
        _clean_dir("/var/lib/etcd")
        print("[reset] Deleted contents of the etcd data directory: /var/lib/etcd")
    print("[reset] Stopping the kubelet service")
    if paths.systemd_running():
        subprocess.run(["systemctl", "stop", "kubelet"], capture_output=True)
    print('[reset] Unmounting mounted directories in "/var/lib/kubelet"')
    # the manifests go first, so a kubelet still running (no systemd) does not restart the pods
    _clean_dir("/etc/kubernetes/manifests")
    staticpods.stop_all()
    if was_control_plane:
        _clean_dir("/var/lib/etcd")   # again: etcd's unit may have restarted on the emptied dir before it stopped
    for path in CLEANUP_DIRS:
        _clean_dir(path)
    print(f"[reset] Deleting contents of directories: [{' '.join(CLEANUP_DIRS)}]")
    removed = []
    for name in CONF_FILES:
        path = f"/etc/kubernetes/{name}"
        with contextlib.suppress(FileNotFoundError):
            os.remove(paths.host_path(path))
        removed.append(path)
    print(f"[reset] Deleting files: [{' '.join(removed)}]")
    if last_member:
        _forget_cluster(state, local_ca)
    print(NOTES)
    return 0
