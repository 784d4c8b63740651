"""Static Pod manifests for the control plane, shaped like kubeadm's."""

from __future__ import annotations

from .. import kubeconfig, paths, versions
from .certs import service_ip

MANIFESTS_DIR = "/etc/kubernetes/manifests"
ETCD_IMAGES = {29: "3.5.12-0", 30: "3.5.12-0", 31: "3.5.15-0"}


def _flags(defaults: dict, extra: dict) -> list:
    merged = {**defaults, **extra}
    return [f"--{key}={value}" for key, value in sorted(merged.items())]


def _host_path_volume(name: str, path: str, kind: str = "DirectoryOrCreate") -> dict:
    return {"hostPath": {"path": path, "type": kind}, "name": name}


def _probe(host: str, port: int, path: str, scheme: str, **extra) -> dict:
    return {"httpGet": {"host": host, "path": path, "port": port, "scheme": scheme}, "timeoutSeconds": 15, **extra}


def _pod(name: str, command: list, image: str, probes: dict, volumes: list, mounts: list,
         annotations: dict | None = None, cpu: str = "100m") -> dict:
    metadata = {"creationTimestamp": None, "labels": {"component": name, "tier": "control-plane"},
                "name": name, "namespace": "kube-system"}
    if annotations:
        metadata["annotations"] = annotations
    container = {"command": command, "image": image, "imagePullPolicy": "IfNotPresent", "name": name,
                 "resources": {"requests": {"cpu": cpu}}, "volumeMounts": mounts, **probes}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {"containers": [container], "hostNetwork": True, "priority": 2000001000,
                     "priorityClassName": "system-node-critical",
                     "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "volumes": volumes},
            "status": {}}


def _certs_volumes() -> tuple:
    volumes = [_host_path_volume("ca-certs", "/etc/ssl/certs"),
               _host_path_volume("etc-ca-certificates", "/etc/ca-certificates"),
               _host_path_volume("k8s-certs", "/etc/kubernetes/pki"),
               _host_path_volume("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates"),
               _host_path_volume("usr-share-ca-certificates", "/usr/share/ca-certificates")]
    mounts = [{"mountPath": v["hostPath"]["path"], "name": v["name"], "readOnly": True} for v in volumes]
    return volumes, mounts


def apiserver(config: dict, advertise: str, port: int) -> dict:
    image = f"{config['imageRepository']}/kube-apiserver:{config['kubernetesVersion']}"
    pki = config["certificatesDir"]
    command = ["kube-apiserver", *_flags({
        "advertise-address": advertise, "allow-privileged": "true", "authorization-mode": "Node,RBAC",
        "client-ca-file": f"{pki}/ca.crt", "enable-admission-plugins": "NodeRestriction",
        "enable-bootstrap-token-auth": "true", "etcd-cafile": f"{pki}/etcd/ca.crt",
        "etcd-certfile": f"{pki}/apiserver-etcd-client.crt", "etcd-keyfile": f"{pki}/apiserver-etcd-client.key",
        "etcd-servers": "https://127.0.0.1:2379",
        "kubelet-client-certificate": f"{pki}/apiserver-kubelet-client.crt",
        "kubelet-client-key": f"{pki}/apiserver-kubelet-client.key",
        "kubelet-preferred-address-types": "InternalIP,ExternalIP,Hostname",
        "proxy-client-cert-file": f"{pki}/front-proxy-client.crt", "proxy-client-key-file": f"{pki}/front-proxy-client.key",
        "requestheader-allowed-names": "front-proxy-client", "requestheader-client-ca-file": f"{pki}/front-proxy-ca.crt",
        "requestheader-extra-headers-prefix": "X-Remote-Extra-", "requestheader-group-headers": "X-Remote-Group",
        "requestheader-username-headers": "X-Remote-User", "secure-port": str(port),
        "service-account-issuer": f"https://kubernetes.default.svc.{config['dnsDomain']}",
        "service-account-key-file": f"{pki}/sa.pub", "service-account-signing-key-file": f"{pki}/sa.key",
        "service-cluster-ip-range": config["serviceSubnet"], "tls-cert-file": f"{pki}/apiserver.crt",
        "tls-private-key-file": f"{pki}/apiserver.key"}, config["apiServerExtraArgs"])]
    probes = {"livenessProbe": _probe(advertise, port, "/livez", "HTTPS", failureThreshold=8, initialDelaySeconds=10, periodSeconds=10),
              "readinessProbe": _probe(advertise, port, "/readyz", "HTTPS", failureThreshold=3, periodSeconds=1),
              "startupProbe": _probe(advertise, port, "/livez", "HTTPS", failureThreshold=24, initialDelaySeconds=10, periodSeconds=10)}
    volumes, mounts = _certs_volumes()
    return _pod("kube-apiserver", command, image, probes, volumes, mounts,
                {"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": f"{advertise}:{port}"}, "250m")


