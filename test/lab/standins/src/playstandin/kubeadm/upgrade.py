"""kubeadm upgrade plan|apply|node (cmd/kubeadm/app/cmd/upgrade/{plan,apply,node,common}.go).

The cluster's version is ClusterConfiguration.kubernetesVersion in the kubeadm-config ConfigMap
(the cluster record in the shared state keeps the same value). `apply` enforces kubeadm's skew
policy (upgradepolicy.py), upgrades this node's static Pods, then stores the new version in
kubeadm-config. `node` upgrades this node to whatever version kubeadm-config holds: on a control
plane its manifests, on every node /var/lib/kubelet/config.yaml from the kubelet-config ConfigMap.
Run before any `apply`, `node` therefore "upgrades" to the version the cluster already has and
succeeds, as the real one does.

Output follows kubeadm 1.30 for 1.29/1.30 and the phased wording (1.31 onwards) for 1.31.
"""

from __future__ import annotations

import contextlib
import os
import sys

import yaml

from .. import apistore, clusterdata, kubeconfig, paths, versions
from ..errors import StandinError
from ..state import ClusterState
from . import init, kubeletstart, preflight, staticpodupgrade, upgradepolicy
from .config import resolve_kubernetes_version
from .flags import Flags
from .phase import phase
from .reset import _node_name as local_node_name

# Only the flags the stand-in acts on; others fail like an unknown flag instead of being ignored.
COMMON = {"kubeconfig": "string", "ignore-preflight-errors": "list", "allow-experimental-upgrades": "bool",
          "allow-release-candidate-upgrades": "bool"}
PLAN_FLAGS = Flags(COMMON)
APPLY_FLAGS = Flags({**COMMON, "yes": "bool", "force": "bool", "dry-run": "bool", "etcd-upgrade": "bool",
                     "certificate-renewal": "bool"}, {"y": "yes", "f": "force"})
NODE_FLAGS = Flags({"kubeconfig": "string", "dry-run": "bool", "etcd-upgrade": "bool", "certificate-renewal": "bool",
                    "ignore-preflight-errors": "list"})
ADMIN_CONF = "/etc/kubernetes/admin.conf"
KUBELET_CONF = "/etc/kubernetes/kubelet.conf"
SEPARATOR = "_" * 69


def phased(kubeadm_version: str) -> bool:
    """kubeadm 1.31 split upgrade apply/node into phases and reworded their output."""
    return versions.split(kubeadm_version)[1] >= 31


# -- the cluster as kubeadm reads it --------------------------------------------------------
def client(path: str):
    try:
        return kubeconfig.load(paths.host_path(path))
    except (FileNotFoundError, PermissionError) as exc:
        reason = "no such file or directory" if isinstance(exc, FileNotFoundError) else "permission denied"
        raise StandinError(f'couldn\'t create a Kubernetes client from file "{path}": failed to load admin '
                           f"kubeconfig: open {path}: {reason}") from None


def server_version(api) -> str:
    """Discovery's ServerVersion through the kubeconfig's server (the endpoint)."""
    init.require_api(api, "Get", "/version?timeout=32s")
    return api.request("/version").json()["gitVersion"]


def cluster_configuration(state: ClusterState) -> dict | None:
    resource = apistore.registry(state).by_kind("v1", "ConfigMap")
    try:
        found = apistore.get_object(state, resource, "kube-system", "kubeadm-config")
    except apistore.ApiStatus:
        return None
    return yaml.safe_load(found["data"]["ClusterConfiguration"])


def store_cluster_version(state: ClusterState, version: str) -> None:
    """upload-config: the new kubernetesVersion in kubeadm-config and in the cluster record."""
    resource = apistore.registry(state).by_kind("v1", "ConfigMap")
    found = apistore.get_object(state, resource, "kube-system", "kubeadm-config")
    config = yaml.safe_load(found["data"]["ClusterConfiguration"])
    config["kubernetesVersion"] = version
    apistore.apply_object(state, resource, {"apiVersion": "v1", "kind": "ConfigMap",
                                            "metadata": {"name": "kubeadm-config", "namespace": "kube-system"},
                                            "data": {**found["data"], "ClusterConfiguration": kubeconfig.dump_yaml(config)}})
    if clusterdata.in_objects(state):
        return   # kubeadm-config is the record there
    with state.locked():
        record = state.read("cluster")
        record["kubernetesVersion"] = version
        state.write("cluster", record)


def kubelet_versions(state: ClusterState) -> list:
    return sorted({node["status"].get("nodeInfo", {}).get("kubeletVersion", "") for node in apistore.stored_nodes(state)} - {""})


