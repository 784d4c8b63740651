"""The crictl stand-in (cri-tools): version, info, ps, pods, stopp, rmp.

Endpoint choice as the real crictl: --runtime-endpoint/-r, then $CONTAINER_RUNTIME_ENDPOINT,
then runtime-endpoint in /etc/crictl.yaml (or --config), else the deprecated default list.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time

import yaml

from . import cli_common, cri, paths, staticpods, versions
from .tabwriter import table

DEFAULT_CONFIG = "/etc/crictl.yaml"


def _fatal(message: str) -> int:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    escaped = message.replace('"', '\\"')
    print(f'time="{stamp}" level=fatal msg="{escaped}"', file=sys.stderr)
    return 1


def _connection_error(endpoint: str, reason: str) -> str:
    return (f'validate service connection: validate CRI v1 runtime API for endpoint "{endpoint}": '
            f'rpc error: code = Unavailable desc = connection error: desc = '
            f'"transport: Error while dialing: {reason}"')


def _endpoints(flag_endpoint: str | None, config_path: str) -> list:
    if flag_endpoint:
        return [cri.normalise(flag_endpoint)]
    if os.environ.get("CONTAINER_RUNTIME_ENDPOINT"):
        return [cri.normalise(os.environ["CONTAINER_RUNTIME_ENDPOINT"])]
    try:
        with open(paths.host_path(config_path), encoding="utf-8") as handle:
            config = yaml.safe_load(handle) or {}
        if config.get("runtime-endpoint"):
            return [cri.normalise(config["runtime-endpoint"])]
    except FileNotFoundError:
        pass
    stamp = "0000"
    print(f"WARN[{stamp}] runtime connect using default endpoints: [unix:///run/containerd/containerd.sock "
          "unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]. As the default settings are now "
          "deprecated, you should set the endpoint instead.", file=sys.stderr)
    return list(cri.KNOWN_ENDPOINTS)


def _connect(endpoints: list) -> tuple:
    """(endpoint, version answer) of the first runtime that answers; CRIError otherwise."""
    last = None
    for endpoint in endpoints:
        try:
            return endpoint, cri.version(endpoint)
        except cri.CRIError as exc:
            last = (endpoint, str(exc))
    raise cri.CRIError(_connection_error(*last))


def _network_ready() -> bool:
    folder = paths.host_path("/etc/cni/net.d")
    return os.path.isdir(folder) and any(n.endswith((".conf", ".conflist")) for n in os.listdir(folder))


def cmd_version(answer: dict) -> int:
    for key, label in (("version", "Version"), ("runtimeName", "RuntimeName"),
                       ("runtimeVersion", "RuntimeVersion"), ("runtimeApiVersion", "RuntimeApiVersion")):
        print(f"{label}:  {answer[key]}")
    return 0


def cmd_info(endpoint: str) -> int:
    network = _network_ready()
    conditions = [
        {"type": "RuntimeReady", "status": True, "reason": "", "message": ""},
        {"type": "NetworkReady", "status": network,
         "reason": "" if network else "NetworkPluginNotReady",
         "message": "" if network else "Network plugin returns error: cni plugin not initialized"},
    ]
    info = {"status": {"conditions": conditions}}
    if cri.runtime_name(endpoint) == "cri-o":
        info["info"] = json.loads(cri.http_over_unix(endpoint, "/info"))
    print(json.dumps(info, indent=2))
    return 0


def go_units_duration(seconds: float) -> str:
    """github.com/docker/go-units HumanDuration: crictl's CREATED column ("About a minute ago")."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int((seconds + 1800) // 3600)   # d.Round(time.Hour)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds // 3600) // 24 // 365} years"


def _created(record: dict) -> str:
    return go_units_duration(time.time() - record.get("startedAt", time.time())) + " ago"


def _table(rows: list) -> None:
    """crictl's newTableDisplay(20, 1, 3, ' ', 0): a tabwriter with min width 20, padding 3."""
    sys.stdout.write(table(rows, min_width=20))


def _image_id(image: str) -> str:
    """crictl ps shows the image ID (the kubelet passes it), truncated: a stable digest of the name here."""
    return hashlib.sha256(image.encode()).hexdigest()[:13]


def cmd_ps(show_all: bool) -> int:
    rows = [["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD"]]
    for pod in staticpods.recorded_pods():
        running = pod.get("state") == "running" and staticpods.is_alive(pod)
        if not running and not show_all:
            continue
        rows.append([pod["id"][:13], _image_id(pod.get("image", "")), _created(pod), "Running" if running else "Exited",
                     pod["container"], str(pod.get("restarts", 0)), staticpods.sandbox_id(pod)[:13],
                     pod.get("sandboxName", pod["podName"])])
    _table(rows)
    return 0


POD_FLAGS = {"--name": "name", "--namespace": "namespace", "--state": "state", "-s": "state", "--id": "id",
             "--output": "output", "-o": "output"}
POD_BOOLS = {"-q": "quiet", "--quiet": "quiet", "--no-trunc": "no-trunc", "-v": "verbose", "--verbose": "verbose"}


def _pod_options(args: list) -> dict:
    options, items = {"output": "table"}, list(args)
    while items:
        arg = items.pop(0)
        name, has_value, value = arg.partition("=")
        if name in POD_FLAGS:
            options[POD_FLAGS[name]] = value if has_value else (items.pop(0) if items else "")
        elif arg in POD_BOOLS:
            options[POD_BOOLS[arg]] = True
        else:
            raise cri.CRIError(f"flag provided but not defined: -{arg.lstrip('-')}")
    return options


