"""The crictl stand-in (cri-tools): version, info, ps, pods, stopp, rmp.

Endpoint choice as the real crictl: --runtime-endpoint/-r, then $CONTAINER_RUNTIME_ENDPOINT,
then runtime-endpoint in /etc/crictl.yaml (or --config), else the deprecated default list.
"""
import json
import os
import re
import sys
import time

import yaml

from . import cli_common, cri, paths, staticpods, timefmt, versions

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


def cmd_ps(show_all: bool) -> int:
    rows = [("CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD")]
    for pod in staticpods.recorded_pods():
        running = staticpods.is_alive(pod)
        if not running and not show_all:
            continue
        age = timefmt.human_duration(time.time() - pod.get("startedAt", time.time()))
        rows.append((pod["id"][:13], pod.get("image", "")[:13], f"{age} ago",
                     "Running" if running else "Exited", pod["container"], str(pod.get("restarts", 0)),
                     _pod_id(pod)[:13], pod["podName"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


def _pod_id(record: dict) -> str:
    return record.get("podId") or record["id"]


def _command_options(args: list, value_flags: set, bool_flags: set) -> tuple:
    """A command's own flags (urfave/cli: flags before the arguments, --flag=value or --flag value)."""
    options, rest, items = {}, [], list(args)
    while items:
        arg = items.pop(0)
        name, has_value, value = arg.partition("=")
        if name in value_flags:
            options[name] = value if has_value else (items.pop(0) if items else None)
            if options[name] is None:
                raise ValueError(f"flag needs an argument: {name}")
        elif arg in bool_flags:
            options[arg] = True
        elif arg.startswith("-") and arg != "-":
            raise ValueError(f"flag provided but not defined: {arg}")
        else:
            rest.append(arg)
    return options, rest


def cmd_pods(args: list) -> int:
    """`crictl pods`: the static pods' sandboxes; --name and --namespace are regular expressions."""
    try:
        options, _ = _command_options(args, {"--name", "--namespace", "--state", "-s", "--id"}, {"-q", "--quiet", "-v", "--verbose"})
        name_re = re.compile(options.get("--name") or "")
        namespace_re = re.compile(options.get("--namespace") or "")
    except (ValueError, re.error) as exc:
        return _fatal(str(exc))
    wanted_state = (options.get("--state") or options.get("-s") or "").lower()
    if wanted_state not in ("", "ready", "notready"):
        return _fatal(f"--state should be ready or notready")
    rows = [("POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME")]
    quiet = []
    for pod in staticpods.recorded_pods():
        namespace = pod.get("namespace", "kube-system")
        state = "Ready" if staticpods.is_alive(pod) else "NotReady"
        sandbox = pod.get("sandboxName", pod["podName"])
        if not name_re.search(sandbox) or not namespace_re.search(namespace):
            continue
        if wanted_state and state.lower() != wanted_state:
            continue
        if options.get("--id") and not _pod_id(pod).startswith(options["--id"]):
            continue
        quiet.append(_pod_id(pod))
        age = timefmt.human_duration(time.time() - pod.get("startedAt", time.time()))
        rows.append((_pod_id(pod)[:13], f"{age} ago", state, sandbox, namespace, str(pod.get("restarts", 0)), "(default)"))
    if options.get("-q") or options.get("--quiet"):
        for pod_id in quiet:
            print(pod_id)
        return 0
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


def _find_pod(pod_id: str) -> dict | None:
    matches = [pod for pod in staticpods.recorded_pods() if _pod_id(pod).startswith(pod_id)]
    return matches[0] if len(matches) == 1 else None


def cmd_stop_remove(command: str, args: list) -> int:
    """`crictl stopp ID...` / `crictl rmp [-f] ID...`: the kubelet starts a static pod again on its next sync."""
    try:
        options, ids = _command_options(args, set(), {"-f", "--force"})
    except ValueError as exc:
        return _fatal(str(exc))
    if not ids:
        return _fatal("ID cannot be empty")
    force = bool(options.get("-f") or options.get("--force"))
    verb = "stopping" if command == "stopp" else "removing"
    for pod_id in ids:
        pod = _find_pod(pod_id)
        if pod is None:
            return _fatal(f'{verb} the pod sandbox "{pod_id}": rpc error: code = NotFound desc = an error occurred when try to find sandbox: not found')
        full = _pod_id(pod)
        if command == "stopp":
            staticpods.stop(pod, forget=False)
            print(f"Stopped sandbox {full}")
            continue
        if staticpods.is_alive(pod) and not force:
            return _fatal(f'{verb} the pod sandbox "{pod_id}": rpc error: code = Unknown desc = failed to remove sandbox '
                          f'"{full}": sandbox container "{full}" is not fully stopped')
        staticpods.stop(pod)
        print(f"Removed sandbox {full}")
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
    if command == "pods":
        return cmd_pods(args[1:])
    if command in ("stopp", "rmp"):
        return cmd_stop_remove(command, args[1:])
    if command not in ("version", "info"):
        return _fatal(f'No help topic for \'{command}\'')
    try:
        endpoint, answer = _connect(_endpoints(flag_endpoint, config_path))
    except cri.CRIError as exc:
        return _fatal(str(exc))
    return cmd_version(answer) if command == "version" else cmd_info(endpoint)
