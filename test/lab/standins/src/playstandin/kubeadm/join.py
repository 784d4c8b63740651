"""kubeadm join (worker and --control-plane)."""
import os

import yaml

from .. import apistore, clusterdata, kubeconfig, netutil, paths
from ..errors import StandinError
from ..state import ClusterState
from . import certkey, certs, config as cfg, discovery, etcd, init, kubeletstart, manifests, preflight
from .phase import phase

BOOTSTRAP_KUBECONFIG = "/etc/kubernetes/bootstrap-kubelet.conf"
KUBELET_KUBECONFIG = "/etc/kubernetes/kubelet.conf"
NOT_SATISFIED = ("\nOne or more conditions for hosting a new control plane instance is not satisfied.\n\n{}\n\n"
                 "Please ensure that:\n* The cluster has a stable controlPlaneEndpoint address.\n"
                 "* The certificates that must be shared among control plane instances are provided.\n\n")
SHARED_FILES_NEEDED = [("certificate for CA", "ca.crt"), ("key for CA", "ca.key"),
                       ("key for service account", "sa.key"), ("certificate for front-proxy CA", "front-proxy-ca.crt"),
                       ("certificate for etcd CA", "etcd/ca.crt")]


def _node_preflight(kubeadm_version: str, config: dict, cri_socket: str) -> None:
    """checks.go JoinNodeChecks: addCommonChecks gets no Kubernetes version on join."""
    print("[preflight] Running pre-flight checks")
    node_errors, node_warnings = preflight.node_checks(kubeadm_version, "")
    errors = (preflight.is_privileged_user() + preflight.file_available(KUBELET_KUBECONFIG)
              + preflight.file_available(BOOTSTRAP_KUBECONFIG) + preflight.container_runtime(cri_socket)
              + node_errors + preflight.port_open(10250))
    if not config["controlPlane"]:
        errors += preflight.file_available("/etc/kubernetes/pki/ca.crt")
    errors += preflight.ip_forward()
    swap_errors, swap_warnings = preflight.swap({})
    preflight.run(errors + swap_errors, node_warnings + preflight.kubelet_service() + swap_warnings,
                  config["nodeRegistration"]["ignorePreflightErrors"])


def _cluster_configuration(state: ClusterState) -> dict:
    cluster = clusterdata.record(state)
    if not cluster:
        raise StandinError('unable to fetch the kubeadm-config ConfigMap: failed to get config map: '
                           'configmaps "kubeadm-config" not found')
    return cluster


def _kubelet_config_from_cluster(state: ClusterState) -> dict:
    try:
        cm = apistore.get_object(state, apistore.registry(state).by_kind("v1", "ConfigMap"), "kube-system", "kubelet-config")
        return yaml.safe_load(cm["data"]["kubelet"]) or {}
    except apistore.ApiStatus:
        return {}


def _cluster_config_for_phases(cluster: dict) -> dict:
    """The subset of ClusterConfiguration the certs/manifests code needs, from the cluster record."""
    return {"kubernetesVersion": cluster["kubernetesVersion"], "controlPlaneEndpoint": cluster["controlPlaneEndpoint"],
            "podSubnet": cluster["podSubnet"], "serviceSubnet": cluster["serviceSubnet"],
            "dnsDomain": cluster["dnsDomain"], "clusterName": cluster["clusterName"],
            "certificatesDir": cluster["certificatesDir"], "imageRepository": cluster["imageRepository"],
            "certSANs": [], "apiServerExtraArgs": cluster.get("apiServerExtraArgs", {}),
            "controllerManagerExtraArgs": cluster.get("controllerManagerExtraArgs", {}),
            "schedulerExtraArgs": cluster.get("schedulerExtraArgs", {}),
            "encryptionAlgorithm": cluster.get("encryptionAlgorithm", "RSA-2048")}


def _missing_shared_certs(cert_dir: str) -> list:
    missing = []
    for what, name in SHARED_FILES_NEEDED:
        path = f"{cert_dir}/{name}"
        if not os.path.exists(paths.host_path(path)):
            kind = "certificate" if name.endswith(".crt") else "private key"
            missing.append(f"failure loading {what}: couldn't load the {kind} file {path}: open {path}: no such file or directory")
    return missing