def _pod_state(record: dict) -> str:
    return "Ready" if record.get("state") == "running" and staticpods.is_alive(record) else "NotReady"


def cmd_pods(args: list) -> int:
    options = _pod_options(args)
    state = options.get("state", "").lower()
    if state not in ("", "ready", "notready"):
        return _fatal("--state should be ready or notready")
    if options["output"] != "table":
        return _fatal(f'listing pod sandboxes: unsupported output format "{options["output"]}"')
    rows = [["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"]]
    found = sorted(staticpods.recorded_pods(), key=lambda r: r.get("startedAt", 0), reverse=True)  # newest first
    for record in found:
        name, pod_state, pod_id = record.get("sandboxName", record["podName"]), _pod_state(record), staticpods.sandbox_id(record)
        if options.get("id") and not pod_id.startswith(options["id"]):
            continue
        if state and pod_state.lower() != state:
            continue
        if not re.search(options.get("name", ""), name) or not re.search(options.get("namespace", ""), "kube-system"):
            continue
        if options.get("quiet"):
            print(pod_id)
            continue
        rows.append([pod_id if options.get("no-trunc") else pod_id[:13], _created(record), pod_state, name,
                     "kube-system", str(record.get("restarts", 0)), "(default)"])
    if not options.get("quiet"):
        _table(rows)
    return 0


def _find_sandbox(pod_id: str, runtime: str) -> dict:
    matches = [r for r in staticpods.recorded_pods() if staticpods.sandbox_id(r).startswith(pod_id)]
    if len(matches) == 1 and pod_id:
        return matches[0]
    if runtime == "cri-o":
        raise cri.CRIError(f'rpc error: code = NotFound desc = could not find pod "{pod_id}": PodSandbox with ID '
                           f'starting with {pod_id} not found: ID does not exist')
    raise cri.CRIError(f'rpc error: code = NotFound desc = an error occurred when try to find sandbox "{pod_id}": '
                       'not found')


def cmd_stopp(ids: list, runtime: str) -> int:
    for pod_id in ids:
        try:
            staticpods.stop_sandbox(_find_sandbox(pod_id, runtime))
        except cri.CRIError as exc:
            return _fatal(f'stopping the pod sandbox "{pod_id}": {exc}')
        print(f"Stopped sandbox {pod_id}")
    return 0


def cmd_rmp(args: list, runtime: str) -> int:
    force = any(arg in ("-f", "--force") for arg in args)
    ids = [arg for arg in args if not arg.startswith("-")]
    errors = []
    for pod_id in ids:
        try:
            record = _find_sandbox(pod_id, runtime)
        except cri.CRIError as exc:
            errors.append(f'getting sandbox status of pod "{pod_id}": {exc}')
            continue
        if _pod_state(record) == "Ready":
            if not force:
                errors.append(f'pod sandbox "{pod_id}" is running, please stop it first')
                continue
            staticpods.stop_sandbox(record)
            print(f"Stopped sandbox {pod_id}")
        staticpods.remove_sandbox(record)
        print(f"Removed sandbox {pod_id}")
    if errors:
        # errorUtils.AggregateGoroutines: one error as is, several as [a, b]
        return _fatal(errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]")
    return 0


def main(version: str, argv: list) -> int:
    cli_common.setup()
    flag_endpoint, config_path, args = None, DEFAULT_CONFIG, []
    items = list(argv)
    while items:
        arg = items.pop(0)
        if arg in ("-r", "--runtime-endpoint") and items:
            flag_endpoint = items.pop(0)
        elif arg.startswith("--runtime-endpoint="):
            flag_endpoint = arg.split("=", 1)[1]
        elif arg in ("-c", "--config") and items:
            config_path = items.pop(0)
        elif arg.startswith("--config="):
            config_path = arg.split("=", 1)[1]
        elif arg in ("-i", "--image-endpoint", "-t", "--timeout") and items:
            items.pop(0)
        elif arg in ("--version", "-v"):
            print(f"crictl version v{versions.crictl_version(version)}")
            return 0
        else:
            args.append(arg)
    command = args[0] if args else "help"
    if command == "help":
        print("NAME:\n   crictl - client for CRI\n\nUSAGE:\n   crictl [global options] command [command options]")
        return 0
    if command == "ps":
        return cmd_ps("-a" in args or "--all" in args)
    if command not in ("version", "info", "pods", "stopp", "rmp"):
        return _fatal(f'No help topic for \'{command}\'')
    try:
        endpoint, answer = _connect(_endpoints(flag_endpoint, config_path))
        if command == "pods":
            return cmd_pods(args[1:])
    except cri.CRIError as exc:
        return _fatal(str(exc))
    if command == "stopp":
        return cmd_stopp(args[1:], answer["runtimeName"]) if args[1:] else _usage(command)
    if command == "rmp":
        return cmd_rmp(args[1:], answer["runtimeName"]) if [a for a in args[1:] if not a.startswith("-")] else _usage(command)
    return cmd_version(answer) if command == "version" else cmd_info(endpoint)


def _usage(command: str) -> int:
    """cli.ShowSubcommandHelp: the command's help, exit 0."""
    usage = {"stopp": "Stop one or more running pods", "rmp": "Remove one or more pods"}[command]
    print(f"NAME:\n   crictl {command} - {usage}\n\nUSAGE:\n   crictl {command} [command options] POD-ID [POD-ID...]")
    return 0
