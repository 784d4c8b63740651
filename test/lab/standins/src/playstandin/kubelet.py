"""The kubelet stand-in.

Like the real kubelet under kubeadm's drop-in (10-kubeadm.conf):
  * exits with the real error while /var/lib/kubelet/config.yaml is missing, so systemd
    restarts it in a loop until kubeadm writes its configuration;
  * serves http://127.0.0.1:10248/healthz (healthzBindAddress/healthzPort);
  * runs the static pods in staticPodPath (/etc/kubernetes/manifests);
  * with only --bootstrap-kubeconfig, performs the TLS bootstrap (CSR signed through the
    API) and writes kubelet.conf pointing at /var/lib/kubelet/pki/kubelet-client-current.pem;
  * registers its Node and posts status every few seconds through the server in
    kubelet.conf (the control-plane endpoint: a dead VIP makes nodes go NotReady);
  * plays calico-node's install-cni once a calico-node DaemonSet exists;
  * reports Ready only with a running CRI socket and a CNI config in /etc/cni/net.d.
"""

from __future__ import annotations

import base64
import os
import platform
import shlex
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

from . import apistore, cli_common, calico_cni, cri, httpclient, kubeconfig, paths, pki, staticpods
from .errors import StandinError
from .state import ClusterState

DEFAULT_RUNTIME_ENDPOINT = "unix:///run/containerd/containerd.sock"
KUBEADM_FLAGS_FILE = "/var/lib/kubelet/kubeadm-flags.env"


def klog(level: str, source: str, message: str) -> None:
    stamp = time.strftime("%m%d %H:%M:%S", time.localtime()) + f".{int(time.time() * 1e6) % 1000000:06d}"
    print(f"{level}{stamp} {os.getpid():>7} {source}] {message}", file=sys.stderr, flush=True)


def parse_flags(argv: list) -> dict:
    flags, items = {}, list(argv)
    while items:
        arg = items.pop(0)
        if not arg.startswith("--"):
            continue
        key, has_value, value = arg[2:].partition("=")
        if not has_value and items and not items[0].startswith("--"):
            value = items.pop(0)
        flags[key] = value if (has_value or value) else "true"
    return flags


def load_config(path: str) -> dict:
    """KubeletConfiguration; SystemExit with the real kubelet's error when unreadable."""
    try:
        with open(paths.host_path(path), encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}
    except OSError as exc:
        klog("E", "run.go:74", f'"command failed" err="failed to load kubelet config file, path: {path}, '
                               f'error: failed to load Kubelet config file {path}, error failed to read kubelet '
                               f'config file \\"{path}\\", error: open {path}: {exc.strerror.lower()}"')
        raise SystemExit(1) from None