def _prepare_control_plane(state: ClusterState, config: dict, cluster: dict, node_name: str, advertise: str) -> dict:
    if not cluster["controlPlaneEndpoint"]:
        raise StandinError(NOT_SATISFIED.format("unable to add a new control plane instance to a cluster that "
                                                "doesn't have a stable controlPlaneEndpoint address"))
    print("[preflight] Running pre-flight checks before initializing the new control plane instance")
    preflight.run(preflight.control_plane_checks(config["bindPort"]), [], config["nodeRegistration"]["ignorePreflightErrors"])
    print("[preflight] Pulling images required for setting up a Kubernetes cluster")
    print("[preflight] This might take a minute or two, depending on the speed of your internet connection")
    print("[preflight] You can also perform this action in beforehand using 'kubeadm config images pull'")
    preflight.run(etcd.image_pull_errors(manifests.etcd_image(_cluster_config_for_phases(cluster))), [], config["nodeRegistration"]["ignorePreflightErrors"])
    phase_config = _cluster_config_for_phases(cluster)
    if config["certificateKey"]:
        with phase("control-plane-prepare/download-certs"):
            print('[download-certs] Downloading the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace')
            try:
                certkey.download(state, cluster["certificatesDir"], config["certificateKey"])
            except StandinError as exc:
                raise StandinError(f"error downloading certs: {exc.message}") from None
            print(f'[download-certs] Saving the certificates to the folder: "{cluster["certificatesDir"]}"')
    else:
        missing = _missing_shared_certs(cluster["certificatesDir"])
        if missing:
            raise StandinError(NOT_SATISFIED.format("[" + ", ".join(missing) + "]"))
    with phase("control-plane-prepare/certs"):
        certs.create_pki(phase_config, node_name, advertise, with_cas=False)
    with phase("control-plane-prepare/kubeconfig"):
        print("[kubeconfig] Generating kubeconfig files")
        certs.write_kubeconfigs(phase_config, f"https://{cluster['apiServerEndpoint']}",
                                ["admin.conf", "controller-manager.conf", "scheduler.conf"], None)
    manifests.write_control_plane(phase_config, advertise, config["bindPort"])
    return phase_config


def _write_bootstrap_kubeconfig(server: str, ca_pem: bytes, token: str, cluster_name: str) -> None:
    text = kubeconfig.render(server, ca_pem, "tls-bootstrap-token-user", cluster_name, token=token)
    paths.write_file(paths.host_path(BOOTSTRAP_KUBECONFIG), text, 0o600)
    paths.write_file(paths.host_path("/etc/kubernetes/pki/ca.crt"), ca_pem, 0o644)


def _refuse_ready_namesake(state: ClusterState, name: str) -> None:
    """phases/join/kubelet.go: before the TLS bootstrap, a Node of the same name that is Ready stops the join
    (a GET of that Node: what kubeadm's RBAC lets the bootstrap token do)."""
    node = apistore.node(state, name)
    if node and apistore.node_is_ready(node):
        raise StandinError(f'a Node with name "{name}" and status "Ready" already exists in the cluster. '
                           "You must delete the existing Node or change the name of this new joining Node")


def _kubelet_start(config: dict, cluster: dict, found: dict, cri_socket: str, state: ClusterState) -> None:
    node = config["nodeRegistration"]
    kubelet_config = _kubelet_config_from_cluster(state) or kubeletstart.kubelet_configuration(
        _cluster_config_for_phases(cluster), {})
    kubeletstart.stop_kubelet()
    _write_bootstrap_kubeconfig(found["server"], found["ca_pem"], config["tlsBootstrapToken"], cluster["clusterName"])
    _refuse_ready_namesake(state, node["name"])
    kubeletstart.write_files(kubelet_config, cri_socket, node["name"], cluster["imageRepository"],
                             cluster["kubernetesVersion"], node["kubeletExtraArgs"], order="join")
    kubeletstart.start_kubelet()
    port = kubeletstart.healthz_port(kubelet_config, node["kubeletExtraArgs"])
    ok, url = kubeletstart.wait_kubelet(port, config["tlsBootstrapTimeout"])
    if not ok:
        print(kubeletstart.failure_help(f"The HTTP call equal to 'curl -sSL {url}' returned error: Get \"{url}\": "
                                        "context deadline exceeded\n", cri_socket), end="")
        raise StandinError("context deadline exceeded")
    print("[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap")
    ok, _ = kubeletstart.poll(lambda: kubeletstart.bootstrap_done(KUBELET_KUBECONFIG), config["tlsBootstrapTimeout"])
    if not ok:
        raise StandinError("timed out waiting for the condition")
    os.remove(paths.host_path(BOOTSTRAP_KUBECONFIG))


