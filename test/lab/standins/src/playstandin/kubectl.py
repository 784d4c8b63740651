"""The kubectl stand-in: version, cluster-info, get, apply, delete, wait (and, in kubectl_nodes,
cordon, uncordon, drain, label, annotate).

A pure API client, like the real one: every command goes through the server in the
kubeconfig (KUBECONFIG / --kubeconfig / ~/.kube/config), so an unreachable endpoint, a
certificate without the endpoint's name or a stale CA fail with kubectl's messages.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

import yaml

from . import cli_common, httpclient, jsonpath, kubeconfig, kubectl_nodes, kubectl_print, timefmt, versions
from .errors import StandinError
from .resources import Registry

GLOBAL_VALUE_FLAGS = {"kubeconfig", "context", "namespace", "output", "filename", "for", "timeout", "selector",
                      "request-timeout", "server", "field-manager", "grace-period"}
SHORT = {"n": "namespace", "o": "output", "f": "filename", "l": "selector", "A": "all-namespaces", "s": "server"}
BOOL_FLAGS = {"all-namespaces", "all", "client", "no-headers", "ignore-not-found", "short", "wait", "help",
              "insecure-skip-tls-verify", "ignore-daemonsets", "delete-emptydir-data", "force", "overwrite"}


class Args:
    def __init__(self, argv: list):
        self.flags, self.positionals, self.filenames = {}, [], []
        items = list(argv)
        while items:
            arg = items.pop(0)
            if arg == "--" or not arg.startswith("-") or arg == "-":
                self.positionals.append(arg)
                continue
            name, has_value, value = arg.lstrip("-").partition("=")
            if not arg.startswith("--"):
                key = name[0]
                if len(name) > 1 and not has_value:
                    value, has_value = name[1:], True
                name = SHORT.get(key) or _fail(f"error: unknown shorthand flag: '{key}' in {arg}")
            if name in BOOL_FLAGS:
                self.flags[name] = value.lower() != "false" if has_value else True
                continue
            if name not in GLOBAL_VALUE_FLAGS:
                _fail(f"error: unknown flag: --{name}")
            if not has_value:
                value = items.pop(0) if items else _fail(f"error: flag needs an argument: --{name}")
            if name == "filename":
                self.filenames.append(value)
            else:
                self.flags[name] = value

    def get(self, name: str, default=None):
        return self.flags.get(name, default)


def _fail(message: str):
    raise StandinError(message)


# -- connection ------------------------------------------------------------------------
def load_config(args: Args) -> kubeconfig.Kubeconfig | None:
    explicit = args.get("kubeconfig")
    candidates = [explicit] if explicit else [p for p in os.environ.get("KUBECONFIG", "").split(":") if p]
    if not candidates:
        candidates = [os.path.join(os.path.expanduser("~"), ".kube", "config")]
    for path in candidates:
        if not os.path.exists(path):
            if explicit:
                raise StandinError(f"error: stat {path}: no such file or directory")
            continue   # client-go skips missing files in KUBECONFIG
        try:
            return kubeconfig.load(path, args.get("context"))
        except PermissionError:
            raise StandinError(f'error: error loading config file "{path}": open {path}: permission denied') from None
        except ValueError as exc:
            raise StandinError(f"error: {exc}") from None
    return None


class Api:
    def __init__(self, args: Args):
        self.config = load_config(args)
        self.hostport = httpclient.split_server(self.config.server)[2] if self.config else "localhost:8080"

    def _unreachable(self, exc: httpclient.TransportError | None, discovery: bool) -> StandinError:
        if discovery and exc is not None:
            stamp = time.strftime("%m%d %H:%M:%S")
            line = (f"E{stamp}.000000 {os.getpid():>7} memcache.go:265] couldn't get current server API group list: "
                    f'Get "https://{self.hostport}/api?timeout=32s": {exc.message}')
            print("\n".join([line] * 5), file=sys.stderr)
        if exc is None or exc.kind == "refused":
            return StandinError(f"The connection to the server {self.hostport} was refused - did you specify the right host or port?")
        return StandinError(f"Unable to connect to the server: {exc.message}")

    def request(self, path: str, method: str = "GET", body=None, discovery: bool = True) -> httpclient.Response:
        if not self.config:
            raise self._unreachable(None, discovery)
        try:
            answer = self.config.request(path, method, body)
        except httpclient.TransportError as exc:
            raise self._unreachable(exc, discovery) from None
        if answer.status == 401:
            raise StandinError("error: You must be logged in to the server (Unauthorized)")
        return answer

    def registry(self) -> Registry:
        answer = self.request("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
        return Registry(answer.json().get("items", []) if answer.status == 200 else [])


def server_error(answer: httpclient.Response, context: str = "") -> StandinError:
    body = answer.json() if answer.body else {}
    return StandinError(f"Error from server ({body.get('reason', 'InternalError')}): {context}{body.get('message', '')}")


# -- commands --------------------------------------------------------------------------
def cmd_version(version: str, args: Args) -> int:
    info = versions.version_info(version)
    output = args.get("output", "")
    document = {"clientVersion": info, "kustomizeVersion": versions.kustomize_version(version)}
    server_error_ = None
    if not args.get("client"):
        try:
            document["serverVersion"] = Api(args).request("/version", discovery=False).json()
        except StandinError as exc:
            server_error_ = exc
    if output == "json":
        print(json.dumps(document, indent=2))
    elif output == "yaml":
        print(yaml.safe_dump(document, default_flow_style=False, sort_keys=True), end="")
    else:
        print(f"Client Version: {info['gitVersion']}\nKustomize Version: {document['kustomizeVersion']}")
        if "serverVersion" in document:
            print(f"Server Version: {document['serverVersion']['gitVersion']}")
    if server_error_:
        raise server_error_
    return 0


def cmd_cluster_info(args: Args) -> int:
    api = Api(args)
    footer = "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."
    try:
        api.request("/api")
    except StandinError:
        print(footer.strip())
        raise
    server = api.config.server
    print(f"\x1b[0;32mKubernetes control plane\x1b[0m is running at \x1b[0;33m{server}\x1b[0m")
    services = api.request("/api/v1/namespaces/kube-system/services").json().get("items", [])
    for service in services:
        labels = service["metadata"].get("labels", {})
        if labels.get("kubernetes.io/cluster-service") == "true":
            name = labels.get("kubernetes.io/name", service["metadata"]["name"])
            port = (service["spec"].get("ports") or [{}])[0].get("name", "")
            url = f"{server}/api/v1/namespaces/kube-system/services/{service['metadata']['name']}:{port}/proxy"
            print(f"\x1b[0;32m{name}\x1b[0m is running at \x1b[0;33m{url}\x1b[0m")
    print(footer)
    return 0


def _namespace(args: Args) -> str:
    return args.get("namespace") or "default"


def _resource_and_names(api: Api, positionals: list) -> tuple:
    if not positionals:
        raise StandinError("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.")
    first, names = positionals[0], positionals[1:]
    if "/" in first:
        first, name = first.split("/", 1)
        names = [name, *names]
    resource = api.registry().by_name(first)
    if not resource:
        raise StandinError(f'error: the server doesn\'t have a resource type "{first}"')
    return resource, names


def _print_objects(resource, items: list, args: Args, with_namespace: bool, single: bool) -> None:
    output = args.get("output", "")
    if output in ("json", "yaml"):
        document = items[0] if single else {"apiVersion": "v1", "items": items, "kind": "List",
                                            "metadata": {"resourceVersion": ""}}
        print(json.dumps(document, indent=4) if output == "json" else
              yaml.safe_dump(document, default_flow_style=False, sort_keys=True), end="\n" if output == "json" else "")
    elif output == "name":
        for item in items:
            print(f"{resource.qualified}/{item['metadata']['name']}")
    elif output.startswith("jsonpath="):
        document = items[0] if single else {"apiVersion": "v1", "items": items, "kind": "List"}
        sys.stdout.write(jsonpath.render(output[len("jsonpath="):], document))
    elif output in ("", "wide"):
        sys.stdout.write(kubectl_print.table(resource.kind, items, output == "wide", with_namespace,
                                             bool(args.get("no-headers"))))
    else:
        raise StandinError(f'error: unable to match a printer suitable for the output format "{output}", allowed '
                           'formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,'
                           'jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml')


def cmd_get(args: Args) -> int:
    api = Api(args)
    resource, names = _resource_and_names(api, args.positionals)
    all_namespaces = bool(args.get("all-namespaces")) and resource.namespaced
    namespace = None if all_namespaces else _namespace(args)
    if names:
        items = []
        for name in names:
            answer = api.request(resource.path(namespace, name))
            if answer.status != 200:
                raise server_error(answer)
            items.append(answer.json())
        _print_objects(resource, items, args, False, single=len(names) == 1)
        return 0
    answer = api.request(resource.path(namespace))
    if answer.status != 200:
        raise server_error(answer)
    items = answer.json().get("items", [])
    if not items and args.get("output", "") in ("", "wide", "name"):
        where = "" if not resource.namespaced or all_namespaces else f" in {namespace} namespace"
        print(f"No resources found{where}.", file=sys.stderr)
        return 0
    _print_objects(resource, items, args, all_namespaces, single=False)
    return 0


# -- apply / delete -----------------------------------------------------------------------
def _read_source(name: str) -> list:
    """(source label, text) pairs for -f: a file, a directory, a URL or - (stdin)."""
    if name == "-":
        return [("STDIN", sys.stdin.read())]
    if name.startswith(("http://", "https://")):
        # Straight to the given host: the lab network has no proxy, and an inherited
        # http_proxy must never carry lab traffic elsewhere.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(name, timeout=30) as response:
                return [(name, response.read().decode())]
        except urllib.error.HTTPError as exc:
            raise StandinError(f'error: unable to read URL "{name}", server reported {exc.code} {exc.reason}, '
                               f"status code={exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StandinError(f'error: Get "{name}": {getattr(exc, "reason", exc)}') from None
    if os.path.isdir(name):
        files = sorted(f for f in os.listdir(name) if f.endswith((".yaml", ".yml", ".json")))
        return [pair for f in files for pair in _read_source(os.path.join(name, f))]
    if not os.path.exists(name):
        raise StandinError(f'error: the path "{name}" does not exist')
    with open(name, encoding="utf-8") as handle:
        return [(name, handle.read())]


def _objects(args: Args) -> list:
    if not args.filenames:
        raise StandinError("error: must specify one of -f and -k")
    found = []
    for filename in args.filenames:
        for source, text in _read_source(filename):
            try:
                docs = list(yaml.safe_load_all(text))
            except yaml.YAMLError as exc:
                raise StandinError(f'error: error parsing {source}: {str(exc).splitlines()[0]}') from None
            for doc in docs:
                if not doc:
                    continue
                for obj in doc.get("items", []) if doc.get("kind", "").endswith("List") else [doc]:
                    found.append((source, obj))
    return found


def _target(api: Api, registry: Registry, args: Args, source: str, obj: dict):
    resource = registry.by_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
    name = obj.get("metadata", {}).get("name", "")
    if not resource:
        namespace = obj.get("metadata", {}).get("namespace", "")
        raise StandinError(f'error: resource mapping not found for name: "{name}" namespace: "{namespace}" from '
                           f'"{source}": no matches for kind "{obj.get("kind")}" in version "{obj.get("apiVersion")}"\n'
                           "ensure CRDs are installed first")
    namespace = None
    if resource.namespaced:
        declared = obj.get("metadata", {}).get("namespace")
        flag = args.get("namespace")
        if declared and flag and declared != flag:
            raise StandinError(f'error: the namespace from the provided object "{declared}" does not match the '
                               f"namespace \"{flag}\". You must pass '--namespace={declared}' to perform this operation.")
        namespace = declared or flag or "default"
        obj.setdefault("metadata", {})["namespace"] = namespace
    return resource, namespace, name


def cmd_apply(args: Args) -> int:
    api = Api(args)
    objects = _objects(args)
    registry = api.registry()
    errors = []
    for source, obj in objects:
        try:
            resource, namespace, name = _target(api, registry, args, source, obj)
        except StandinError as exc:
            errors.append(exc.message)
            continue
        answer = api.request(resource.path(namespace, name) + "?fieldManager=kubectl-client-side-apply", "PATCH", obj)
        if answer.status in (200, 201):
            print(f"{resource.qualified}/{name} {answer.headers.get('X-Standin-Apply', 'configured')}")
        else:
            errors.append(server_error(answer, f'error when creating "{source}": ').message)
    if errors:
        raise StandinError("\n".join(errors))
    return 0


def cmd_delete(args: Args) -> int:
    api = Api(args)
    targets = []
    if args.filenames:
        registry = api.registry()
        for source, obj in _objects(args):
            resource, namespace, name = _target(api, registry, args, source, obj)
            targets.append((resource, namespace, name, f'error when deleting "{source}": '))
    else:
        resource, names = _resource_and_names(api, args.positionals)
        if not names:
            raise StandinError("error: resource(s) were provided, but no name was specified")
        namespace = _namespace(args) if resource.namespaced else None
        targets = [(resource, namespace, name, "") for name in names]
    errors = []
    for resource, namespace, name, context in targets:
        answer = api.request(resource.path(namespace, name), "DELETE")
        if answer.status == 200:
            print(f'{resource.qualified} "{name}" deleted')
        elif not (answer.status == 404 and args.get("ignore-not-found")):
            errors.append(server_error(answer, context).message)
    if errors:
        raise StandinError("\n".join(errors))
    return 0


# -- wait --------------------------------------------------------------------------------
def _timeout(args: Args, default: str = "30s") -> float:
    text = args.get("timeout", default)
    try:
        return float(text) if text.replace(".", "").isdigit() else timefmt.parse_go_duration(text)
    except ValueError as exc:
        raise StandinError(f'invalid argument "{text}" for "--timeout" flag: {exc}') from None


def cmd_wait(args: Args) -> int:
    condition = args.get("for", "")
    if not condition.startswith("condition="):
        raise StandinError("error: --for must be set to one of: condition=..., delete, jsonpath=...")
    wanted, _, expected = condition[len("condition="):].partition("=")
    expected = expected or "True"
    api = Api(args)
    resource, names = _resource_and_names(api, args.positionals)
    namespace = None if args.get("all-namespaces") else (_namespace(args) if resource.namespaced else None)
    deadline = time.monotonic() + _timeout(args)
    if args.get("all") and not names:
        answer = api.request(resource.path(namespace))
        names = [item["metadata"]["name"] for item in answer.json().get("items", [])]
        if not names:
            raise StandinError("error: no matching resources found")
    if not names:
        raise StandinError("error: resource(s) were provided, but no name was specified")
    for name in names:
        while True:
            answer = api.request(resource.path(namespace, name))
            if answer.status == 404:
                raise server_error(answer)
            status = next((c.get("status") for c in answer.json().get("status", {}).get("conditions", []) or []
                           if c.get("type", "").lower() == wanted.lower()), None)
            if status is not None and status.lower() == expected.lower():
                print(f"{resource.kind.lower()}/{name} condition met")
                break
            if time.monotonic() >= deadline:
                raise StandinError(f"error: timed out waiting for the condition on {resource.plural}/{name}")
            time.sleep(1.0)
    return 0


COMMANDS = {"get": cmd_get, "apply": cmd_apply, "delete": cmd_delete, "wait": cmd_wait, "cluster-info": cmd_cluster_info,
            "drain": lambda args: kubectl_nodes.cmd_drain(Api, args, _timeout),
            "cordon": lambda args: kubectl_nodes.cmd_cordon(Api, args, True),
            "uncordon": lambda args: kubectl_nodes.cmd_cordon(Api, args, False),
            "label": lambda args: kubectl_nodes.cmd_metadata(Api, args, _resource_and_names, "labels"),
            "annotate": lambda args: kubectl_nodes.cmd_metadata(Api, args, _resource_and_names, "annotations")}


def main(version: str, argv: list) -> int:
    cli_common.setup()
    try:
        args = Args(argv)
        command = args.positionals.pop(0) if args.positionals else ""
        if command == "version":
            return cmd_version(version, args)
        if command not in COMMANDS:
            if not command:
                print("kubectl controls the Kubernetes cluster manager.\n\n Find more information at: "
                      "https://kubernetes.io/docs/reference/kubectl/")
                return 0
            raise StandinError(f'error: unknown command "{command}" for "kubectl"')
        return COMMANDS[command](args)
    except StandinError as exc:
        sys.stdout.flush()
        print(exc.message, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
