"""The static Pod part of kubeadm upgrade apply/node (cmd/kubeadm/app/phases/upgrade/staticpods.go).

Each control-plane manifest is rewritten for the target version (the image tag), the old one
is backed up under /etc/kubernetes/tmp/kubeadm-backup-manifests-<date>/ (kept, like kubeadm
keeps it), and kubeadm waits until the kubelet runs the new pod, as the mirror Pod's hash
change tells the real one. A kubelet that never restarts it makes the upgrade fail after the
timeout and every manifest touched so far is put back.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time

import yaml

from .. import apistore, kubeconfig, paths, timefmt
from ..errors import StandinError
from ..state import ClusterState
from . import manifests

TMP_DIR = "/etc/kubernetes/tmp"
COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")


def manifest_path(component: str) -> str:
    return f"{manifests.MANIFESTS_DIR}/{component}.yaml"


def read_manifest(component: str) -> dict | None:
    try:
        return yaml.safe_load(paths.read_text(paths.host_path(manifest_path(component))))
    except (OSError, yaml.YAMLError):
        return None


def image_of(pod: dict) -> str:
    return pod["spec"]["containers"][0].get("image", "")


def retagged(pod: dict, version: str) -> dict:
    """The manifest kubeadm would write for `version`: the same pod with the image of that release."""
    new = yaml.safe_load(yaml.safe_dump(pod))
    container = new["spec"]["containers"][0]
    container["image"] = f"{container['image'].rsplit(':', 1)[0]}:{version}"
    return new


def temp_dir(prefix: str) -> str:
    """constants.CreateTempDirForKubeadm: /etc/kubernetes/tmp/<prefix><random digits>."""
    path = f"{TMP_DIR}/{prefix}{secrets.randbelow(9_000_000_000) + 1_000_000_000}"
    paths.ensure_dir(paths.host_path(path), 0o700)
    return path


def backup_dir() -> str:
    path = f"{TMP_DIR}/kubeadm-backup-manifests-{time.strftime('%Y-%m-%d-%H-%M-%S', time.gmtime())}"
    paths.ensure_dir(paths.host_path(path), 0o700)
    return path


def reported_image(state: ClusterState, node_name: str, component: str) -> tuple:
    """(image, ready) of a static pod as this node's kubelet last reported it."""
    node = apistore.stored_node(state, node_name) or {}
    reported = json.loads(node.get("metadata", {}).get("annotations", {}).get(apistore.STATIC_PODS_ANNOTATION, "[]"))
    for entry in reported:
        if entry.get("name") == component:
            return entry.get("image", ""), bool(entry.get("ready"))
    return "", False


def pods_with_component(state: ClusterState, component: str) -> int:
    return sum(1 for pod in apistore.pods(state) if pod["metadata"].get("labels", {}).get("component") == component)


class Upgrade:
    """One node's static Pod upgrade: write, wait, roll back on failure."""

    def __init__(self, state: ClusterState, node_name: str, version: str, phased: bool):
        self.state, self.node_name, self.version, self.phased = state, node_name, version, phased
        self.timeout = float(state.settings()["upgrade_manifest_timeout_seconds"])
        self.backups = {}
        self.backup_folder = ""

    def run(self, etcd_upgrade: bool) -> None:
        temp = temp_dir("kubeadm-upgraded-manifests")
        try:
            if not self.phased and etcd_upgrade:
                print("[upgrade/etcd] Upgrading to TLS for etcd")
                self._etcd()
            print(f'[upgrade/staticpods] Writing new Static Pod manifests to "{temp}"')
            if self.phased and etcd_upgrade:
                self._etcd()
            for component in COMPONENTS:
                self._component(component)
        finally:
            shutil.rmtree(paths.host_path(temp), ignore_errors=True)

    @staticmethod
    def _etcd() -> None:
        # etcd belongs to the etcd stand-in: its manifest is kept as it is
        print('[upgrade/staticpods] Preparing for "etcd" upgrade')
        print("[upgrade/staticpods] Current and new manifests of etcd are equal, skipping upgrade")
        print("[upgrade/etcd] Waiting for etcd to become available")

    def _component(self, component: str) -> None:
        print(f'[upgrade/staticpods] Preparing for "{component}" upgrade')
        current = read_manifest(component)
        if current is None:
            raise StandinError(f"couldn't upgrade control plane. kubeadm has tried to recover everything into the "
                               f"earlier state. Errors faced: open {manifest_path(component)}: no such file or directory")
        new = retagged(current, self.version)
        if new == current:
            print(f"[upgrade/staticpods] Current and new manifests of {component} are equal, skipping upgrade")
            return
        if not self.backup_folder:
            self.backup_folder = backup_dir()
        backup = f"{self.backup_folder}/{component}.yaml"
        os.replace(paths.host_path(manifest_path(component)), paths.host_path(backup))
        self.backups[component] = backup
        paths.write_file(paths.host_path(manifest_path(component)), kubeconfig.dump_yaml(new), 0o600)
        verb = ("Moving new manifest to \"{0}\" and backing up old manifest to \"{1}\"" if self.phased
                else "Moved new manifest to \"{0}\" and backed up old manifest to \"{1}\"")
        print("[upgrade/staticpods] " + verb.format(manifest_path(component), backup))
        print("[upgrade/staticpods] Waiting for the kubelet to restart the component")
        print(f"[upgrade/staticpods] This can take up to {timefmt.go_duration(self.timeout)}")
        if not self._wait_restarted(component, image_of(new)):
            self.roll_back()
            raise StandinError(f"couldn't upgrade control plane. kubeadm has tried to recover everything into the "
                               f"earlier state. Errors faced: static Pod hash for component {component} on Node "
                               f"{self.node_name} did not change after {timefmt.go_duration(self.timeout)}: "
                               "timed out waiting for the condition")
        print(f"[apiclient] Found {pods_with_component(self.state, component)} Pods for label selector component={component}")
        print(f'[upgrade/staticpods] Component "{component}" upgraded successfully!')

    def _wait_restarted(self, component: str, image: str) -> bool:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            running, ready = reported_image(self.state, self.node_name, component)
            if running == image and ready:
                return True
            time.sleep(0.5)
        return False

    def roll_back(self) -> None:
        for component, backup in self.backups.items():
            os.replace(paths.host_path(backup), paths.host_path(manifest_path(component)))
        self.backups = {}
