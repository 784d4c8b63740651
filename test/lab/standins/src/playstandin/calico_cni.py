"""What calico-node's install-cni container does on each node: write the CNI config.

The kubelet stand-in calls this when the API has a calico-node DaemonSet. The config
comes from the applied calico-config ConfigMap (cni_network_config, veth_mtu) like the
real install-cni renders it; the IPv4 pool is CALICO_IPV4POOL_CIDR from the DaemonSet,
else the cluster's podSubnet (calico reads kubeadm-config), else 192.168.0.0/16. The
stand-in adds the pool to the calico-ipam section (ipv4_pools, a real calico-ipam
option) so the CIDR in effect on a node can be read from its CNI config.
"""

from __future__ import annotations

import json
import os

import yaml

from . import kubeconfig, paths

NET_DIR = "/etc/cni/net.d"
CONF_NAME = "10-calico.conflist"
DEFAULT_POOL = "192.168.0.0/16"
AUTO_MTU = 1480   # what calico detects for IP-in-IP on a 1500-byte link when veth_mtu is "0"

FALLBACK_TEMPLATE = json.dumps({
    "name": "k8s-pod-network", "cniVersion": "0.3.1",
    "plugins": [{"type": "calico", "log_level": "info", "datastore_type": "kubernetes",
                 "nodename": "__KUBERNETES_NODE_NAME__", "mtu": "__CNI_MTU__",
                 "ipam": {"type": "calico-ipam"}, "policy": {"type": "k8s"},
                 "kubernetes": {"kubeconfig": "__KUBECONFIG_FILEPATH__"}},
                {"type": "portmap", "snat": True, "capabilities": {"portMappings": True}},
                {"type": "bandwidth", "capabilities": {"bandwidth": True}}]})


def find_calico(daemonsets: list) -> dict | None:
    for ds in daemonsets:
        containers = ds["spec"]["template"]["spec"].get("containers", [])
        if ds["metadata"]["name"] == "calico-node" or any("calico/node" in c.get("image", "") for c in containers):
            return ds
    return None


def _env(container: dict, name: str) -> dict | None:
    for entry in container.get("env", []) or []:
        if entry.get("name") == name:
            return entry
    return None


def _config_map_value(api, namespace: str, ref: dict) -> str | None:
    answer = api.request(f"/api/v1/namespaces/{namespace}/configmaps/{ref['name']}")
    if answer.status != 200:
        return None
    return answer.json().get("data", {}).get(ref["key"])


def _env_value(api, namespace: str, container: dict, name: str) -> str | None:
    entry = _env(container, name)
    if not entry:
        return None
    if "value" in entry:
        return str(entry["value"])
    ref = (entry.get("valueFrom") or {}).get("configMapKeyRef")
    return _config_map_value(api, namespace, ref) if ref else None


def _cluster_pod_subnet(api) -> str | None:
    answer = api.request("/api/v1/namespaces/kube-system/configmaps/kubeadm-config")
    if answer.status != 200:
        return None
    config = yaml.safe_load(answer.json().get("data", {}).get("ClusterConfiguration", "")) or {}
    return (config.get("networking") or {}).get("podSubnet")


def desired_config(api, ds: dict, node_name: str) -> tuple:
    """(conflist text, pool CIDR) that install-cni would write for this DaemonSet."""
    namespace = ds["metadata"]["namespace"]
    spec = ds["spec"]["template"]["spec"]
    node_container = next((c for c in spec.get("containers", []) if c["name"] == "calico-node"),
                          (spec.get("containers") or [{}])[0])
    install = next((c for c in spec.get("initContainers", []) or [] if c["name"] == "install-cni"), {})
    pool = _env_value(api, namespace, node_container, "CALICO_IPV4POOL_CIDR") or _cluster_pod_subnet(api) or DEFAULT_POOL
    template = _env_value(api, namespace, install, "CNI_NETWORK_CONFIG") or FALLBACK_TEMPLATE
    mtu = _env_value(api, namespace, install, "CNI_MTU") or "0"
    mtu = AUTO_MTU if mtu in ("0", "") else int(mtu)
    rendered = (template.replace("__KUBERNETES_NODE_NAME__", node_name)
                .replace('"__CNI_MTU__"', str(mtu)).replace("__CNI_MTU__", str(mtu))
                .replace("__KUBECONFIG_FILEPATH__", f"{NET_DIR}/calico-kubeconfig")
                .replace("__CNI_NET_DIR__", NET_DIR))
    conflist = json.loads(rendered)
    for plugin in conflist.get("plugins", []):
        if plugin.get("type") == "calico":
            plugin.setdefault("ipam", {"type": "calico-ipam"})["ipv4_pools"] = [pool]
    return json.dumps(conflist, indent=2) + "\n", pool


def _conf_name(api, ds: dict) -> str:
    spec = ds["spec"]["template"]["spec"]
    install_cni = next((c for c in spec.get("initContainers", []) or [] if c["name"] == "install-cni"), {})
    return _env_value(api, ds["metadata"]["namespace"], install_cni, "CNI_CONF_NAME") or CONF_NAME


def install(api, ds: dict, node_name: str, kubelet_kubeconfig: kubeconfig.Kubeconfig) -> bool:
    """Write the CNI config (and calico's kubeconfig) when it differs. True if written."""
    text, _ = desired_config(api, ds, node_name)
    target = paths.host_path(f"{NET_DIR}/{_conf_name(api, ds)}")
    if os.path.exists(target) and paths.read_text(target) == text:
        return False
    calico_kubeconfig = kubeconfig.render(kubelet_kubeconfig.server, kubelet_kubeconfig.ca_pem or b"",
                                          "calico", "local", context_name="calico-context")
    paths.write_file(paths.host_path(f"{NET_DIR}/calico-kubeconfig"), calico_kubeconfig, 0o600)
    paths.write_file(target, text, 0o644)
    return True


def network_ready() -> bool:
    """containerd/cri-o consider the pod network ready once a CNI config exists."""
    folder = paths.host_path(NET_DIR)
    return os.path.isdir(folder) and any(name.endswith((".conf", ".conflist", ".json"))
                                         for name in os.listdir(folder))
