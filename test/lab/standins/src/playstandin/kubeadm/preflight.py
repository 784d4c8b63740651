"""kubeadm's preflight checks, with its check names and messages.

Each check returns (name, message) errors or warnings; --ignore-preflight-errors
(names, case-insensitive, or "all") turns errors into warnings.
"""

from __future__ import annotations

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
    """checks.go PortOpenCheck: net.Listen("tcp", ":port"). Go listens on the dual-stack wildcard
    and sets SO_REUSEADDR on every listener (net/sockopt_posix.go setDefaultListenerSockopts), so
    connections left in TIME_WAIT do not make a port "in use"; a listener on any address does."""
    families = [(socket.AF_INET6, ("::", port)), (socket.AF_INET, ("", port))] if socket.has_ipv6 else [(socket.AF_INET, ("", port))]
    for family, address in families:
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            continue
        with sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            try:
                sock.bind(address)
                sock.listen(1)
            except OSError:
                return [(f"Port-{port}", f"Port {port} is in use")]
            return []
    return []


def exec_checks(kubeadm_version: str, k8s_version: str) -> tuple:
    """checks_linux.go addExecChecks: (errors, warnings) for executables missing from PATH.

    crictl: mandatory up to 1.30, a warning in 1.31 (kubernetes#124685), gone from 1.32
    (kubernetes#126596). conntrack: always up to 1.31; from 1.32 only when the control plane
    deployed is older than 1.32 (kubernetes#126953), and `join` passes no version, so never.
    """
    _, minor, _ = versions.split(kubeadm_version)
    wanted = []
    if minor <= 31:
        wanted.append(("crictl", minor <= 30))
        wanted.append(("conntrack", True))
    elif k8s_version and versions.split(k8s_version)[:2] < (1, 32):
        wanted.append(("conntrack", True))
    wanted += [("ip", True), ("iptables", True), ("mount", True), ("nsenter", True),
               ("ebtables", False), ("ethtool", False), ("socat", False), ("tc", False), ("touch", False)]
    errors, warnings = [], []
    for executable, mandatory in wanted:
        if shutil.which(executable):
            continue
        (errors if mandatory else warnings).append((f"FileExisting-{executable}", f"{executable} not found in system path"))
    return errors, warnings


KERNEL_VERSIONS = [r"^4\.19.*$", r"^4\.[2-9][0-9].*$", r"^([5-9]|[1-9][0-9]+)\.([0-9]+)\.([0-9]+).*$"]
KERNEL_NOTE = ("Recommended LTS version from the 4.x series is 4.19. Any 5.x or 6.x versions are also supported. "
               "For cgroups v2 support, the minimal version is 4.15 and the recommended version is 5.8+")
KERNEL_REQUIRED = ["NAMESPACES", "NET_NS", "PID_NS", "IPC_NS", "UTS_NS", "CGROUPS", "CPUSETS", "MEMCG", "INET",
                   "EXT4_FS", "PROC_FS", ("NETFILTER_XT_TARGET_REDIRECT", "IP_NF_TARGET_REDIRECT"),
                   "NETFILTER_XT_MATCH_COMMENT", "FAIR_GROUP_SCHED"]
CGROUPS_V1 = ["cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"]
CGROUPS_V2 = ["cpu", "cpuset", "devices", "freezer", "memory", "pids"]