def controller_manager(config: dict) -> dict:
    image = f"{config['imageRepository']}/kube-controller-manager:{config['kubernetesVersion']}"
    pki = config["certificatesDir"]
    defaults = {"authentication-kubeconfig": "/etc/kubernetes/controller-manager.conf",
                "authorization-kubeconfig": "/etc/kubernetes/controller-manager.conf", "bind-address": "127.0.0.1",
                "client-ca-file": f"{pki}/ca.crt", "cluster-name": config["clusterName"],
                "cluster-signing-cert-file": f"{pki}/ca.crt", "cluster-signing-key-file": f"{pki}/ca.key",
                "controllers": "*,bootstrapsigner,tokencleaner", "kubeconfig": "/etc/kubernetes/controller-manager.conf",
                "leader-elect": "true", "requestheader-client-ca-file": f"{pki}/front-proxy-ca.crt",
                "root-ca-file": f"{pki}/ca.crt", "service-account-private-key-file": f"{pki}/sa.key",
                "use-service-account-credentials": "true"}
    if config["podSubnet"]:
        defaults.update({"allocate-node-cidrs": "true", "cluster-cidr": config["podSubnet"],
                         "service-cluster-ip-range": config["serviceSubnet"]})
    command = ["kube-controller-manager", *_flags(defaults, config["controllerManagerExtraArgs"])]
    probes = {"livenessProbe": _probe("127.0.0.1", 10257, "/healthz", "HTTPS", failureThreshold=8, initialDelaySeconds=10, periodSeconds=10)}
    volumes, mounts = _certs_volumes()
    volumes.append(_host_path_volume("kubeconfig", "/etc/kubernetes/controller-manager.conf", "FileOrCreate"))
    mounts.append({"mountPath": "/etc/kubernetes/controller-manager.conf", "name": "kubeconfig", "readOnly": True})
    return _pod("kube-controller-manager", command, image, probes, volumes, mounts, cpu="200m")


def scheduler(config: dict) -> dict:
    image = f"{config['imageRepository']}/kube-scheduler:{config['kubernetesVersion']}"
    command = ["kube-scheduler", *_flags({"authentication-kubeconfig": "/etc/kubernetes/scheduler.conf",
                                          "authorization-kubeconfig": "/etc/kubernetes/scheduler.conf",
                                          "bind-address": "127.0.0.1", "kubeconfig": "/etc/kubernetes/scheduler.conf",
                                          "leader-elect": "true"}, config["schedulerExtraArgs"])]
    probes = {"livenessProbe": _probe("127.0.0.1", 10259, "/healthz", "HTTPS", failureThreshold=8, initialDelaySeconds=10, periodSeconds=10)}
    volumes = [_host_path_volume("kubeconfig", "/etc/kubernetes/scheduler.conf", "FileOrCreate")]
    mounts = [{"mountPath": "/etc/kubernetes/scheduler.conf", "name": "kubeconfig", "readOnly": True}]
    return _pod("kube-scheduler", command, image, probes, volumes, mounts)


def etcd_image(config: dict) -> str:
    _, minor, _ = versions.split(config["kubernetesVersion"])
    return f"{config['imageRepository']}/etcd:{ETCD_IMAGES.get(minor, '3.5.12-0')}"


def etcd(config: dict, node_name: str, advertise: str, initial_cluster: str, existing: bool = False) -> dict:
    """local.go's GetEtcdPodSpec: a joining member gets the member list and --initial-cluster-state=existing."""
    image = etcd_image(config)
    pki = f"{config['certificatesDir']}/etcd"
    command = ["etcd", f"--advertise-client-urls=https://{advertise}:2379", f"--cert-file={pki}/server.crt",
               "--client-cert-auth=true", "--data-dir=/var/lib/etcd", "--experimental-initial-corrupt-check=true",
               "--experimental-watch-progress-notify-interval=5s", f"--initial-advertise-peer-urls=https://{advertise}:2380",
               f"--initial-cluster={initial_cluster}", *(["--initial-cluster-state=existing"] if existing else []),
               f"--key-file={pki}/server.key",
               f"--listen-client-urls=https://127.0.0.1:2379,https://{advertise}:2379",
               "--listen-metrics-urls=http://127.0.0.1:2381", f"--listen-peer-urls=https://{advertise}:2380",
               f"--name={node_name}", f"--peer-cert-file={pki}/peer.crt", "--peer-client-cert-auth=true",
               f"--peer-key-file={pki}/peer.key", f"--peer-trusted-ca-file={pki}/ca.crt", "--snapshot-count=10000",
               f"--trusted-ca-file={pki}/ca.crt"]
    probes = {"livenessProbe": _probe("127.0.0.1", 2381, "/health?exclude=NOSPACE&serializable=true", "HTTP",
                                      failureThreshold=8, initialDelaySeconds=10, periodSeconds=10)}
    volumes = [_host_path_volume("etcd-certs", pki), _host_path_volume("etcd-data", "/var/lib/etcd")]
    mounts = [{"mountPath": "/var/lib/etcd", "name": "etcd-data"}, {"mountPath": pki, "name": "etcd-certs"}]
    return _pod("etcd", command, image, probes, volumes, mounts, {
        "kubeadm.kubernetes.io/etcd.advertise-client-urls": f"https://{advertise}:2379"})


def write(pod: dict) -> None:
    name = pod["metadata"]["name"]
    paths.write_file(paths.host_path(f"{MANIFESTS_DIR}/{name}.yaml"), kubeconfig.dump_yaml(pod), 0o600)


def write_control_plane(config: dict, advertise: str, port: int) -> None:
    print(f'[control-plane] Using manifest folder "{MANIFESTS_DIR}"')
    for pod in (apiserver(config, advertise, port), controller_manager(config), scheduler(config)):
        print(f'[control-plane] Creating static Pod manifest for "{pod["metadata"]["name"]}"')
        write(pod)


def dns_ip(config: dict) -> str:
    return service_ip(config["serviceSubnet"], 10)
