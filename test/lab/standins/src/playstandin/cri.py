"""Container runtime (CRI) sockets: which runtime is there, is it up, which version.

containerd and docker are the real Debian programs; cri-o is the stand-in in crio.py,
which answers plain HTTP on its socket (real CRI-O also serves /info and /config there,
next to gRPC).
"""
import json
import os
import shutil
import socket
import stat
import subprocess

from . import paths

CONTAINERD = "unix:///var/run/containerd/containerd.sock"
CRIO = "unix:///var/run/crio/crio.sock"
CRI_DOCKERD = "unix:///var/run/cri-dockerd.sock"
KNOWN_ENDPOINTS = (CONTAINERD, CRIO, CRI_DOCKERD)   # kubeadm's detection order
CRI_API_VERSION = "v1"


class CRIError(Exception):
    pass


def normalise(endpoint: str) -> str:
    """kubeadm accepts a bare path too; the canonical form is unix:///path."""
    return endpoint if "://" in endpoint else f"unix://{endpoint}"


def socket_path(endpoint: str) -> str:
    return paths.host_path(normalise(endpoint)[len("unix://"):])


def _is_socket(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


def detect() -> list:
    """Endpoints whose socket exists, like kubeadm's DetectCRISocket."""
    return [endpoint for endpoint in KNOWN_ENDPOINTS if _is_socket(socket_path(endpoint))]


def runtime_name(endpoint: str) -> str:
    path = normalise(endpoint)
    if "crio" in path:
        return "cri-o"
    if "docker" in path:
        return "docker"
    return "containerd"


def _dial(endpoint: str, timeout: float = 2.0) -> socket.socket:
    path = socket_path(endpoint)
    unix_path = normalise(endpoint)[len("unix://"):]
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(path)
    except FileNotFoundError:
        conn.close()
        raise CRIError(f"dial unix {unix_path}: connect: no such file or directory") from None
    except ConnectionRefusedError:
        conn.close()
        raise CRIError(f"dial unix {unix_path}: connect: connection refused") from None
    except OSError as exc:
        conn.close()
        raise CRIError(f"dial unix {unix_path}: connect: {exc.strerror.lower()}") from None
    return conn


def is_running(endpoint: str) -> bool:
    try:
        _dial(endpoint).close()
        return True
    except CRIError:
        return False


def http_over_unix(endpoint: str, path: str) -> bytes:
    """GET over the runtime socket (the cri-o stand-in's API)."""
    conn = _dial(endpoint)
    try:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode())
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        conn.close()
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0] + b" ":
        raise CRIError(f"unexpected answer from {endpoint}")
    return body


def _command_output(argv: list) -> str:
    if not shutil.which(argv[0]):
        return ""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    return result.stdout.strip() if result.returncode == 0 else ""


def runtime_version(endpoint: str) -> str:
    """The runtime's own version string, as the CRI Version call reports it."""
    name = runtime_name(endpoint)
    if name == "cri-o":
        return json.loads(http_over_unix(endpoint, "/version"))["runtimeVersion"]
    if name == "docker":
        return _command_output(["docker", "version", "--format", "{{.Server.Version}}"]) or "unknown"
    # "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1"
    words = _command_output(["containerd", "--version"]).split()
    return words[2] if len(words) >= 3 else "unknown"


def version(endpoint: str) -> dict:
    """The CRI Version answer; CRIError when the runtime does not answer."""
    _dial(endpoint).close()
    return {"version": "0.1.0", "runtimeName": runtime_name(endpoint),
            "runtimeVersion": runtime_version(endpoint), "runtimeApiVersion": CRI_API_VERSION}


def container_runtime_version(endpoint: str) -> str:
    """What the kubelet reports in CONTAINER-RUNTIME: containerd://1.6.20~ds1, cri-o://1.30.2."""
    try:
        answer = version(endpoint)
    except CRIError:
        return "unknown://unknown"
    return f"{answer['runtimeName']}://{answer['runtimeVersion']}"