def _kernel_config(release: str) -> dict | None:
    """kernel_validator.go getKernelConfig: the first readable config of the running kernel."""
    import gzip
    candidates = ["/proc/config.gz", f"/boot/config-{release}", f"/usr/src/linux-{release}/.config",
                  "/usr/src/linux/.config", f"/usr/lib/modules/{release}/config", f"/lib/modules/{release}/build/.config"]
    for path in candidates:
        real = proc_path(path) if path.startswith("/proc/") else path
        try:
            opener = gzip.open if path.endswith(".gz") else open
            with opener(real, "rt", encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            continue
        config = {}
        for line in text.splitlines():
            if line.startswith("CONFIG_") and "=" in line:
                key, value = line.split("=", 1)
                config[key[len("CONFIG_"):]] = value
        return config
    return None


def _cgroup_subsystems() -> tuple:
    """(is_v2, enabled subsystems): cgroup2 mounted on /sys/fs/cgroup, else /proc/cgroups."""
    mounts = _read("/proc/mounts")
    if any(f.split()[1:3] == ["/sys/fs/cgroup", "cgroup2"] for f in mounts.splitlines() if len(f.split()) > 2):
        # cgroup_validator_linux.go getCgroupV2Subsystems: "devices" is always there (eBPF),
        # "freezer" when cgroups have a cgroup.freeze file; neither is listed in cgroup.controllers.
        enabled = _read("/sys/fs/cgroup/cgroup.controllers").split() + ["devices"]
        try:
            if any(os.path.exists(os.path.join("/sys/fs/cgroup", d, "cgroup.freeze")) for d in os.listdir("/sys/fs/cgroup")):
                enabled.append("freezer")
        except OSError:
            pass
        return True, enabled
    enabled = [f.split()[0] for f in _read("/proc/cgroups").splitlines()[1:] if len(f.split()) >= 4 and f.split()[3] == "1"]
    return False, enabled


def system_verification(kubeadm_version: str) -> tuple:
    """checks.go SystemVerificationCheck with k8s.io/system-validators (KernelValidator,
    OSValidator, CgroupsValidator and types_unix.go DefaultSysSpec): (errors, warnings)."""
    import re
    _, minor, _ = versions.split(kubeadm_version)
    release = os.uname().release
    errors, warnings, report = [], [], [f"KERNEL_VERSION: {release}"]
    if not any(re.match(pattern, release) for pattern in KERNEL_VERSIONS):
        errors.append(("SystemVerification", f"kernel release {release} is unsupported. {KERNEL_NOTE}"))
    config = _kernel_config(release)
    if config is None:
        errors.append(("SystemVerification", "failed to parse kernel config: no config path is available"))
    else:
        bad = []
        for item in KERNEL_REQUIRED:
            names = item if isinstance(item, tuple) else (item,)
            if not any(config.get(name) in ("y", "m") for name in names):
                bad.append(f"CONFIG_{names[0]}")
            report.append(f"CONFIG_{names[0]}: {'enabled' if f'CONFIG_{names[0]}' not in bad else 'missing'}")
        if bad:
            errors.append(("SystemVerification", f"unexpected kernel config: {' '.join(bad)}"))
    report.append("OS: Linux")
    is_v2, enabled = _cgroup_subsystems()
    required = CGROUPS_V2 if is_v2 else CGROUPS_V1
    for name in required:
        report.append(f"CGROUPS_{name.upper()}: {'enabled' if name in enabled else 'missing'}")
    missing = [name for name in required if name not in enabled]
    if missing:
        errors.append(("SystemVerification", f"missing required cgroups: {' '.join(missing)}"))
    if not is_v2 and minor >= 31:
        message = "cgroups v1 support is in maintenance mode, please migrate to cgroups v2"
        # system-validators v1.12.0 (kubeadm 1.35): "cgroup v1 support is deprecated, change warning to error"
        (errors if minor >= 35 else warnings).append(("SystemVerification", message))
    if errors:
        print("[preflight] The system verification failed. Printing the output from the verification:")
        print("\n".join(report))
    return errors, warnings


def node_checks(kubeadm_version: str, k8s_version: str) -> tuple:
    """checks.go addCommonChecks (swap, exec and system checks): (errors, warnings)."""
    exec_errors, exec_warnings = exec_checks(kubeadm_version, k8s_version)
    sys_errors, sys_warnings = system_verification(kubeadm_version)
    return exec_errors + sys_errors, exec_warnings + sys_warnings


def container_runtime(endpoint: str) -> list:
    """checks.go ContainerRuntimeCheck (crictl's presence is exec_checks' business)."""
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
