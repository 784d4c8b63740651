"""Where the stand-ins read and write.

Every absolute path a real Kubernetes program uses goes through host_path(), so the
stand-ins write the real layout (/etc/kubernetes/...) on lab hosts and can still be
exercised on a developer machine inside a throwaway root (PLAY_STANDIN_ROOT).
"""
import os

DEFAULT_STATE_DIR = "/var/lib/play-lab-cluster"


def root() -> str:
    return os.environ.get("PLAY_STANDIN_ROOT", "").rstrip("/")


def host_path(path: str) -> str:
    """Map a real absolute path to where it lives for this host."""
    # /var/run is a symlink to /run on Debian: use one spelling so a fake root
    # only needs one of them.
    if path.startswith("/var/run/"):
        path = path[len("/var"):]
    prefix = root()
    return prefix + path if prefix else path


def state_dir() -> str:
    return os.environ.get("PLAY_CLUSTER_STATE", DEFAULT_STATE_DIR)


def systemd_running() -> bool:
    """True on a host booted with systemd (and never inside a fake root)."""
    return not root() and os.path.isdir("/run/systemd/system")


def ensure_dir(path: str, mode: int = 0o755) -> None:
    os.makedirs(path, mode=mode, exist_ok=True)


def write_file(path: str, data, mode: int = 0o644) -> None:
    """Atomic write (temp file + rename) with the final mode set before the rename."""
    ensure_dir(os.path.dirname(path))
    tmp = f"{path}.tmp.{os.getpid()}"
    raw = data.encode() if isinstance(data, str) else data
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, raw)
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def read_text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()
