"""kubeadm config images list|pull and kubeadm config print init-defaults|join-defaults."""
from .. import kubeconfig, versions
from ..errors import StandinError
from . import addons, kubeletstart, manifests
from .config import resolve_kubernetes_version


def images(kubernetes_version: str, repository: str) -> list:
    _, minor, _ = versions.split(kubernetes_version)
    names = [f"{repository}/{component}:{kubernetes_version}"
             for component in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy")]
    names.append(f"{repository}/coredns/coredns:{addons.COREDNS.get(minor, 'v1.11.1')}")
    names.append(f"{repository}/pause:{kubeletstart.PAUSE_IMAGES.get(minor, '3.9')}")
    names.append(f"{repository}/etcd:{manifests.ETCD_IMAGES.get(minor, '3.5.12-0')}")
    return names


def init_defaults(kubeadm_version: str) -> str:
    init = {"apiVersion": "kubeadm.k8s.io/v1beta3", "kind": "InitConfiguration",
            "bootstrapTokens": [{"groups": ["system:bootstrappers:kubeadm:default-node-token"],
                                 "token": "abcdef.0123456789abcdef", "ttl": "24h0m0s",
                                 "usages": ["signing", "authentication"]}],
            "localAPIEndpoint": {"advertiseAddress": "1.2.3.4", "bindPort": 6443},
            "nodeRegistration": {"criSocket": "unix:///var/run/containerd/containerd.sock",
                                 "imagePullPolicy": "IfNotPresent", "name": "node", "taints": None}}
    cluster = {"apiServer": {"timeoutForControlPlane": "4m0s"}, "apiVersion": "kubeadm.k8s.io/v1beta3",
               "certificatesDir": "/etc/kubernetes/pki", "clusterName": "kubernetes", "controllerManager": {},
               "dns": {}, "etcd": {"local": {"dataDir": "/var/lib/etcd"}}, "imageRepository": "registry.k8s.io",
               "kind": "ClusterConfiguration", "kubernetesVersion": f"{versions.split(kubeadm_version)[0]}."
                                                                    f"{versions.split(kubeadm_version)[1]}.0",
               "networking": {"dnsDomain": "cluster.local", "serviceSubnet": "10.96.0.0/12"}, "scheduler": {}}
    return kubeconfig.dump_yaml(init) + "---\n" + kubeconfig.dump_yaml(cluster)


def join_defaults() -> str:
    return kubeconfig.dump_yaml({
        "apiVersion": "kubeadm.k8s.io/v1beta3", "caCertPath": "/etc/kubernetes/pki/ca.crt",
        "discovery": {"bootstrapToken": {"apiServerEndpoint": "kube-apiserver:6443", "token": "abcdef.0123456789abcdef",
                                         "unsafeSkipCAVerification": True},
                      "timeout": "5m0s", "tlsBootstrapToken": "abcdef.0123456789abcdef"},
        "kind": "JoinConfiguration",
        "nodeRegistration": {"criSocket": "unix:///var/run/containerd/containerd.sock",
                             "imagePullPolicy": "IfNotPresent", "name": "node", "taints": None}})


def run(kubeadm_version: str, flags: dict, positionals: list) -> int:
    what = " ".join(positionals[:2])
    if what in ("images list", "images pull"):
        version = resolve_kubernetes_version(flags.get("kubernetes-version"), kubeadm_version)
        for image in images(version, flags.get("image-repository") or "registry.k8s.io"):
            # no registry in the lab: "pulling" is what a runtime with the images preloaded would report
            print(image if what == "images list" else f"[config/images] Pulled {image}")
        return 0
    if what == "print init-defaults":
        print(init_defaults(kubeadm_version), end="")
        return 0
    if what == "print join-defaults":
        print(join_defaults(), end="")
        return 0
    raise StandinError(f'unknown command "{what}" for "kubeadm config"')
