"""kubeadm init."""
import os

from .. import apistore, clusterdata, kubeconfig, netutil, paths, pki, timefmt, versions
from ..errors import StandinError
from ..state import ClusterState
from . import addons, certkey, certs, config as cfg, etcd, kubeletstart, manifests, preflight, tokens
from .phase import phase

DEFAULT_TAINTS = [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]


def endpoint_with_port(endpoint: str, port: int) -> str:
    host = certs.endpoint_host(endpoint)
    return endpoint if host != endpoint else f"{endpoint}:{port}"


def join_command(server_hostport: str, token: str, ca_hash: str, control_plane: bool, key: str = "",
                 single_line: bool = False) -> str:
    """kubeadm's joinCommandTemplate (token create --print-join-command flattens it to one line)."""
    text = f"kubeadm join {server_hostport} --token {token} \\\n\t--discovery-token-ca-cert-hash {ca_hash} "
    if control_plane:
        text += "\\\n\t--control-plane " + (f"--certificate-key {key}" if key else "")
    return text.replace("\\\n\t", "") if single_line else text


def success_text(config: dict, server_hostport: str, token: str, ca_hash: str, key: str) -> str:
    text = ("Your Kubernetes control-plane has initialized successfully!\n\n"
            "To start using your cluster, you need to run the following as a regular user:\n\n"
            "  mkdir -p $HOME/.kube\n"
            "  sudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config\n"
            "  sudo chown $(id -u):$(id -g) $HOME/.kube/config\n\n"
            "Alternatively, if you are the root user, you can run:\n\n"
            "  export KUBECONFIG=/etc/kubernetes/admin.conf\n\n"
            "You should now deploy a pod network to the cluster.\n"
            "Run \"kubectl apply -f [podnetwork].yaml\" with one of the options listed at:\n"
            "  https://kubernetes.io/docs/concepts/cluster-administration/addons/\n\n")
    if config["controlPlaneEndpoint"]:
        if config["uploadCerts"]:
            text += ("You can now join any number of the control-plane node running the following command on each as root:\n\n"
                     f"  {join_command(server_hostport, token, ca_hash, True, key)}\n\n"
                     "Please note that the certificate-key gives access to cluster sensitive data, keep it secret!\n"
                     "As a safeguard, uploaded-certs will be deleted in two hours; If necessary, you can use\n"
                     "\"kubeadm init phase upload-certs --upload-certs\" to reload certs afterward.\n\n")
        else:
            text += ("You can now join any number of control-plane nodes by copying certificate authorities\n"
                     "and service account keys on each node and then running the following as root:\n\n"
                     f"  {join_command(server_hostport, token, ca_hash, True)}\n\n")
    text += ("Then you can join any number of worker nodes by running the following on each as root:\n\n"
             f"{join_command(server_hostport, token, ca_hash, False)}")
    return text


def _preflight(kubeadm_version: str, config: dict, cri_socket: str, kubelet_config: dict, warnings: list) -> None:
    print("[preflight] Running pre-flight checks")
    node_errors, node_warnings = preflight.node_checks(kubeadm_version, config["kubernetesVersion"])
    errors = (preflight.is_privileged_user() + preflight.num_cpu() + preflight.memory()
              + preflight.control_plane_checks(config["bindPort"]) + preflight.container_runtime(cri_socket)
              + node_errors + preflight.kubelet_version(config["kubernetesVersion"]) + preflight.port_open(10250)
              + preflight.ip_forward())
    warnings += node_warnings + preflight.kubelet_service()
    swap_errors, swap_warnings = preflight.swap(kubelet_config)
    preflight.run(errors + swap_errors, warnings + swap_warnings, config["nodeRegistration"]["ignorePreflightErrors"])
    print("[preflight] Pulling images required for setting up a Kubernetes cluster")
    print("[preflight] This might take a minute or two, depending on the speed of your internet connection")
    print("[preflight] You can also perform this action in beforehand using 'kubeadm config images pull'")
    preflight.run(etcd.image_pull_errors(manifests.etcd_image(config)), [], config["nodeRegistration"]["ignorePreflightErrors"])


