"""kubeadm's preflight checks, with its check names and messages.

Each check returns (name, message) errors or warnings; --ignore-preflight-errors
(names, case-insensitive, or "all") turns errors into warnings.
"""
import os
import shutil
import socket
import subprocess

from .. import cri, paths, versions
from ..errors import StandinError


def proc_path(path: str) -> str:
    """/proc files: a fake root may provide its own (e.g. proc/swaps with swap on)."""
    override = paths.host_path(path)
    return override if paths.root() and os.path.exists(override) else path


def _read(path: str) -> str:
    try:
        with open(proc_path(path), encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def is_privileged_user() -> list:
    return [] if os.geteuid() == 0 else [("IsPrivilegedUser", "user is not running as root")]


def num_cpu() -> list:
    count = os.cpu_count() or 1
    return [] if count >= 2 else [("NumCPU", f"the number of available CPUs {count} is less than the required 2")]


def memory() -> list:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            megabytes = int(line.split()[1]) // 1024
            if megabytes < 1700:
                return [("Mem", f"the system RAM ({megabytes} MB) is less than the minimum 1700 MB")]
    return []


def swap(kubelet_config: dict) -> tuple:
    """(errors, warnings)."""
    lines = [line for line in _read("/proc/swaps").splitlines()[1:] if line.strip()]
    if not lines:
        return [], []
    if kubelet_config.get("failSwapOn") is False:
        return [], [("Swap", "swap is supported for cgroup v2 only; the NodeSwap feature gate of the kubelet is beta but disabled by default")]
    return [("Swap", "running with swap on is not supported. Please disable swap")], []


def ip_forward() -> list:
    if _read("/proc/sys/net/ipv4/ip_forward").strip() == "1":
        return []
    return [("FileContent--proc-sys-net-ipv4-ip_forward", "/proc/sys/net/ipv4/ip_forward contents are not set to 1")]


def file_available(path: str) -> list:
    name = "FileAvailable-" + path.replace("/", "-")
    return [(name, f"{path} already exists")] if os.path.exists(paths.host_path(path)) else []


def dir_available(path: str) -> list:
    folder = paths.host_path(path)
    if os.path.isdir(folder) and os.listdir(folder):
        return [("DirAvailable-" + path.replace("/", "-"), f"{path} is not empty")]
    return []


def port_open(port: int) -> list:
    """Like net.Listen("tcp", ":port"): in use if anything holds it on any address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("", port))
        except OSError:
            return [(f"Port-{port}", f"Port {port} is in use")]
    return []


def container_runtime(endpoint: str) -> list:
    if not shutil.which("crictl"):
        return [("FileExisting-crictl", "crictl not found in system path")]
    try:
        cri.version(endpoint)
        return []
    except cri.CRIError as exc:
        detail = (f'validate service connection: validate CRI v1 runtime API for endpoint \\"{endpoint}\\": rpc error: '
                  f'code = Unavailable desc = connection error: desc = \\"transport: Error while dialing: {exc}\\"')
        return [("CRI", f'container runtime is not running: output: time="0000-00-00T00:00:00Z" level=fatal '
                        f'msg="{detail}"\n, error: exit status 1')]


def kubelet_version(control_plane_version: str) -> list:
    if not shutil.which("kubelet"):
        return [("KubeletVersion", "couldn't get kubelet version: cannot execute 'kubelet --version': "
                                   "executable file not found in $PATH")]
    output = subprocess.run(["kubelet", "--version"], capture_output=True, text=True).stdout.strip()
    kubelet = output.split()[-1] if output else "v0.0.0"
    if versions.split(kubelet)[:2] > versions.split(control_plane_version)[:2]:
        return [("KubeletVersion", f'the kubelet version is higher than the control plane version. This is not a '
                                   f'supported version skew and may lead to a malfunctional cluster. Kubelet version: '
                                   f'"{kubelet.lstrip("v")}" Control plane version: "{control_plane_version.lstrip("v")}"')]
    return []


def kubelet_service() -> list:
    if not paths.systemd_running():
        return []
    enabled = subprocess.run(["systemctl", "is-enabled", "kubelet.service"], capture_output=True).returncode == 0
    return [] if enabled else [("Service-Kubelet", "kubelet service is not enabled, please run 'systemctl enable kubelet.service'")]


def control_plane_checks(bind_port: int) -> list:
    errors = []
    for port in (bind_port, 10259, 10257):
        errors += port_open(port)
    for component in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"):
        errors += file_available(f"/etc/kubernetes/manifests/{component}.yaml")
    for port in (2379, 2380):
        errors += port_open(port)
    errors += dir_available("/var/lib/etcd")
    return errors


def run(errors: list, warnings: list, ignored: list) -> None:
    """Print warnings; raise the combined fatal errors like kubeadm's preflight phase."""
    ignore = {name.lower() for name in ignored}
    fatal = []
    for name, message in errors:
        if "all" in ignore or name.lower() in ignore:
            warnings.append((name, message))
        else:
            fatal.append((name, message))
    for name, message in warnings:
        print(f"\t[WARNING {name}]: {message}")
    if fatal:
        lines = "".join(f"\t[ERROR {name}]: {message}\n" for name, message in fatal)
        raise StandinError(f"[preflight] Some fatal errors occurred:\n{lines}"
                           "[preflight] If you know what you are doing, you can make a check non-fatal with "
                           "`--ignore-preflight-errors=...`")


def detect_cri_socket(configured: str) -> str:
    if configured:
        return cri.normalise(configured)
    found = cri.detect()
    if len(found) > 1:
        raise StandinError("found multiple CRI endpoints on the host. Please define which one do you wish to use by "
                           f"setting the 'criSocket' field in the kubeadm configuration file: {', '.join(found)}")
    return found[0] if found else cri.CONTAINERD
