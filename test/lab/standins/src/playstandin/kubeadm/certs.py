"""kubeadm's certs and kubeconfig phases: /etc/kubernetes/pki and /etc/kubernetes/*.conf."""

from __future__ import annotations

import ipaddress
import os

from .. import kubeconfig, paths, pki

KUBECONFIG_DIR = "/etc/kubernetes"
CA_FILES = {"ca": "kubernetes", "front-proxy-ca": "front-proxy-ca", "etcd/ca": "etcd-ca"}


def service_ip(service_subnet: str, index: int = 1) -> str:
    network = ipaddress.ip_network(service_subnet.split(",")[0].strip(), strict=False)
    return str(network.network_address + index)


def endpoint_host(endpoint: str) -> str:
    if endpoint.startswith("["):
        return endpoint[1:].split("]")[0]
    return endpoint.rsplit(":", 1)[0] if endpoint.count(":") == 1 else endpoint


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def apiserver_alt_names(config: dict, node_name: str, advertise: str) -> tuple:
    domain = config["dnsDomain"]
    dns = {node_name, "kubernetes", "kubernetes.default", "kubernetes.default.svc", f"kubernetes.default.svc.{domain}"}
    ips = [service_ip(config["serviceSubnet"]), advertise]
    extra = [endpoint_host(config["controlPlaneEndpoint"])] if config["controlPlaneEndpoint"] else []
    for name in extra + list(config["certSANs"]):
        if _is_ip(name):
            ips.append(name) if name not in ips else None
        else:
            dns.add(name)
    return sorted(dns), ips


def _leaf_specs(config: dict, node_name: str, advertise: str) -> list:
    """(file base, CA base, CN, orgs, usage, dns, ips) for each certificate kubeadm writes per node."""
    api_dns, api_ips = apiserver_alt_names(config, node_name, advertise)
    etcd_dns, etcd_ips = [node_name, "localhost"], [advertise, "127.0.0.1", "::1"]
    return [
        ("apiserver", "ca", "kube-apiserver", [], "server", api_dns, api_ips),
        ("apiserver-kubelet-client", "ca", "kube-apiserver-kubelet-client", ["kubeadm:cluster-admins"], "client", [], []),
        ("front-proxy-client", "front-proxy-ca", "front-proxy-client", [], "client", [], []),
        ("etcd/server", "etcd/ca", node_name, [], "both", etcd_dns, etcd_ips),
        ("etcd/peer", "etcd/ca", node_name, [], "both", etcd_dns, etcd_ips),
        ("etcd/healthcheck-client", "etcd/ca", "kube-etcd-healthcheck-client", [], "client", [], []),
        ("apiserver-etcd-client", "etcd/ca", "kube-apiserver-etcd-client", [], "client", [], []),
    ]


def _print_leaf(name: str, dns: list, ips: list) -> None:
    print(f'[certs] Generating "{name}" certificate and key')
    if name in ("apiserver", "etcd/server", "etcd/peer"):
        print(f"[certs] {name} serving cert is signed for DNS names [{' '.join(dns)}] and IPs [{' '.join(ips)}]")


def create_pki(config: dict, node_name: str, advertise: str, with_cas: bool) -> None:
    """init: CAs + sa + leaves; control-plane join: leaves only (CAs came with kubeadm-certs)."""
    cert_dir = paths.host_path(config["certificatesDir"])
    print(f'[certs] Using certificateDir folder "{config["certificatesDir"]}"')
    leaves = _leaf_specs(config, node_name, advertise)
    keys = [os.path.join(cert_dir, f"{leaf[0]}.key") for leaf in leaves]
    if with_cas:
        keys += [os.path.join(cert_dir, f"{ca}.key") for ca in CA_FILES] + [os.path.join(cert_dir, "sa.key")]
    pki.generate_keys(keys, config["encryptionAlgorithm"])
    if with_cas:
        for ca, common_name in CA_FILES.items():
            pki.create_ca(os.path.join(cert_dir, f"{ca}.key"), os.path.join(cert_dir, f"{ca}.crt"), common_name)
    order = ["ca", "apiserver", "apiserver-kubelet-client", "front-proxy-ca", "front-proxy-client", "etcd/ca",
             "etcd/server", "etcd/peer", "etcd/healthcheck-client", "apiserver-etcd-client"]
    by_name = {leaf[0]: leaf for leaf in leaves}
    for name in order:
        if name in CA_FILES:
            if with_cas:
                print(f'[certs] Generating "{name}" certificate and key')
            continue
        base, ca, common_name, orgs, usage, dns, ips = by_name[name]
        _print_leaf(name, dns, ips)
        pki.create_leaf(os.path.join(cert_dir, f"{ca}.crt"), os.path.join(cert_dir, f"{ca}.key"),
                        os.path.join(cert_dir, f"{base}.key"), os.path.join(cert_dir, f"{base}.crt"),
                        common_name, orgs, usage, dns, ips)
    if with_cas:
        print('[certs] Generating "sa" key and public key')
        paths.write_file(os.path.join(cert_dir, "sa.pub"), pki.public_key_pem(os.path.join(cert_dir, "sa.key")), 0o600)
    else:
        print(f'[certs] Valid certificates and keys now exist in "{config["certificatesDir"]}"')
        print('[certs] Using the existing "sa" key')