def wait_control_plane(kubeadm_version: str, config: dict, kubelet_config: dict, cri_socket: str, admin) -> None:
    timeout = config["controlPlaneTimeout"]
    _, minor, _ = versions.split(kubeadm_version)
    folder = manifests.MANIFESTS_DIR
    if minor >= 30:
        print(f'[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "{folder}"')
        port = kubeletstart.healthz_port(kubelet_config, config["nodeRegistration"]["kubeletExtraArgs"])
        ok, url = kubeletstart.wait_kubelet(port, timeout)
        if not ok:
            print(kubeletstart.failure_help(f"The HTTP call equal to 'curl -sSL {url}' returned error: Get \"{url}\": "
                                            "context deadline exceeded\n", cri_socket), end="")
            raise StandinError("could not initialize a Kubernetes cluster")
        if not kubeletstart.wait_api(admin, timeout):
            print(kubeletstart.failure_help("context deadline exceeded", cri_socket), end="")
            raise StandinError("could not initialize a Kubernetes cluster")
        return
    print(f'[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory '
          f'"{folder}". This can take up to {timefmt.go_duration(timeout)}')
    ok, waited = kubeletstart.poll(lambda: kubeletstart.api_healthy(admin), timeout)
    if not ok:
        print("[kubelet-check] Initial timeout of 40s passed.")
        print(kubeletstart.failure_help("timed out waiting for the condition", cri_socket), end="")
        raise StandinError("couldn't initialize a Kubernetes cluster")
    print(f"[apiclient] All control plane components are healthy after {waited:.6f} seconds")


def record_cluster(state: ClusterState, config: dict, server_hostport: str, node_name: str, ca_pem: bytes) -> dict:
    """upload-config: the cluster record. In the folder, one shared state holds one cluster, so a
    second, different cluster (another CA) is refused instead of overwriting the first. In etcd
    mode the record is the kubeadm-config ConfigMap (addons.upload_config) and the cluster-info
    ConfigMap, and this etcd is this cluster's own."""
    record = _cluster_record(config, server_hostport, node_name, ca_pem)
    if clusterdata.in_objects(state):
        clusterdata.publish_cluster_info(state, record["clusterInfoKubeconfig"])
        return record
    with state.locked():
        existing = state.cluster()
        if existing and existing["caCert"] != ca_pem.decode():
            raise StandinError(f"error uploading the kubeadm ClusterConfiguration: the shared cluster state already "
                               f"holds another cluster (endpoint {existing['apiServerEndpoint']}, initialised by node "
                               f"{existing['initNode']}); run \"kubeadm reset\" on its nodes first")
        if not existing:
            state.wipe()   # leftovers of a cluster whose last control plane vanished without reset
        state.write("cluster", record)
        etcd.record_init_member(state, node_name)
    return record


def _cluster_record(config: dict, server_hostport: str, node_name: str, ca_pem: bytes) -> dict:
    return {
        "initialised": True, "clusterName": config["clusterName"],
        "controlPlaneEndpoint": config["controlPlaneEndpoint"], "apiServerEndpoint": server_hostport,
        "kubernetesVersion": config["kubernetesVersion"], "podSubnet": config["podSubnet"],
        "serviceSubnet": config["serviceSubnet"], "dnsDomain": config["dnsDomain"],
        "imageRepository": config["imageRepository"], "certificatesDir": config["certificatesDir"],
        "encryptionAlgorithm": config["encryptionAlgorithm"],
        "apiServerExtraArgs": config["apiServerExtraArgs"],
        "controllerManagerExtraArgs": config["controllerManagerExtraArgs"],
        "schedulerExtraArgs": config["schedulerExtraArgs"],
        "caCert": ca_pem.decode(), "caCertHash": pki.spki_sha256(ca_pem),
        "createdAt": timefmt.rfc3339(timefmt.now()), "initNode": node_name,
        "clusterInfoKubeconfig": apistore.dump_cluster_info_kubeconfig(f"https://{server_hostport}", pki.b64(ca_pem)),
    }