def read_config(state: ClusterState, phased_output: bool, for_node: bool) -> dict:
    if phased_output:
        print('[upgrade] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...')
        print("[upgrade] Use 'kubeadm init phase upload-config --config your-config.yaml' to re-upload it.")
    else:
        prefix = "[upgrade]" if for_node else "[upgrade/config]"
        print(f"{prefix} Reading configuration from the cluster...")
        print(f"{prefix} FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'")
    config = cluster_configuration(state)
    if config is None:
        if for_node:
            raise StandinError('unable to fetch the kubeadm-config ConfigMap: failed to get config map: '
                               'configmaps "kubeadm-config" not found')
        raise StandinError('[upgrade/init config] FATAL: failed to get config map: configmaps "kubeadm-config" not found')
    return config


def health_checks(state: ClusterState, ignored: list) -> None:
    """CheckClusterHealth: the control planes Ready and this host's manifests present (the stand-in
    runs no Jobs, so the CreateJob check always passes)."""
    print("[upgrade] Running cluster health checks")
    not_ready = sorted(node["metadata"]["name"] for node in apistore.nodes(state)
                       if "node-role.kubernetes.io/control-plane" in node["metadata"].get("labels", {})
                       and not apistore.node_is_ready(node))
    errors = []
    if not_ready:
        errors.append(("ControlPlaneNodesReady", f"there are NotReady control-planes in the cluster: [{' '.join(not_ready)}]"))
    missing = [staticpodupgrade.manifest_path(c) for c in staticpodupgrade.COMPONENTS
               if not os.path.exists(paths.host_path(staticpodupgrade.manifest_path(c)))]
    if missing:
        errors.append(("StaticPodManifest", "The control plane seems to be Static Pod-hosted, but some of the manifests "
                       "don't seem to exist on disk. This probably means you're running 'kubeadm upgrade' on a remote "
                       "machine, which is not supported for a Static Pod-hosted cluster. Manifest files not found: "
                       f"[{' '.join(missing)}]"))
    try:
        preflight.run(errors, [], ignored)
    except StandinError as exc:
        raise StandinError(f"[upgrade/health] FATAL: {exc.message}") from None


def root_check(ignored: list, line: str) -> None:
    print(line)
    preflight.run(preflight.is_privileged_user(), [], ignored)


# -- upgrade plan -------------------------------------------------------------------------------
def cmd_plan(kubeadm_version: str, argv: list) -> int:
    flags, positionals, _ = PLAN_FLAGS.parse(argv)
    ignored = flags.get("ignore-preflight-errors", [])
    api = client(flags.get("kubeconfig", ADMIN_CONF))
    state = clusterdata.for_client(ClusterState(), api)
    root_check(ignored, "[preflight] Running pre-flight checks.")
    current = server_version(api)
    read_config(state, False, for_node=False)
    health_checks(state, ignored)
    print("[upgrade] Fetching available versions to upgrade to")
    target = (upgradepolicy.normalize(positionals[0]) if positionals
              else resolve_kubernetes_version(None, kubeadm_version))
    print(f"[upgrade/versions] Cluster version: {current.lstrip('v')}")
    print(f"[upgrade/versions] kubeadm version: v{kubeadm_version}")
    print(f"[upgrade/versions] Target version: {target}")
    now, new = upgradepolicy.Version(current), upgradepolicy.Version(target)
    series = target if (new.major, new.minor) == (now.major, now.minor) and now.less_than(new) else current
    print(f"[upgrade/versions] Latest version in the v{now.major}.{now.minor} series: {series}")
    print()
    if now.less_than(new):
        print(plan_tables(state, current, target, now.minor == new.minor))
    return 0


def _table(rows: list) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def plan_tables(state: ClusterState, current: str, target: str, same_minor: bool) -> str:
    nodes = apistore.stored_nodes(state)
    kubelets = [("COMPONENT", "NODE", "CURRENT", "TARGET")] + [
        ("kubelet", n["metadata"]["name"], n["status"].get("nodeInfo", {}).get("kubeletVersion", ""), target) for n in nodes]
    control_planes = [n["metadata"]["name"] for n in nodes
                      if "node-role.kubernetes.io/control-plane" in n["metadata"].get("labels", {})]
    components = [("COMPONENT", "NODE", "CURRENT", "TARGET")]
    for component in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        for name in control_planes:
            image, _ = staticpodupgrade.reported_image(state, name, component)
            components.append((component, name, image.rsplit(":", 1)[-1] if image else current, target))
    components.append(("kube-proxy", "", current.lstrip("v"), target))
    heading = (f"Upgrade to the latest version in the v{'.'.join(target.lstrip('v').split('.')[:2])} series:"
               if same_minor else "Upgrade to the latest stable version:")
    return ("Components that must be upgraded manually after you have upgraded the control plane with "
            f"'kubeadm upgrade apply':\n{_table(kubelets)}\n\n{heading}\n\n{_table(components)}\n\n"
            f"You can now apply the upgrade by executing the following command:\n\n\tkubeadm upgrade apply {target}\n\n"
            f"{SEPARATOR}\n")


