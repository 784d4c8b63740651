"""Drives the stand-in kubeadm's cluster-data flows for test/standins/kubeadm-etcd.test.ts.

Run with PYTHONPATH (the stand-ins' src), PLAY_STANDIN_ROOT (the host's fake root) and
PLAY_CLUSTER_STATE (a folder holding only settings.json with "apiserver_storage": "etcd").
Secrets (certificate key, bootstrap token) come on stdin as JSON, never in the arguments;
answers are one JSON line on stdout and never carry them.

  kubeadm_etcd_driver.py setup PKI SERVER   the fake root of a control plane: admin.conf for SERVER
                                            (https://host:port) and the shared PKI files
  kubeadm_etcd_driver.py register NAME ETCD the kubelet's Node registration, its etcd static pod
                                            advertising ETCD (what etcd.py finds the endpoints by)
  kubeadm_etcd_driver.py init ENDPOINT      init's phases once the API answers (init.upload_to_cluster)
                                            and its addons; stdin {"key"}
  kubeadm_etcd_driver.py join ENDPOINT NAME a join's reads: discovery, kubeadm-config, kubelet-config,
                                            download-certs, the Ready namesake check;
                                            stdin {"token", "key", "hash"}
  kubeadm_etcd_driver.py add-member NAME IP / remove-member NAME IP
                                            kubeadm's etcd membership (kubeadm/etcd.py) with admin.conf
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys

import yaml

from playstandin import apistore, clusterdata, kubeconfig, paths
from playstandin.errors import StandinError
from playstandin.kubeadm import addons, certkey, discovery, etcd, init, join, kubeletstart
from playstandin.kubeadm import config as cfg
from playstandin.state import ClusterState

VERSION = "1.30.2"
CERT_DIR = "/etc/kubernetes/pki"
ADMIN_CONF = "/etc/kubernetes/admin.conf"
ETCD_MANIFEST = "/etc/kubernetes/manifests/etcd.yaml"


def _copy(source: str, target: str, mode: int) -> None:
    with open(source, "rb") as handle:
        paths.write_file(paths.host_path(target), handle.read(), mode)


def setup(pki: str, server: str) -> dict:
    """admin.conf with the test's client certificate; the cluster CA and the other shared files."""
    read = lambda name: open(os.path.join(pki, name), "rb").read()   # noqa: E731
    paths.write_file(paths.host_path(ADMIN_CONF), kubeconfig.render(server, read("ca.crt"), "kubernetes-admin",
                                                                     cert_pem=read("client.crt"), key_pem=read("client.key")), 0o600)
    for name in ("ca.crt", "etcd/ca.crt", "front-proxy-ca.crt"):
        _copy(os.path.join(pki, "ca.crt"), f"{CERT_DIR}/{name}", 0o644)
    for name in ("ca.key", "etcd/ca.key", "front-proxy-ca.key", "sa.key"):
        _copy(os.path.join(pki, "ca.key"), f"{CERT_DIR}/{name}", 0o600)
    _copy(os.path.join(pki, "client.crt"), f"{CERT_DIR}/sa.pub", 0o644)
    _copy(os.path.join(pki, "client.crt"), f"{CERT_DIR}/etcd/healthcheck-client.crt", 0o644)
    _copy(os.path.join(pki, "client.key"), f"{CERT_DIR}/etcd/healthcheck-client.key", 0o600)
    return {"root": paths.root()}


def _admin_state() -> ClusterState:
    return clusterdata.for_client(ClusterState(), kubeconfig.load(paths.host_path(ADMIN_CONF)))


def register(name: str, etcd_url: str) -> dict:
    """POST /api/v1/nodes as the kubelet does, Ready, with its static pods (etcd's advertise-client-urls)."""
    pods = [{"name": "etcd", "ready": True, "annotations": {etcd.ENDPOINTS_ANNOTATION: etcd_url}},
            {"name": "kube-apiserver", "ready": True, "image": "registry.k8s.io/kube-apiserver:v1.30.2"}]
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "annotations": {
        apistore.STATIC_PODS_ANNOTATION: json.dumps(pods)}}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    admin = kubeconfig.load(paths.host_path(ADMIN_CONF))
    answer = admin.request("/api/v1/nodes", "POST", node)
    if answer.status == 409:   # registered before: a status update, as the kubelet's heartbeat
        answer = admin.request(f"/api/v1/nodes/{name}/status", "PUT", node)
    return {"status": answer.status}