def run(kubeadm_version: str, flags: dict, given: list) -> int:
    config = cfg.init_configuration(flags, given, kubeadm_version)
    state = ClusterState()
    node = config["nodeRegistration"]
    print(f"[init] Using Kubernetes version: {config['kubernetesVersion']}")
    warnings = cfg.check_version_skew(config["kubernetesVersion"], kubeadm_version)
    cri_socket = preflight.detect_cri_socket(node["criSocket"])
    advertise = config["advertiseAddress"] or netutil.host_ipv4()
    kubelet_config = kubeletstart.kubelet_configuration(config, config["kubelet"])
    with phase("preflight"):
        _preflight(kubeadm_version, config, cri_socket, kubelet_config, warnings)
    if flags.get("dry-run"):
        return dry_run_done()

    server_hostport = (endpoint_with_port(config["controlPlaneEndpoint"], config["bindPort"])
                       if config["controlPlaneEndpoint"] else f"{advertise}:{config['bindPort']}")
    with phase("certs"):
        certs.create_pki(config, node["name"], advertise, with_cas=True)
    with phase("kubeconfig"):
        certs.write_kubeconfigs(config, f"https://{server_hostport}",
                                ["admin.conf", "super-admin.conf", "kubelet.conf", "controller-manager.conf", "scheduler.conf"],
                                node["name"])
    print(f'[etcd] Creating static Pod manifest for local etcd in "{manifests.MANIFESTS_DIR}"')
    manifests.write(manifests.etcd(config, node["name"], advertise, f"{node['name']}={etcd.peer_url(advertise)}"))
    manifests.write_control_plane(config, advertise, config["bindPort"])

    kubeletstart.stop_kubelet()
    kubeletstart.write_files(kubelet_config, cri_socket, node["name"], config["imageRepository"],
                             config["kubernetesVersion"], node["kubeletExtraArgs"], order="init")
    kubeletstart.start_kubelet()
    admin = kubeconfig.load(paths.host_path("/etc/kubernetes/admin.conf"))
    clusterdata.for_client(state, admin)   # etcd mode: from here on, the cluster's data go through the API
    with phase("wait-control-plane"):
        wait_control_plane(kubeadm_version, config, kubelet_config, cri_socket, admin)

    ca_pem = certs.read_ca(config)
    cluster, key, shown_token = upload_to_cluster(state, config, kubelet_config, server_hostport, ca_pem)
    print('[kubelet-finalize] Updating "/etc/kubernetes/kubelet.conf" to point to a rotatable kubelet client certificate and key')
    addons.install_addons(state, config)
    print()
    shown_key = "<value withheld>" if config["skipCertificateKeyPrint"] else key
    print(success_text(config, server_hostport, shown_token, cluster["caCertHash"], shown_key))
    return 0