def _finish_control_plane(state: ClusterState, config: dict, phase_config: dict, node_name: str, advertise: str) -> None:
    initial_cluster, client = etcd.add_member(state, phase_config["certificatesDir"], node_name, advertise)
    print("[etcd] Announced new etcd member joining to the existing etcd cluster")
    print('[etcd] Creating static Pod manifest for "etcd"')
    manifests.write(manifests.etcd(phase_config, node_name, advertise, initial_cluster, existing=client is not None))
    print("[etcd] Waiting for the new etcd member to join the cluster. This can take up to 40s")
    try:
        etcd.finish_join(client, advertise)
    except StandinError as exc:
        raise StandinError(f"error creating local etcd static pod manifest file: {exc.message}") from None
    admin = kubeconfig.load(paths.host_path("/etc/kubernetes/admin.conf"))
    local = kubeconfig.Kubeconfig(f"https://{advertise}:{config['bindPort']}", admin.ca_pem, False,
                                  admin.cert_pem, admin.key_pem, None, "")
    if not kubeletstart.poll(lambda: kubeletstart.api_healthy(local), phase_config.get("timeout", 240))[0]:
        raise StandinError("error execution phase control-plane-join/etcd: error creating local etcd static pod "
                           "manifest file: timeout waiting for etcd cluster to be available")
    print("The 'update-status' phase is deprecated and will be removed in a future release. "
          "Currently it performs no operation")
    taints = init.DEFAULT_TAINTS if config["nodeRegistration"]["taints"] is None else config["nodeRegistration"]["taints"]
    print(f"[mark-control-plane] Marking the node {node_name} as control-plane by adding the labels: "
          "[node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]")
    print(f"[mark-control-plane] Marking the node {node_name} as control-plane by adding the taints "
          f"[{' '.join(t['key'] + ':' + t['effect'] for t in taints)}]")
    apistore.mark_control_plane(state, node_name, taints)


def _admin_state(state: ClusterState) -> ClusterState:
    """etcd mode: a control plane's join goes on with the admin.conf control-plane-prepare wrote
    (joinData.Client); the folder needs no credentials."""
    if not clusterdata.in_objects(state):
        return state
    return clusterdata.for_client(ClusterState(), kubeconfig.load(paths.host_path("/etc/kubernetes/admin.conf")))


def run(kubeadm_version: str, flags: dict, given: list, positionals: list) -> int:
    config = cfg.join_configuration(flags, given, positionals, kubeadm_version)
    state = ClusterState()
    node = config["nodeRegistration"]
    cri_socket = preflight.detect_cri_socket(node["criSocket"])
    with phase("preflight"):
        _node_preflight(kubeadm_version, config, cri_socket)
        pins = config["caCertHashes"] if not config["unsafeSkipCAVerification"] else []
        found = discovery.discover(config["apiServerEndpoint"], config["token"], pins, config["discoveryTimeout"])
        # etcd mode: the cluster's data through the API, authenticated by the bootstrap token as kubeadm's are
        clusterdata.for_client(state, kubeconfig.Kubeconfig(found["server"], found["ca_pem"], False, None, None,
                                                            config["tlsBootstrapToken"], ""))
        print("[preflight] Reading configuration from the cluster...")
        print("[preflight] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'")
        cluster = _cluster_configuration(state)
        preflight.run(preflight.kubelet_version(cluster["kubernetesVersion"]), [], node["ignorePreflightErrors"])
        advertise = config["advertiseAddress"] or netutil.host_ipv4()
        phase_config = None
        if config["controlPlane"]:
            phase_config = _prepare_control_plane(state, config, cluster, node["name"], advertise)
    if flags.get("dry-run"):
        return init.dry_run_done()
    if config["controlPlane"]:
        admin_state = _admin_state(state)
        print("[check-etcd] Checking that the etcd cluster is healthy")
        with phase("check-etcd"):
            etcd.check_cluster_health(admin_state, phase_config["certificatesDir"])
    with phase("kubelet-start"):
        _kubelet_start(config, cluster, found, cri_socket, state)
    if config["controlPlane"]:
        phase_config["timeout"] = config["tlsBootstrapTimeout"]
        with phase("control-plane-join/etcd"):
            _finish_control_plane(admin_state, config, phase_config, node["name"], advertise)
        print(CONTROL_PLANE_DONE)
    else:
        print(WORKER_DONE)
    return 0


WORKER_DONE = """
This node has joined the cluster:
* Certificate signing request was sent to apiserver and a response was received.
* The Kubelet was informed of the new secure connection details.

Run 'kubectl get nodes' on the control-plane to see this node join the cluster.
"""

CONTROL_PLANE_DONE = """
This node has joined the cluster and a new control plane instance was created:

* Certificate signing request was sent to apiserver and approval was received.
* The Kubelet was informed of the new secure connection details.
* Control plane label and taint were applied to the new node.
* The Kubernetes control plane instances scaled up.
* A new etcd member was added to the local/stacked etcd cluster.

To start administering your cluster from this node, you need to run the following as a regular user:

\tmkdir -p $HOME/.kube
\tsudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config
\tsudo chown $(id -u):$(id -g) $HOME/.kube/config

Run 'kubectl get nodes' to see this node join the cluster.
"""