def init_phases(endpoint: str, secrets: dict) -> dict:
    flags = {"control-plane-endpoint": endpoint, "kubernetes-version": f"v{VERSION}", "pod-network-cidr": "10.244.0.0/16", "node-name": "cp1",
             "upload-certs": True, "skip-token-print": True, "skip-certificate-key-print": True}
    config = cfg.init_configuration(flags, list(flags), VERSION)
    config["certificateKey"] = secrets["key"]
    kubelet_config = kubeletstart.kubelet_configuration(config, config["kubelet"])
    state = _admin_state()
    with open(paths.host_path(f"{CERT_DIR}/ca.crt"), "rb") as handle:
        cluster, _, _ = init.upload_to_cluster(state, config, kubelet_config, endpoint, handle.read())
    addons.install_addons(state, config)
    return {"caCertHash": cluster["caCertHash"]}


def join_reads(endpoint: str, name: str, secrets: dict) -> dict:
    """What a control plane's join reads with the bootstrap token, in join.run's order."""
    found = discovery.discover(endpoint, secrets["token"], [secrets["hash"]], 10)
    state = clusterdata.for_client(ClusterState(), kubeconfig.Kubeconfig(found["server"], found["ca_pem"], False,
                                                                          None, None, secrets["token"], ""))
    cluster = join._cluster_configuration(state)
    kubelet_config = join._kubelet_config_from_cluster(state)
    shutil.rmtree(paths.host_path(CERT_DIR), ignore_errors=True)
    certkey.download(state, cluster["certificatesDir"], secrets["key"])
    namesake = ""
    try:
        join._refuse_ready_namesake(state, name)
    except StandinError as exc:
        namesake = exc.message
    files = sorted(os.path.relpath(os.path.join(folder, file), paths.host_path(CERT_DIR))
                   for folder, _, names in os.walk(paths.host_path(CERT_DIR)) for file in names)
    return {"server": found["server"], "kubernetesVersion": cluster["kubernetesVersion"],
            "podSubnet": cluster["podSubnet"], "controlPlaneEndpoint": cluster["controlPlaneEndpoint"],
            "apiServerEndpoint": cluster["apiServerEndpoint"], "kubeletCgroupDriver": kubelet_config.get("cgroupDriver"),
            "files": files, "namesake": namesake}


def _etcd_manifest(ip: str, etcd_url: str) -> None:
    """This host's etcd manifest: reset finds its own member by these URLs (etcd.local_urls)."""
    pod = {"spec": {"containers": [{"command": ["etcd", f"--advertise-client-urls={etcd_url}",
                                                f"--initial-advertise-peer-urls={etcd.peer_url(ip)}"]}]}}
    paths.write_file(paths.host_path(ETCD_MANIFEST), yaml.safe_dump(pod), 0o600)


def add_member(name: str, ip: str) -> dict:
    initial_cluster, client = etcd.add_member(_admin_state(), CERT_DIR, name, ip)
    return {"initialCluster": initial_cluster, "client": client is not None}


def remove_member(name: str, ip: str, etcd_url: str) -> dict:
    _etcd_manifest(ip, etcd_url)
    return {"removed": etcd.remove_member(_admin_state(), CERT_DIR, name, ETCD_MANIFEST)}


def main(argv: list) -> int:
    command, args = argv[0], argv[1:]
    secrets = json.loads(sys.stdin.read() or "{}") if command in ("init", "join") else {}
    try:
        with contextlib.redirect_stdout(sys.stderr):   # kubeadm's own lines: stdout is the answer's
            answer = run(command, args, secrets)
    except (StandinError, apistore.ApiStatus) as exc:
        answer = {"error": exc.message}
    print(json.dumps(answer), flush=True)
    return 0


def run(command: str, args: list, secrets: dict) -> dict:
    commands = {"setup": lambda: setup(args[0], args[1]), "register": lambda: register(args[0], args[1]),
                "init": lambda: init_phases(args[0], secrets), "join": lambda: join_reads(args[0], args[1], secrets),
                "add-member": lambda: add_member(args[0], args[1]),
                "remove-member": lambda: remove_member(args[0], args[1], args[2])}
    return commands[command]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