def upload_to_cluster(state: ClusterState, config: dict, kubelet_config: dict, server_hostport: str,
                      ca_pem: bytes) -> tuple:
    """init's phases once the API answers: upload-config, upload-certs, mark-control-plane, bootstrap-token.
    Returns (cluster record, certificate key, the token as printed)."""
    node = config["nodeRegistration"]
    with phase("upload-config/kubeadm"):
        print('[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace')
        cluster = record_cluster(state, config, server_hostport, node["name"], ca_pem)
    print('[kubelet] Creating a ConfigMap "kubelet-config" in namespace kube-system with the configuration for the kubelets in the cluster')
    addons.upload_config(state, config, kubelet_config)

    key = ""
    if config["uploadCerts"]:
        with phase("upload-certs"):
            key = config["certificateKey"] or certkey.new_key()
            print('[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace')
            certkey.upload(state, config["certificatesDir"], key)
            print("[upload-certs] Using certificate key:")
            print("<value withheld>" if config["skipCertificateKeyPrint"] else key)
    else:
        print("[upload-certs] Skipping phase. Please see --upload-certs")

    taints = DEFAULT_TAINTS if node["taints"] is None else node["taints"]
    print(f"[mark-control-plane] Marking the node {node['name']} as control-plane by adding the labels: "
          "[node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]")
    print(f"[mark-control-plane] Marking the node {node['name']} as control-plane by adding the taints "
          f"[{' '.join(t['key'] + ':' + t['effect'] for t in taints)}]")
    apistore.mark_control_plane(state, node["name"], taints)

    token = create_bootstrap_tokens(state, config)
    shown_token = "<value withheld>" if config["skipTokenPrint"] else token
    print(f"[bootstrap-token] Using token: {shown_token}")
    for line in ("Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles",
                 "Configured RBAC rules to allow Node Bootstrap tokens to get nodes",
                 "Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials",
                 "Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token",
                 "Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster",
                 'Creating the "cluster-info" ConfigMap in the "kube-public" namespace'):
        print(f"[bootstrap-token] {line}")
    return cluster, key, shown_token


def dry_run_done() -> int:
    """The stand-in's --dry-run: preflight ran for real; nothing on the host or in the cluster changes."""
    print("[dryrun] The play lab stand-in does not print the would-be files and API calls; nothing was changed")
    print("[dryrun] Finished dry-running successfully. Above are the resources that would be created")
    return 0


def create_bootstrap_tokens(state: ClusterState, config: dict) -> str:
    first = None
    for entry in config["bootstrapTokens"]:
        value = entry["token"] or tokens.generate()
        tokens.store(state, value, entry["ttl"], entry["usages"], entry["groups"], entry["description"])
        first = first or value
    return first


def upload_certs_phase(kubeadm_version: str, flags: dict, given: list) -> int:
    """kubeadm init phase upload-certs --upload-certs [--certificate-key K]."""
    if not flags.get("upload-certs"):
        print("[upload-certs] Skipping phase. Please see --upload-certs")
        return 0
    config = cfg.init_configuration(flags, given, kubeadm_version) if flags.get("config") else {
        "certificatesDir": "/etc/kubernetes/pki", "certificateKey": flags.get("certificate-key", ""),
        "skipCertificateKeyPrint": bool(flags.get("skip-certificate-key-print"))}
    state = ClusterState()
    with phase("upload-certs"):
        admin = load_admin(flags.get("kubeconfig", "/etc/kubernetes/admin.conf"))
        require_api(admin, "Get", "/api/v1/namespaces/kube-system/secrets/kubeadm-certs?timeout=10s")
        clusterdata.for_client(state, admin)
        ca_key = os.path.join(paths.host_path(config["certificatesDir"]), "ca.key")
        if not os.path.exists(ca_key):
            raise StandinError(f"error uploading certs: open {config['certificatesDir']}/ca.key: no such file or directory")
        key = config["certificateKey"] or certkey.new_key()
        print('[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace')
        certkey.upload(state, config["certificatesDir"], key)
        print("[upload-certs] Using certificate key:")
        print("<value withheld>" if config["skipCertificateKeyPrint"] else key)
    return 0


def load_admin(path: str):
    real = paths.host_path(path)
    try:
        return kubeconfig.load(real)
    except FileNotFoundError:
        raise StandinError(f"failed to load admin kubeconfig: open {path}: no such file or directory") from None
    except PermissionError:
        raise StandinError(f"failed to load admin kubeconfig: open {path}: permission denied") from None


def require_api(admin, method: str, path: str) -> None:
    """Talk to the API first, so a dead endpoint fails like kubeadm's client would."""
    from .. import httpclient
    try:
        answer = admin.request("/healthz", timeout=10)
    except httpclient.TransportError as exc:
        raise StandinError(f'{method} "{admin.server}{path}": {exc.message}') from None
    if answer.status == 401:
        raise StandinError("Unauthorized")
