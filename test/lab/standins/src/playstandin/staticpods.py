"""Static pods: what the kubelet runs from /etc/kubernetes/manifests.

kube-apiserver runs the apiserver stand-in (a python https server) and, on a systemd host,
etcd runs the real /usr/bin/etcd (Debian's etcd-server, the lab's etcd "image") with the
manifest's flags. kube-controller-manager and kube-scheduler, and etcd in a fake root (no
systemd, several "nodes" on one loopback address), are recorded as running pods with no process.

Like containers under a real runtime, pod processes outlive a kubelet restart: on a
systemd host each one is a transient unit (systemd-run), elsewhere (a fake root on a
developer machine) a detached process group. A record per pod in
/var/lib/kubelet/standin-pods/ lets the kubelet adopt them again, and lets
`kubeadm reset` and `crictl ps` find them.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time

import yaml

from . import httpclient, paths

MANIFESTS_DIR = "/etc/kubernetes/manifests"
RECORDS_DIR = "/var/lib/kubelet/standin-pods"
LOG_DIR = "/var/log/pods"
PROGRAMS = {"kube-apiserver": "playstandin.apiserver"}   # container command[0] -> module
EXECUTABLES = {"etcd": "/usr/bin/etcd"}                  # container command[0] -> real program (systemd hosts)


def _records_dir() -> str:
    return paths.host_path(RECORDS_DIR)


def read_manifests() -> dict:
    """Pod name -> {"pod": manifest, "hash": content hash} for every manifest on disk."""
    found = {}
    for path in sorted(glob.glob(os.path.join(paths.host_path(MANIFESTS_DIR), "*.yaml"))):
        try:
            text = paths.read_text(path)
            pod = yaml.safe_load(text)
        except (OSError, yaml.YAMLError):
            continue   # the real kubelet logs and skips a manifest it cannot read
        if isinstance(pod, dict) and pod.get("kind") == "Pod":
            found[pod["metadata"]["name"]] = {"pod": pod, "hash": hashlib.sha256(text.encode()).hexdigest()}
    return found


def recorded_pods() -> list:
    records = []
    for path in sorted(glob.glob(os.path.join(_records_dir(), "*.json"))):
        with contextlib.suppress(OSError, ValueError):
            with open(path, encoding="utf-8") as handle:
                records.append(json.load(handle))
    return records


def _save(record: dict) -> None:
    paths.write_file(os.path.join(_records_dir(), f"{record['podName']}.json"), json.dumps(record), 0o600)


def _forget(record: dict) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(_records_dir(), f"{record['podName']}.json"))


# -- process lifecycle ---------------------------------------------------------------
def _unit_name(pod_name: str) -> str:
    return f"{pod_name}-standin.service"


def _pid_alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)   # reap it if it is our dead child
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read()
    except OSError:
        return False
    return state != "Z" and b"playstandin" in cmdline


def is_alive(record: dict) -> bool:
    if record.get("unit"):
        return subprocess.run(["systemctl", "is-active", "--quiet", record["unit"]]).returncode == 0
    if record.get("pid"):
        return _pid_alive(record["pid"])
    return record.get("state") == "running"   # a pod without a process


def _container(pod: dict) -> dict:
    return pod["spec"]["containers"][0]


def _argv(container: dict) -> list | None:
    """The process a container runs, or None for a pod without one."""
    program, args = container["command"][0], container["command"][1:]
    if program in PROGRAMS:
        return [sys.executable, "-m", PROGRAMS[program], *args]
    if program in EXECUTABLES and paths.systemd_running():
        return [EXECUTABLES[program], *args]
    return None


def _start_process(pod_name: str, container: dict, node_name: str) -> dict:
    argv = _argv(container)
    # a new sandbox each start, as the real kubelet creates one: its own ID next to the container's;
    # a static pod's sandbox is named after the node, like its mirror Pod (kube-apiserver-cp1)
    record = {"podName": pod_name, "container": container["name"], "image": container.get("image", ""),
              "id": secrets.token_hex(32), "podSandboxId": secrets.token_hex(32),
              "sandboxName": f"{pod_name}-{node_name}" if node_name else pod_name,
              "startedAt": time.time(), "state": "running"}
    if not argv:
        return record
    env = {"PLAY_STANDIN_IMAGE": container.get("image", "")}
    if paths.systemd_running():
        unit = _unit_name(pod_name)
        subprocess.run(["systemctl", "stop", unit], capture_output=True)
        subprocess.run(["systemctl", "reset-failed", unit], capture_output=True)
        setenv = [f"--setenv={key}={value}" for key, value in {**env, **_passed_env()}.items()]
        subprocess.run(["systemd-run", f"--unit={unit}", "--collect", "--property=Restart=always",
                        "--property=RestartSec=1", *setenv, *argv], check=True, capture_output=True)
        record["unit"] = unit
    else:
        log_dir = paths.host_path(LOG_DIR)
        paths.ensure_dir(log_dir)
        with open(os.path.join(log_dir, f"{pod_name}.log"), "ab") as log:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **env}, start_new_session=True)
        record["pid"] = child.pid
    return record


def _passed_env() -> dict:
    """What a transient unit must inherit to see the same cluster as the kubelet."""
    return {key: os.environ[key] for key in ("PLAY_CLUSTER_STATE", "PYTHONPATH") if key in os.environ}


def sandbox_id(record: dict) -> str:
    return record.get("podSandboxId") or record["id"]   # records written before sandboxes had their own ID


@contextlib.contextmanager
def records_lock():
    """The kubelet's sync and crictl's stopp/rmp take turns: a sync between the end of a process and
    its record's update would start a second process next to the stale record."""
    paths.ensure_dir(_records_dir())
    with open(os.path.join(_records_dir(), ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def stop_sandbox(record: dict) -> None:
    """crictl stopp: the process ends, the sandbox stays listed NotReady; the kubelet's next sync
    finds its pod not running and starts a new sandbox."""
    with records_lock():
        record = _current(record)
        if record:
            _stop_process(record)
            stopped = {key: value for key, value in record.items() if key not in ("pid", "unit")}
            _save({**stopped, "state": "notready"})


def remove_sandbox(record: dict) -> None:
    """crictl rmp (of a stopped sandbox): gone; the kubelet starts the pod again from scratch."""
    with records_lock():
        if _current(record):
            _forget(record)


def _current(record: dict) -> dict | None:
    """The record as it is now on disk, if it still is the same sandbox."""
    for found in recorded_pods():
        if found["podName"] == record["podName"] and sandbox_id(found) == sandbox_id(record):
            return found
    return None


def stop(record: dict) -> None:
    _stop_process(record)
    _forget(record)


def _stop_process(record: dict) -> None:
    if record.get("unit"):
        subprocess.run(["systemctl", "stop", record["unit"]], capture_output=True)
    elif record.get("pid") and _pid_alive(record["pid"]):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(record["pid"], signal.SIGTERM)
        for _ in range(50):
            if not _pid_alive(record["pid"]):
                break
            time.sleep(0.05)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(record["pid"], signal.SIGKILL)


def stop_all() -> None:
    for record in recorded_pods():
        stop(record)


# -- the kubelet's sync loop ---------------------------------------------------------
def _prepare_host_paths(pod: dict) -> None:
    """DirectoryOrCreate hostPath volumes, e.g. /var/lib/etcd (etcd creates member/ in it)."""
    for volume in pod["spec"].get("volumes", []):
        host = volume.get("hostPath") or {}
        if host.get("type") == "DirectoryOrCreate":
            paths.ensure_dir(paths.host_path(host["path"]), 0o700)
    if pod["metadata"]["name"] == "etcd" and _argv(_container(pod)) is None:
        paths.ensure_dir(paths.host_path("/var/lib/etcd/member"), 0o700)   # what a running etcd leaves


def _probe_ready(container: dict) -> bool:
    probe = (container.get("readinessProbe") or {}).get("httpGet")
    if not probe:
        return True
    host = probe.get("host") or "127.0.0.1"
    try:
        answer = httpclient.request(f"https://{host}:{probe['port']}", probe.get("path", "/"),
                                    insecure=True, timeout=2.0)
        return answer.status == 200
    except httpclient.TransportError:
        return False


def sync(node_name: str = "") -> list:
    """Make running pods match the manifests; return their status for the Node object."""
    with records_lock():
        return _sync(node_name)


def _sync(node_name: str) -> list:
    manifests = read_manifests()
    records = {record["podName"]: record for record in recorded_pods()}
    for name, record in list(records.items()):
        if name not in manifests or record.get("hash") != manifests[name]["hash"]:
            stop(record)   # removed or changed manifest: the old pod goes
            del records[name]
    statuses = []
    for name, entry in manifests.items():
        record = records.get(name)
        container = _container(entry["pod"])
        if not record or record.get("hash") != entry["hash"] or not is_alive(record):
            restarts = record.get("restarts", 0) + 1 if record else 0   # same pod crashed
            _prepare_host_paths(entry["pod"])
            try:
                record = _start_process(name, container, node_name)
            except (OSError, subprocess.CalledProcessError) as exc:
                # the kubelet logs a failed container start and retries on the next sync
                print(f'E0000 pod_workers.go:1298] "Error syncing pod, skipping" err="{exc}" pod="kube-system/{name}"',
                      file=sys.stderr, flush=True)
                continue
            record.update(hash=entry["hash"], restarts=restarts)
            _save(record)
        statuses.append({"name": name, "ready": _probe_ready(container), "restarts": record.get("restarts", 0),
                         "startedAt": record["startedAt"], "image": record["image"],
                         "annotations": entry["pod"]["metadata"].get("annotations", {})})
    return statuses
