"""kubeadm's kubelet-start phase and its waits (kubelet healthz, API server health)."""
import os
import socket
import subprocess
import time

from .. import httpclient, kubeconfig, paths, timefmt, versions
from . import manifests

CONFIG_FILE = "/var/lib/kubelet/config.yaml"
FLAGS_FILE = "/var/lib/kubelet/kubeadm-flags.env"
PAUSE_IMAGES = {29: "3.9", 30: "3.9", 31: "3.10"}


def kubelet_configuration(config: dict, user: dict) -> dict:
    base = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"cacheTTL": "0s", "enabled": True},
                           "x509": {"clientCAFile": f"{config['certificatesDir']}/ca.crt"}},
        "authorization": {"mode": "Webhook", "webhook": {"cacheAuthorizedTTL": "0s", "cacheUnauthorizedTTL": "0s"}},
        "cgroupDriver": "systemd", "clusterDNS": [manifests.dns_ip(config)], "clusterDomain": config["dnsDomain"],
        "containerRuntimeEndpoint": "", "healthzBindAddress": "127.0.0.1", "healthzPort": 10248,
        "rotateCertificates": True, "staticPodPath": manifests.MANIFESTS_DIR,
    }
    base.update({key: value for key, value in (user or {}).items() if key not in ("apiVersion", "kind")})
    return base


def healthz_port(kubelet_config: dict, extra_args: dict) -> int:
    return int(extra_args.get("healthz-port") or kubelet_config.get("healthzPort") or 10248)


def write_files(kubelet_config: dict, cri_socket: str, node_name: str, image_repository: str,
                kubernetes_version: str, extra_args: dict, order: str) -> None:
    """Both files are written first (a crash-looping kubelet may start between them) and the
    phase lines printed afterwards in kubeadm's order."""
    _, minor, _ = versions.split(kubernetes_version)
    args = {"container-runtime-endpoint": cri_socket,
            "pod-infra-container-image": f"{image_repository}/pause:{PAUSE_IMAGES.get(minor, '3.9')}"}
    if node_name != socket.gethostname().lower():
        args["hostname-override"] = node_name
    args.update(extra_args)
    line = " ".join(f"--{key}={value}" for key, value in sorted(args.items()))
    paths.write_file(paths.host_path(FLAGS_FILE), f'KUBELET_KUBEADM_ARGS="{line}"\n', 0o644)
    paths.write_file(paths.host_path(CONFIG_FILE), kubeconfig.dump_yaml(kubelet_config), 0o644)
    config_line = f'[kubelet-start] Writing kubelet configuration to file "{CONFIG_FILE}"'
    flags_line = f'[kubelet-start] Writing kubelet environment file with flags to file "{FLAGS_FILE}"'
    print("\n".join([flags_line, config_line] if order == "init" else [config_line, flags_line]))


def stop_kubelet() -> None:
    if paths.systemd_running():
        subprocess.run(["systemctl", "stop", "kubelet"], capture_output=True)


def start_kubelet() -> None:
    print("[kubelet-start] Starting the kubelet")
    if not paths.systemd_running():
        return   # a fake root: whoever supervises the kubelet stand-in restarts it
    result = subprocess.run(["systemctl", "restart", "kubelet"], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"[kubelet-start] WARNING: unable to start the kubelet service: [{result.stderr.strip()}]")
        print("[kubelet-start] Please ensure kubelet is reloaded and running manually.")


def poll(check, timeout: float, interval: float = 0.5) -> tuple:
    """(ok, seconds waited) polling check() until it is true or the timeout passes."""
    start = time.monotonic()
    while True:
        if check():
            return True, time.monotonic() - start
        if time.monotonic() - start >= timeout:
            return False, time.monotonic() - start
        time.sleep(interval)


def wait_kubelet(port: int, timeout: float) -> tuple:
    print(f"[kubelet-check] Waiting for a healthy kubelet. This can take up to {timefmt.go_duration(timeout)}")
    url = f"http://127.0.0.1:{port}/healthz"
    ok, waited = poll(lambda: httpclient.http_get(url) == 200, timeout)
    if ok:
        print(f"[kubelet-check] The kubelet is healthy after {timefmt.go_duration(round(waited, 6))}")
    else:
        print(f"[kubelet-check] The kubelet is not healthy after {timefmt.go_duration(round(waited, 6))}")
    return ok, url


def api_healthy(client: kubeconfig.Kubeconfig) -> bool:
    try:
        return client.request("/healthz", timeout=5).status == 200
    except httpclient.TransportError:
        return False


def wait_api(client: kubeconfig.Kubeconfig, timeout: float) -> bool:
    print(f"[api-check] Waiting for a healthy API server. This can take up to {timefmt.go_duration(timeout)}")
    ok, waited = poll(lambda: api_healthy(client), timeout)
    verdict = "healthy" if ok else "not healthy"
    print(f"[api-check] The API server is {verdict} after {timefmt.go_duration(round(waited, 6))}")
    return ok


def failure_help(error: str, cri_socket: str) -> str:
    """What kubeadm prints on stdout when the control plane did not come up."""
    return (f"\nUnfortunately, an error has occurred:\n\t{error}\n\n"
            "This error is likely caused by:\n"
            "\t- The kubelet is not running\n"
            "\t- The kubelet is unhealthy due to a misconfiguration of the node in some way (required cgroups disabled)\n\n"
            "If you are on a systemd-powered system, you can try to troubleshoot the error with the following commands:\n"
            "\t- 'systemctl status kubelet'\n"
            "\t- 'journalctl -xeu kubelet'\n\n"
            "Additionally, a control plane component may have crashed or exited when started by the container runtime.\n"
            "To troubleshoot, list all containers using your preferred container runtimes CLI.\n"
            "Here is one example how you may list all running Kubernetes containers by using crictl:\n"
            f"\t- 'crictl --runtime-endpoint {cri_socket} ps -a | grep kube | grep -v pause'\n"
            "\tOnce you have found the failing container, you can inspect its logs with:\n"
            f"\t- 'crictl --runtime-endpoint {cri_socket} logs CONTAINERID'\n")


def bootstrap_done(path: str) -> bool:
    return os.path.exists(paths.host_path(path))
