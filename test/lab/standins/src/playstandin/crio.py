"""The cri-o stand-in: `crio` the daemon and `crio --version`.

The daemon listens on the socket named in /etc/crio/crio.conf ([crio.api] listen,
default /var/run/crio/crio.sock) and answers HTTP GET /info, /config and /version,
which is what crictl and the kubelet stand-ins ask. It tells systemd it is ready
(Type=notify, like the real unit) only once the socket accepts connections.
"""
import json
import os
import signal
import socketserver
import sys
from http.server import BaseHTTPRequestHandler

from . import cli_common, paths, sdnotify, versions

CONFIG = "/etc/crio/crio.conf"
DEFAULT_SOCKET = "/var/run/crio/crio.sock"


def _parse_toml(path: str) -> dict:
    try:
        import tomllib  # python 3.11+
    except ModuleNotFoundError:  # bullseye's python 3.9: Debian's python3-toml (a Depends of cri-o)
        import toml
        with open(path, encoding="utf-8") as text:
            return toml.load(text)
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def load_config(path: str) -> dict:
    try:
        return _parse_toml(path)
    except FileNotFoundError:
        return {}


def version_text(version: str) -> str:
    info = versions.version_info(version)
    rows = [("Version", version), ("GitCommit", info["gitCommit"]), ("GitCommitDate", info["buildDate"]),
            ("GitTreeState", "clean"), ("BuildDate", info["buildDate"]), ("GoVersion", info["goVersion"]),
            ("Compiler", "gc"), ("Platform", info["platform"]), ("Linkmode", "static"),
            ("BuildTags", "static,netgo,osusergo,exclude_graphdriver_btrfs,seccomp,apparmor,selinux"),
            ("LDFlags", "unknown"), ("SeccompEnabled", "true"), ("AppArmorEnabled", "false")]
    width = max(len(key) for key, _ in rows) + 2
    return f"crio version {version}\n" + "".join(f"{key + ':':<{width}}{value}\n" for key, value in rows)


class _ThreadingUnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def _handler(version: str, config: dict, config_text: str):
    crio_section = config.get("crio", {})
    info = {
        "storage_driver": crio_section.get("storage_driver", "overlay"),
        "storage_image": "",
        "storage_root": crio_section.get("root", "/var/lib/containers/storage"),
        "cgroup_driver": config.get("crio", {}).get("runtime", {}).get("cgroup_manager", "systemd"),
        "default_id_mappings": {"uids": [{"container_id": 0, "host_id": 0, "size": 4294967295}],
                                "gids": [{"container_id": 0, "host_id": 0, "size": 4294967295}]},
    }
    answers = {
        "/info": ("application/json", json.dumps(info)),
        "/config": ("application/toml", config_text),
        "/version": ("application/json", json.dumps({
            "version": "0.1.0", "runtimeName": "cri-o", "runtimeVersion": version,
            "runtimeApiVersion": "v1"})),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server naming)
            content_type, body = answers.get(self.path, ("text/plain", None))
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def address_string(self):
            return "unix"

        def log_message(self, *args):
            pass

    return Handler


def serve(version: str, config_path: str) -> int:
    config_file = paths.host_path(config_path)
    config = load_config(config_file)
    config_text = paths.read_text(config_file) if os.path.exists(config_file) else ""
    listen = config.get("crio", {}).get("api", {}).get("listen", DEFAULT_SOCKET)
    sock_path = paths.host_path(listen)
    paths.ensure_dir(os.path.dirname(sock_path))
    if os.path.exists(sock_path):
        os.remove(sock_path)   # a stale socket from a previous run
    server = _ThreadingUnixServer(sock_path, _handler(version, config, config_text))
    os.chmod(sock_path, 0o660)

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f'level=info msg="Starting CRI-O, version: {version}"', file=sys.stderr, flush=True)
    sdnotify.notify("READY=1")
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if os.path.exists(sock_path):
            os.remove(sock_path)
    return 0


def main(version: str, argv: list) -> int:
    cli_common.setup()
    config_path = CONFIG
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("--version", "-v", "version"):
            sys.stdout.write(version_text(version))
            return 0
        if arg in ("--config", "-c") and args:
            config_path = args.pop(0)
        elif arg.startswith("--config="):
            config_path = arg.split("=", 1)[1]
        elif arg in ("config",):
            sys.stdout.write(paths.read_text(paths.host_path(config_path)))
            return 0
        # other flags ($CRIO_*_OPTIONS from the unit) are accepted and ignored
    return serve(version, config_path)
