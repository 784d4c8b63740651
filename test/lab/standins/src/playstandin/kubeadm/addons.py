"""What kubeadm init uploads to the cluster: its ConfigMaps and the CoreDNS / kube-proxy addons."""
from .. import apistore, kubeconfig, timefmt, versions
from ..state import ClusterState
from . import manifests

COREDNS = {29: "v1.11.1", 30: "v1.11.1", 31: "v1.11.3"}


def cluster_configuration_yaml(config: dict) -> str:
    return kubeconfig.dump_yaml({
        "apiServer": {**({"certSANs": config["certSANs"]} if config["certSANs"] else {}),
                      **({"extraArgs": config["apiServerExtraArgs"]} if config["apiServerExtraArgs"] else {}),
                      "timeoutForControlPlane": timefmt.go_duration(config["controlPlaneTimeout"])},
        "apiVersion": "kubeadm.k8s.io/v1beta3", "certificatesDir": config["certificatesDir"],
        "clusterName": config["clusterName"], "controlPlaneEndpoint": config["controlPlaneEndpoint"],
        # extraArgs as v1beta3 writes them: a joining control plane's manifests are made from them
        "controllerManager": {"extraArgs": config["controllerManagerExtraArgs"]} if config["controllerManagerExtraArgs"] else {},
        "dns": {}, "etcd": {"local": {"dataDir": "/var/lib/etcd"}},
        "imageRepository": config["imageRepository"], "kind": "ClusterConfiguration",
        "kubernetesVersion": config["kubernetesVersion"],
        "networking": {"dnsDomain": config["dnsDomain"], **({"podSubnet": config["podSubnet"]} if config["podSubnet"] else {}),
                       "serviceSubnet": config["serviceSubnet"]},
        "scheduler": {"extraArgs": config["schedulerExtraArgs"]} if config["schedulerExtraArgs"] else {}})


def _config_map(namespace: str, name: str, data: dict) -> tuple:
    return "ConfigMap", {"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": name, "namespace": namespace}, "data": data}


def _kube_proxy(config: dict) -> tuple:
    image = f"{config['imageRepository']}/kube-proxy:{config['kubernetesVersion']}"
    return "DaemonSet", {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"labels": {"k8s-app": "kube-proxy"}, "name": "kube-proxy", "namespace": "kube-system"},
        "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                 "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}},
                              "spec": {"containers": [{"name": "kube-proxy", "image": image,
                                                       "command": ["/usr/local/bin/kube-proxy",
                                                                   "--config=/var/lib/kube-proxy/config.conf",
                                                                   "--hostname-override=$(NODE_NAME)"]}],
                                       "hostNetwork": True, "nodeSelector": {"kubernetes.io/os": "linux"},
                                       "priorityClassName": "system-node-critical",
                                       "serviceAccountName": "kube-proxy", "tolerations": [{"operator": "Exists"}]}}}}


def _coredns(config: dict) -> list:
    _, minor, _ = versions.split(config["kubernetesVersion"])
    image = f"{config['imageRepository']}/coredns/coredns:{COREDNS.get(minor, 'v1.11.1')}"
    labels = {"k8s-app": "kube-dns"}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"labels": labels, "name": "coredns", "namespace": "kube-system"},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "coredns", "image": image,
                                                       "args": ["-conf", "/etc/coredns/Corefile"]}],
                                       "nodeSelector": {"kubernetes.io/os": "linux"},
                                       "priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns",
                                       "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                                       {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]}}}}
    service = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"labels": {**labels, "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"}, "name": "kube-dns", "namespace": "kube-system"},
               "spec": {"clusterIP": manifests.dns_ip(config), "selector": labels,
                        "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                                  {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]}}
    return [("Deployment", deployment), ("Service", service)]


def upload_config(state: ClusterState, config: dict, kubelet_config: dict) -> None:
    for kind, obj in (_config_map("kube-system", "kubeadm-config", {"ClusterConfiguration": cluster_configuration_yaml(config)}),
                      _config_map("kube-system", "kubelet-config", {"kubelet": kubeconfig.dump_yaml(kubelet_config)})):
        _apply(state, kind, obj)


def install_addons(state: ClusterState, config: dict) -> None:
    for kind, obj in [*_coredns(config), _kube_proxy(config),
                      _config_map("kube-system", "kube-proxy", {"config.conf": kubeconfig.dump_yaml(
                          {"apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
                           "clusterCIDR": config["podSubnet"], **(config.get("kubeProxy") or {})})})]:
        _apply(state, kind, obj)
    print("[addons] Applied essential addon: CoreDNS")
    print("[addons] Applied essential addon: kube-proxy")


def _apply(state: ClusterState, kind: str, obj: dict) -> None:
    resource = apistore.registry(state).by_kind(obj["apiVersion"], kind)
    apistore.apply_object(state, resource, obj)