class Kubelet:
    def __init__(self, version: str, flags: dict, config: dict):
        self.version = version
        self.flags = flags
        self.config = config
        self.config_path = flags.get("config")
        self.node_name = (flags.get("hostname-override") or socket.gethostname()).lower()
        self.runtime_endpoint = cri.normalise(flags.get("container-runtime-endpoint")
                                              or config.get("containerRuntimeEndpoint") or DEFAULT_RUNTIME_ENDPOINT)
        self.registered = False

    # -- identity and credentials ------------------------------------------------------
    def node_ip(self) -> str:
        if self.flags.get("node-ip"):
            return self.flags["node-ip"].split(",")[0]
        from . import netutil
        return netutil.host_ipv4()

    def kubeconfig_path(self) -> str:
        return self.flags.get("kubeconfig", "/etc/kubernetes/kubelet.conf")

    def api(self) -> kubeconfig.Kubeconfig | None:
        path = paths.host_path(self.kubeconfig_path())
        if os.path.exists(path):
            return kubeconfig.load(path)
        bootstrap = self.flags.get("bootstrap-kubeconfig")
        if bootstrap and os.path.exists(paths.host_path(bootstrap)):
            return self.tls_bootstrap(kubeconfig.load(paths.host_path(bootstrap)))
        return None   # standalone mode: static pods only

    def tls_bootstrap(self, boot: kubeconfig.Kubeconfig) -> kubeconfig.Kubeconfig | None:
        pki_dir = paths.host_path("/var/lib/kubelet/pki")
        paths.ensure_dir(pki_dir, 0o755)
        key_path = os.path.join(pki_dir, "kubelet-client.key.tmp")
        pki.generate_keys([key_path], "ECDSA-P256")
        csr = pki.make_csr(key_path, f"system:node:{self.node_name}", ["system:nodes"])
        body = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                "metadata": {"generateName": "csr-"},
                "spec": {"request": base64.b64encode(csr).decode(), "signerName": "kubernetes.io/kube-apiserver-client-kubelet",
                         "usages": ["digital signature", "client auth"]}}
        try:
            answer = boot.request("/apis/certificates.k8s.io/v1/certificatesigningrequests", "POST", body)
        except httpclient.TransportError as exc:
            klog("E", "bootstrap.go:266", f'"Unhandled Error" err="{exc.wrapped("Post")}"')
            return None
        if answer.status != 201:
            klog("E", "bootstrap.go:266", f'"Unhandled Error" err="{answer.json().get("message", answer.status)}"')
            return None
        cert = base64.b64decode(answer.json()["status"]["certificate"])
        with open(key_path, "rb") as handle:
            key = handle.read()
        os.remove(key_path)
        stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime())
        pem_path = os.path.join(pki_dir, f"kubelet-client-{stamp}.pem")
        paths.write_file(pem_path, cert + key, 0o600)
        current = os.path.join(pki_dir, "kubelet-client-current.pem")
        if os.path.lexists(current):
            os.remove(current)
        os.symlink(os.path.basename(pem_path), current)
        creds = kubeconfig.Kubeconfig(boot.server, boot.ca_pem, boot.insecure, cert, key, None, "")
        self.register(creds)   # before kubelet.conf appears: kubeadm join returns once it does
        client_pem = "/var/lib/kubelet/pki/kubelet-client-current.pem"
        text = kubeconfig.render(boot.server, boot.ca_pem or b"", "default-auth", "default-cluster",
                                 cert_file=client_pem, key_file=client_pem, context_name="default-context")
        paths.write_file(paths.host_path(self.kubeconfig_path()), text, 0o600)
        klog("I", "certificate_manager.go:356", '"Certificate rotation detected, shutting down client connections to start using new credentials"')
        return kubeconfig.load(paths.host_path(self.kubeconfig_path()))

    # -- node status --------------------------------------------------------------------
    def node_object(self, static_pods: list) -> dict:
        runtime_up = cri.is_running(self.runtime_endpoint)
        network = calico_cni.network_ready()
        if not runtime_up:
            ready = ("False", "KubeletNotReady", "container runtime is down")
        elif not network:
            ready = ("False", "KubeletNotReady", "container runtime network not ready: NetworkReady=false "
                     "reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized")
        else:
            ready = ("True", "KubeletReady", "kubelet is posting ready status")
        arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
        labels = {"beta.kubernetes.io/arch": arch, "beta.kubernetes.io/os": "linux",
                  "kubernetes.io/arch": arch, "kubernetes.io/hostname": self.node_name, "kubernetes.io/os": "linux"}
        for pair in filter(None, self.flags.get("node-labels", "").split(",")):
            key, _, value = pair.partition("=")
            labels[key] = value
        conditions = [{"type": kind, "status": "False", "reason": reason, "message": message}
                      for kind, reason, message in (
                          ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                          ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                          ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"))]
        conditions.append({"type": "Ready", "status": ready[0], "reason": ready[1], "message": ready[2]})
        capacity = {"cpu": str(os.cpu_count() or 1), "memory": _memory(), "pods": "110"}
        return {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": self.node_name, "labels": labels, "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                apistore.STATIC_PODS_ANNOTATION: _json(static_pods),
                apistore.NETWORK_READY_ANNOTATION: "true" if network else "false"}},
            "status": {
                "addresses": [{"type": "InternalIP", "address": self.node_ip()},
                              {"type": "Hostname", "address": self.node_name}],
                "capacity": capacity, "allocatable": capacity, "conditions": conditions,
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"architecture": arch, "bootID": _read("/proc/sys/kernel/random/boot_id"),
                             "containerRuntimeVersion": cri.container_runtime_version(self.runtime_endpoint),
                             "kernelVersion": platform.release(), "kubeProxyVersion": f"v{self.version}",
                             "kubeletVersion": f"v{self.version}", "machineID": _read("/etc/machine-id"),
                             "operatingSystem": "linux", "osImage": _os_image(), "systemUUID": ""}},
        }

    def register(self, api: kubeconfig.Kubeconfig, static_pods: list | None = None) -> None:
        answer = api.request("/api/v1/nodes", "POST", self.node_object(static_pods or []))
        if answer.status in (201, 409):
            if not self.registered:
                klog("I", "kubelet_node_status.go:76", f'"Successfully registered node" node="{self.node_name}"')
            self.registered = True

    def post_status(self, api: kubeconfig.Kubeconfig, static_pods: list) -> None:
        if not self.registered:
            self.register(api, static_pods)
        api.request(f"/api/v1/nodes/{self.node_name}/status", "PUT", self.node_object(static_pods))

    def install_cni(self, api: kubeconfig.Kubeconfig) -> None:
        answer = api.request("/apis/apps/v1/daemonsets")
        if answer.status != 200:
            return
        calico = calico_cni.find_calico(answer.json().get("items", []))
        if calico and calico_cni.install(api, calico, self.node_name, api):
            klog("I", "install.go:172", '"Wrote Calico CNI config" file="/etc/cni/net.d/10-calico.conflist"')

    # -- main loop ----------------------------------------------------------------------
    def restart_if_flags_changed(self) -> None:
        """Outside systemd nobody runs `systemctl restart kubelet` after kubeadm rewrites
        kubeadm-flags.env: if this process was started without those flags, exit so the
        supervisor restarts it with them."""
        if paths.systemd_running():
            return
        text = _read(paths.host_path(KUBEADM_FLAGS_FILE))
        value = text.partition("KUBELET_KUBEADM_ARGS=")[2].strip().strip('"')
        wanted = parse_flags(shlex.split(value))
        if any(self.flags.get(key) != val for key, val in wanted.items()):
            klog("I", "server.go:1200", '"kubeadm-flags.env differs from this kubelet\'s flags, restarting"')
            raise SystemExit(0)

    def sync_once(self) -> None:
        if self.config_path and not os.path.exists(paths.host_path(self.config_path)):
            load_config(self.config_path)   # gone (kubeadm reset): exit like a restarted kubelet would
        self.restart_if_flags_changed()
        # without --config the real kubelet has no staticPodPath: no static pods
        static_pods = staticpods.sync(self.node_name) if self.config.get("staticPodPath") else []
        try:
            api = self.api()
            if not api:
                return
            self.install_cni(api)
            self.post_status(api, static_pods)
        except httpclient.TransportError as exc:
            klog("E", "kubelet_node_status.go:544", f'"Error updating node status, will retry" err="error getting node '
                                                    f'\\"{self.node_name}\\": {exc.wrapped()}"')
        except StandinError as exc:   # e.g. no address to report: keep running, like the real one retries
            klog("E", "kubelet_node_status.go:544", f'"Error updating node status, will retry" err="{exc.message}"')

    def run(self) -> int:
        start_healthz(self.config, self.flags)
        interval = float(ClusterState().settings()["heartbeat_seconds"])
        while True:
            self.sync_once()
            time.sleep(interval)