# -- upgrade apply ------------------------------------------------------------------------------
def enforce_policy(current: str, kubeadm_version: str, target: str, state: ClusterState, flags: dict,
                   phased_output: bool) -> None:
    mandatory, skippable = upgradepolicy.enforce(current, f"v{kubeadm_version}", target, kubelet_versions(state),
                                                 bool(flags.get("allow-experimental-upgrades")),
                                                 bool(flags.get("allow-release-candidate-upgrades")))
    argument = "version argument" if phased_output else "--version argument"
    prefix = "" if phased_output else "[upgrade/version] FATAL: "
    if mandatory:
        raise StandinError(f"{prefix}the {argument} is invalid due to these fatal errors:\n\n"
                           f"{upgradepolicy.format_errors(mandatory)}\n"
                           "Please fix the misalignments highlighted above and try upgrading again")
    if skippable and not flags.get("force"):
        raise StandinError(f"{prefix}the {argument} is invalid due to these errors:\n\n"
                           f"{upgradepolicy.format_errors(skippable)}\nCan be bypassed if you pass the --force flag")
    if skippable:
        print(f"[upgrade/version] Found {len(skippable)} potential version compatibility errors but skipping since "
              f"the --force flag is set: \n\n{upgradepolicy.format_errors(skippable)}", end="")


