"""kubeadm command dispatch and error printing."""
import json
import sys

import yaml

from .. import cli_common, clusterdata, versions
from ..apistore import ApiStatus
from ..errors import StandinError
from ..state import ClusterState
from . import certkey, certscmd, configcmd, init, join, reset, tokens, upgrade
from .config import DEFAULT_GROUPS, TOKEN_RE, duration
from .flags import Flags

INIT_FLAGS = Flags({
    "apiserver-advertise-address": "string", "apiserver-bind-port": "string", "apiserver-cert-extra-sans": "list",
    "cert-dir": "string", "certificate-key": "string", "config": "string", "control-plane-endpoint": "string",
    "cri-socket": "string", "dry-run": "bool", "feature-gates": "string", "ignore-preflight-errors": "list",
    "image-repository": "string", "kubernetes-version": "string", "node-name": "string", "patches": "string",
    "pod-network-cidr": "string", "service-cidr": "string", "service-dns-domain": "string",
    "skip-certificate-key-print": "bool", "skip-phases": "list", "skip-token-print": "bool", "token": "string",
    "token-ttl": "string", "upload-certs": "bool", "kubeconfig": "string"})
JOIN_FLAGS = Flags({
    "apiserver-advertise-address": "string", "apiserver-bind-port": "string", "certificate-key": "string",
    "config": "string", "control-plane": "bool", "cri-socket": "string", "discovery-file": "string",
    "discovery-token": "string", "discovery-token-ca-cert-hash": "list",
    "discovery-token-unsafe-skip-ca-verification": "bool", "dry-run": "bool", "ignore-preflight-errors": "list",
    "node-name": "string", "patches": "string", "skip-phases": "list", "tls-bootstrap-token": "string",
    "token": "string"})
RESET_FLAGS = Flags({"cert-dir": "string", "cleanup-tmp-dir": "bool", "cri-socket": "string", "dry-run": "bool",
                     "force": "bool", "ignore-preflight-errors": "list", "kubeconfig": "string",
                     "skip-phases": "list", "config": "string"}, {"f": "force"})
TOKEN_FLAGS = Flags({"kubeconfig": "string", "dry-run": "bool", "certificate-key": "string", "config": "string",
                     "description": "string", "groups": "list", "print-join-command": "bool", "ttl": "string",
                     "usages": "list", "output": "string", "allow-missing-template-keys": "bool"},
                    {"o": "output"})
VERSION_FLAGS = Flags({"output": "string"}, {"o": "output"})
CONFIG_FLAGS = Flags({"kubeconfig": "string", "config": "string", "kubernetes-version": "string",
                     "image-repository": "string", "cri-socket": "string", "component-configs": "list"})


def cmd_version(version: str, argv: list) -> int:
    flags, _, _ = VERSION_FLAGS.parse(argv)
    info = versions.version_info(version)
    output = flags.get("output", "")
    if output == "short":
        print(info["gitVersion"])
    elif output == "json":
        print(json.dumps({"clientVersion": info}, indent=2))
    elif output == "yaml":
        print(yaml.safe_dump({"clientVersion": info}, default_flow_style=False, sort_keys=True), end="")
    elif output == "":
        print(f"kubeadm version: {versions.go_struct(info)}")
    else:
        raise StandinError(f'invalid output format: {output}')
    return 0


def cmd_token(argv: list) -> int:
    flags, positionals, _ = TOKEN_FLAGS.parse(argv)
    action = positionals[0] if positionals else ""
    state = ClusterState()
    if action == "generate":
        print(tokens.generate())
        return 0
    admin = init.load_admin(flags.get("kubeconfig", "/etc/kubernetes/admin.conf"))
    clusterdata.for_client(state, admin)
    if action == "create":
        init.require_api(admin, "Post", "/api/v1/namespaces/kube-system/secrets?timeout=10s")
        return _token_create(state, admin, flags, positionals[1:])
    if action == "list":
        init.require_api(admin, "Get", "/api/v1/namespaces/kube-system/secrets?fieldSelector=type%3Dbootstrap.kubernetes.io%2Ftoken")
        sys.stdout.write(tokens.list_table(state))
        return 0
    if action == "delete":
        init.require_api(admin, "Delete", "/api/v1/namespaces/kube-system/secrets")
        for value in positionals[1:]:
            token_id = value.split(".")[0]
            if not tokens.delete(state, token_id):
                raise StandinError(f'failed to delete bootstrap token with name "bootstrap-token-{token_id}": '
                                   f'secrets "bootstrap-token-{token_id}" not found')
            print(f"bootstrap token \"{token_id}\" deleted")
        return 0
    raise StandinError(f'unknown command "{action}" for "kubeadm token"')