def read_ca(config: dict) -> bytes:
    with open(os.path.join(paths.host_path(config["certificatesDir"]), "ca.crt"), "rb") as handle:
        return handle.read()


# -- kubeconfig files --------------------------------------------------------------------
KUBECONFIG_USERS = {
    "admin.conf": ("kubernetes-admin", ["kubeadm:cluster-admins"]),
    "super-admin.conf": ("kubernetes-super-admin", ["system:masters"]),
    "controller-manager.conf": ("system:kube-controller-manager", []),
    "scheduler.conf": ("system:kube-scheduler", []),
}


def write_kubeconfigs(config: dict, server: str, names: list, kubelet_node: str | None) -> None:
    """admin.conf & co. with embedded client certificates; kubelet.conf points at the kubelet's pem."""
    cert_dir = paths.host_path(config["certificatesDir"])
    ca_crt, ca_key = os.path.join(cert_dir, "ca.crt"), os.path.join(cert_dir, "ca.key")
    ca_pem = read_ca(config)
    print(f'[kubeconfig] Using kubeconfig folder "{KUBECONFIG_DIR}"')
    work = paths.host_path("/etc/kubernetes/tmp")
    paths.ensure_dir(work, 0o700)
    files = [name for name in ["admin.conf", "super-admin.conf", "kubelet.conf", "controller-manager.conf",
                               "scheduler.conf"] if name in names]
    key_paths = {name: os.path.join(work, f"{name}.key") for name in files}
    pki.generate_keys(list(key_paths.values()), config["encryptionAlgorithm"])
    for name in files:
        print(f'[kubeconfig] Writing "{name}" kubeconfig file')
        if name == "kubelet.conf":
            user, orgs = f"system:node:{kubelet_node}", ["system:nodes"]
        else:
            user, orgs = KUBECONFIG_USERS[name]
        csr = pki.make_csr(key_paths[name], user, orgs)
        cert = pki.sign_csr(ca_crt, ca_key, csr, "client")
        with open(key_paths[name], "rb") as handle:
            key = handle.read()
        os.remove(key_paths[name])
        target = paths.host_path(f"{KUBECONFIG_DIR}/{name}")
        if name == "kubelet.conf":
            # the state after [kubelet-finalize]: a rotatable client certificate on disk
            pem = "/var/lib/kubelet/pki/kubelet-client-current.pem"
            write_kubelet_client_pem(cert + key)
            text = kubeconfig.render(server, ca_pem, user, config["clusterName"], cert_file=pem, key_file=pem)
        else:
            text = kubeconfig.render(server, ca_pem, user, config["clusterName"], cert_pem=cert, key_pem=key)
        paths.write_file(target, text, 0o600)
    os.rmdir(work)


def write_kubelet_client_pem(pem: bytes) -> None:
    import time
    folder = paths.host_path("/var/lib/kubelet/pki")
    paths.ensure_dir(folder)
    name = f"kubelet-client-{time.strftime('%Y-%m-%d-%H-%M-%S', time.gmtime())}.pem"
    paths.write_file(os.path.join(folder, name), pem, 0o600)
    current = os.path.join(folder, "kubelet-client-current.pem")
    if os.path.lexists(current):
        os.remove(current)
    os.symlink(name, current)