def confirm() -> None:
    print("[upgrade] Are you sure you want to proceed? [y/N]: ", end="", flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise StandinError("won't proceed; the user didn't answer (Y|y) in order to continue")


def prepull(phased_output: bool, dry_run: bool, tag: str) -> None:
    if dry_run:
        print(f"{tag} Would pull the required images (like 'kubeadm config images pull')")
        return
    print(f"{tag} Pulling images required for setting up a Kubernetes cluster")
    print(f"{tag} This might take a minute or two, depending on the speed of your internet connection")
    where = "beforehand" if phased_output else "in beforehand"
    print(f"{tag} You can also perform this action {where} using 'kubeadm config images pull'")


def cmd_apply(kubeadm_version: str, argv: list) -> int:
    flags, positionals, _ = APPLY_FLAGS.parse(argv)
    # cmd/util ValidateExactArgNumber, before anything runs
    given = [arg for arg in positionals if arg]
    if len(given) != 1:
        raise StandinError(f"{'too many' if given else 'missing one or more required'} arguments. "
                           "Required arguments: [version]")
    flags.setdefault("etcd-upgrade", True)
    new_output = phased(kubeadm_version)
    api = client(flags.get("kubeconfig", ADMIN_CONF))
    state = clusterdata.for_client(ClusterState(), api)
    with phase("preflight") if new_output else contextlib.nullcontext():
        target = apply_preflight(kubeadm_version, given[0], state, api, flags, new_output)
    node_name = local_node_name()
    where = ("[upgrade/control-plane] Upgrading your static Pod-hosted" if new_output
             else "[upgrade/apply] Upgrading your Static Pod-hosted")
    print(f'{where} control plane to version "{target}" (timeout: 5m0s)...')
    if flags.get("dry-run"):
        print("[dryrun] The play lab stand-in does not print the would-be manifests; nothing was changed")
        print("[dryrun] Finished dryrunning successfully!")
        return 0
    with phase("control-plane") if new_output else contextlib.nullcontext():
        try:
            staticpodupgrade.Upgrade(state, node_name, target, new_output).run(bool(flags["etcd-upgrade"]))
        except StandinError as exc:
            raise StandinError(exc.message if new_output else f"[upgrade/apply] FATAL: {exc.message}") from None
        if new_output:
            print("[upgrade/control-plane] The control plane instance for this node was successfully upgraded!")
    apply_post_upgrade(state, node_name, target, new_output)
    print()
    if new_output:
        print(f'[upgrade] SUCCESS! A control plane node of your cluster was upgraded to "{target}".\n')
        print("[upgrade] Now please proceed with upgrading the rest of the nodes by following the right order.")
    else:
        print(f'[upgrade/successful] SUCCESS! Your cluster was upgraded to "{target}". Enjoy!\n')
        print("[upgrade/kubelet] Now that your control plane is upgraded, please proceed with upgrading your kubelets "
              "if you haven't already done so.")
    return 0


def apply_preflight(kubeadm_version: str, version: str, state: ClusterState, api, flags: dict, new_output: bool) -> str:
    """Everything before a change: root, kubeadm-config, health, the skew policy, the prompt; returns the target."""
    ignored = flags.get("ignore-preflight-errors", [])
    if new_output:
        read_config(state, True, for_node=False)
        root_check(ignored, "[upgrade/preflight] Running preflight checks")
    else:
        root_check(ignored, "[preflight] Running pre-flight checks.")
        read_config(state, False, for_node=False)
    health_checks(state, ignored)
    target = upgradepolicy.normalize(version)
    current = server_version(api)
    chosen = ("[upgrade/preflight] You have chosen to upgrade the cluster version to" if new_output
              else "[upgrade/version] You have chosen to change the cluster version to")
    print(f'{chosen} "{target}"')
    print(f"[upgrade/versions] Cluster version: {current}")
    print(f"[upgrade/versions] kubeadm version: v{kubeadm_version}")
    enforce_policy(current, kubeadm_version, target, state, flags, new_output)
    if not (flags.get("yes") or flags.get("force") or flags.get("dry-run")):
        confirm()
    prepull(new_output, bool(flags.get("dry-run")), "[upgrade/preflight]" if new_output else "[upgrade/prepull]")
    return target


def apply_post_upgrade(state: ClusterState, node_name: str, target: str, new_output: bool) -> None:
    """upload-config, kubelet-config, bootstrap-token RBAC (already there) and the addons."""
    print('[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace')
    store_cluster_version(state, target)
    print('[kubelet] Creating a ConfigMap "kubelet-config" in namespace kube-system with the configuration for the kubelets in the cluster')
    if new_output:
        print("[upgrad/kubeconfig] The kubeconfig files for this node were successfully upgraded!")   # sic, kubeadm 1.31/1.32
    refresh_kubelet_config(state, new_output)
    if new_output:
        print("[upgrade/bootstrap-token] Configuring bootstrap token and cluster-info RBAC rules")
    for line in ("Configured RBAC rules to allow Node Bootstrap tokens to get nodes",
                 "Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials",
                 "Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token",
                 "Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster"):
        print(f"[bootstrap-token] {line}")
    upgrade_addons(state, node_name, target)


def refresh_kubelet_config(state: ClusterState, phased_output: bool) -> None:
    """kubelet-config phase: /var/lib/kubelet/config.yaml from the kubelet-config ConfigMap, the old one backed up."""
    resource = apistore.registry(state).by_kind("v1", "ConfigMap")
    try:
        found = apistore.get_object(state, resource, "kube-system", "kubelet-config")
    except apistore.ApiStatus as exc:
        raise StandinError(f"failed to get config map: {exc.message}") from None
    backup = f"{staticpodupgrade.temp_dir('kubeadm-kubelet-config')}/config.yaml"
    print(f"[upgrade] Backing up kubelet config file to {backup}")
    config_file = paths.host_path(kubeletstart.CONFIG_FILE)
    try:
        os.replace(config_file, paths.host_path(backup))
    except FileNotFoundError:
        raise StandinError(f"error backing up the kubelet config file: rename {kubeletstart.CONFIG_FILE} {backup}: "
                           "no such file or directory") from None
    paths.write_file(config_file, found["data"]["kubelet"], 0o644)
    print(f'[kubelet-start] Writing kubelet configuration to file "{kubeletstart.CONFIG_FILE}"')
    if phased_output:
        print("[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!")


def unupgraded_control_planes(state: ClusterState, node_name: str) -> list:
    """UnupgradedControlPlaneInstances: nodes whose kube-apiserver runs another image than this node's."""
    images = {}
    for pod in apistore.pods(state):
        if pod["metadata"].get("labels", {}).get("component") == "kube-apiserver":
            images[pod["spec"].get("nodeName", "")] = pod["spec"]["containers"][0].get("image", "")
    mine = images.get(node_name)
    if mine is None:
        raise StandinError(f"failed to determine whether all the control plane instances have been upgraded: "
                           f"failed to find the kube-apiserver pod for node {node_name}")
    return sorted(name for name, image in images.items() if image != mine)


def upgrade_addons(state: ClusterState, node_name: str, version: str) -> None:
    behind = unupgraded_control_planes(state, node_name)
    if behind:
        print(f"[upgrade/addons] skip upgrade addons because control plane instances [{' '.join(behind)}] have not been upgraded")
        return
    registry = apistore.registry(state)
    daemonsets = registry.by_kind("apps/v1", "DaemonSet")
    try:
        proxy = apistore.get_object(state, daemonsets, "kube-system", "kube-proxy")
    except apistore.ApiStatus:
        proxy = None
    if proxy:
        updated = yaml.safe_load(yaml.safe_dump(proxy))
        container = updated["spec"]["template"]["spec"]["containers"][0]
        container["image"] = f"{container['image'].rsplit(':', 1)[0]}:{version}"
        apistore.apply_object(state, daemonsets, updated)
    print("[addons] Applied essential addon: CoreDNS")
    print("[addons] Applied essential addon: kube-proxy")


# -- upgrade node ---------------------------------------------------------------------------------
def cmd_node(kubeadm_version: str, argv: list) -> int:
    flags, positionals, _ = NODE_FLAGS.parse(argv)
    if positionals:
        raise StandinError(f'unknown command "{positionals[0]}" for "kubeadm upgrade node"')
    flags.setdefault("etcd-upgrade", True)
    new_output = phased(kubeadm_version)
    control_plane = os.path.exists(paths.host_path(staticpodupgrade.manifest_path("kube-apiserver")))
    path = flags.get("kubeconfig") or (ADMIN_CONF if control_plane else KUBELET_CONF)
    api = client(path)
    init.require_api(api, "Get", "/api/v1/namespaces/kube-system/configmaps/kubeadm-config?timeout=10s")
    state = clusterdata.for_client(ClusterState(), api)
    config = read_config(state, new_output, for_node=True)
    version = config["kubernetesVersion"]
    tag = "[upgrade/preflight]" if new_output else "[preflight]"
    with phase("preflight"):
        root_check(flags.get("ignore-preflight-errors", []), f"{tag} Running pre-flight checks")
        if control_plane:
            prepull(new_output, bool(flags.get("dry-run")), tag)
        else:
            print(f"{tag} Skipping prepull. Not a control plane node.")
    plane_tag = "[upgrade/control-plane]" if new_output else "[upgrade]"
    with phase("control-plane"):
        if not control_plane:
            print(f"{plane_tag} Skipping phase. Not a control plane node.")
        else:
            print(f'{plane_tag} Upgrading your Static Pod-hosted control plane instance to version "{version}"...')
            if flags.get("dry-run"):
                print("[dryrun] The play lab stand-in does not print the would-be manifests; nothing was changed")
            else:
                node_name = local_node_name()
                try:
                    staticpodupgrade.Upgrade(state, node_name, version, new_output).run(bool(flags["etcd-upgrade"]))
                except StandinError as exc:
                    raise StandinError(f"couldn't complete the static pod upgrade: {exc.message}") from None
                if not new_output:
                    upgrade_addons(state, node_name, version)
                    print("[upgrade] The control plane instance for this node was successfully updated!")
                else:
                    print("[upgrade/control-plane] The control plane instance for this node was successfully upgraded!")
    if flags.get("dry-run"):
        print(f"[dryrun] Would back up kubelet config file to {staticpodupgrade.TMP_DIR}/kubeadm-kubelet-config/config.yaml")
        return 0
    with phase("kubelet-config"):
        refresh_kubelet_config(state, new_output)
    if new_output:
        if control_plane:
            upgrade_addons(state, local_node_name(), version)
        else:
            print("[upgrade/addon] Skipping the addon/coredns phase. Not a control plane node.")
            print("[upgrade/addon] Skipping the addon/kube-proxy phase. Not a control plane node.")
    else:
        print("[upgrade] The configuration for this node was successfully updated!")
        print("[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager.")
    return 0


def dispatch(kubeadm_version: str, argv: list) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "plan":
        return cmd_plan(kubeadm_version, rest)
    if command == "apply":
        return cmd_apply(kubeadm_version, rest)
    if command == "node":
        return cmd_node(kubeadm_version, rest)
    if command in ("", "--help", "-h", "help"):
        print("Upgrade your cluster smoothly to a newer version with this command\n\nUsage:\n  kubeadm upgrade [flags]\n"
              "  kubeadm upgrade [command]\n\nAvailable Commands:\n  apply       Upgrade your Kubernetes cluster to the "
              "specified version\n  diff        Show what differences would be applied to existing static pod manifests. "
              "See also: kubeadm upgrade apply --dry-run\n  node        Upgrade commands for a node in the cluster\n"
              "  plan        Check which versions are available to upgrade to and validate whether your current cluster "
              "is upgradeable.")
        return 0
    raise StandinError(f'unknown command "{command}" for "kubeadm upgrade"')