def _token_create(state: ClusterState, admin, flags: dict, positionals: list) -> int:
    value = positionals[0] if positionals else tokens.generate()
    if not TOKEN_RE.match(value):
        raise StandinError(f'token "<redacted>" was not of form "\\\\A([a-z0-9]{{6}})\\\\.([a-z0-9]{{16}})\\\\z"')
    if flags.get("certificate-key") and not flags.get("print-join-command"):
        raise StandinError("the --certificate-key flag can only be used together with --print-join-command")
    if flags.get("certificate-key"):
        certkey.decode_key(flags["certificate-key"])
    ttl = duration(flags.get("ttl"), float(state.settings()["token_ttl_seconds"]))
    tokens.store(state, value, ttl, flags.get("usages") or ["signing", "authentication"],
                 flags.get("groups") or list(DEFAULT_GROUPS), flags.get("description", ""))
    if not flags.get("print-join-command"):
        print(value)
        return 0
    cluster = clusterdata.record(state)
    server = admin.server.split("://", 1)[-1]
    print(init.join_command(server, value, cluster["caCertHash"], bool(flags.get("certificate-key")),
                            flags.get("certificate-key", ""), single_line=True))
    return 0


COMMANDS_HELP = """
    ┌──────────────────────────────────────────────────────────┐
    │ KUBEADM                                                  │
    │ Easily bootstrap a secure Kubernetes cluster             │
    └──────────────────────────────────────────────────────────┘

Usage:
  kubeadm [command]

Available Commands:
  certs       Commands related to handling kubernetes certificates
  config      Manage configuration for a kubeadm cluster persisted in a ConfigMap in the cluster
  init        Run this command in order to set up the Kubernetes control plane
  join        Run this on any machine you wish to join an existing cluster
  reset       Performs a best effort revert of changes made to this host by 'kubeadm init' or 'kubeadm join'
  token       Manage bootstrap tokens
  upgrade     Upgrade your cluster smoothly to a newer version with this command
  version     Print the version of kubeadm
"""


def dispatch(version: str, argv: list) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command in ("", "help", "--help", "-h"):
        print(COMMANDS_HELP)
        return 0
    if command == "version":
        return cmd_version(version, rest)
    if command == "init":
        if rest[:1] == ["phase"]:
            if rest[1:2] != ["upload-certs"]:
                raise StandinError(f'unknown command "{" ".join(rest[1:2])}" for "kubeadm init phase"')
            flags, _, given = INIT_FLAGS.parse(rest[2:])
            return init.upload_certs_phase(version, flags, given)
        flags, _, given = INIT_FLAGS.parse(rest)
        return init.run(version, flags, given)
    if command == "join":
        flags, positionals, given = JOIN_FLAGS.parse(rest)
        return join.run(version, flags, given, positionals)
    if command == "reset":
        flags, _, _ = RESET_FLAGS.parse(rest)
        return reset.run(flags)
    if command == "token":
        return cmd_token(rest)
    if command == "upgrade":
        return upgrade.dispatch(version, rest)
    if command == "config":
        flags, positionals, _ = CONFIG_FLAGS.parse(rest)
        return configcmd.run(version, flags, positionals)
    if command == "certs":
        if rest[:1] == ["certificate-key"]:
            print(certkey.new_key())
            return 0
        return certscmd.dispatch(version, rest)
    raise StandinError(f'unknown command "{command}" for "kubeadm"\nRun \'kubeadm --help\' for usage.')


def main(version: str, argv: list) -> int:
    cli_common.setup()
    try:
        return dispatch(version, argv)
    except (StandinError, ApiStatus) as exc:   # an API error outside a phase (token ...): its message, no traceback
        sys.stdout.flush()
        print(exc.message, file=sys.stderr)
        print("To see the stack trace of this error execute with --v=5 or higher", file=sys.stderr)
        return exc.exit_code if isinstance(exc, StandinError) else 1
    except KeyboardInterrupt:
        return 130