def _json(value) -> str:
    import json
    return json.dumps(value, sort_keys=True)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _memory() -> str:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return f"{line.split()[1]}Ki"
    return "0"


def _os_image() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return "Linux"


def start_healthz(config: dict, flags: dict) -> None:
    port = int(flags.get("healthz-port") or config.get("healthzPort") or 10248)
    address = config.get("healthzBindAddress") or "127.0.0.1"

    class Healthz(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = b"ok"
            self.send_response(200 if self.path.startswith("/healthz") else 404)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    try:
        server = ThreadingHTTPServer((address, port), Healthz)
    except OSError as exc:
        klog("E", "run.go:74", f'"command failed" err="failed to listen on {address}:{port}: {exc.strerror.lower()}"')
        raise SystemExit(1) from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main(version: str, argv: list) -> int:
    cli_common.setup()
    if "--version" in argv or "--version=true" in argv:
        print(f"Kubernetes v{version}")
        return 0
    flags = parse_flags(argv)
    config = load_config(flags["config"]) if flags.get("config") else {}
    if config.get("staticPodPath"):
        staticpods.MANIFESTS_DIR = config["staticPodPath"]
    klog("I", "server.go:484", f'"Kubelet version" kubeletVersion="v{version}"')
    try:
        return Kubelet(version, flags, config).run()
    except KeyboardInterrupt:
        return 0
