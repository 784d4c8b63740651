"""kubeadm's version skew rules for upgrades (cmd/kubeadm/app/phases/upgrade/policy.go).

EnforceVersionPolicies sorts what is wrong with a target version into mandatory errors
(never bypassed) and skippable ones (bypassed with --force), with kubeadm's own messages.
"""
import re

from ..errors import StandinError

MAX_MINOR_UPGRADE_SKEW = 1
MAX_MINOR_DOWNGRADE_SKEW = 1
MAX_KUBELET_SKEW = 1
SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


class Version:
    """k8s.io/apimachinery/pkg/util/version, as far as the policy needs it."""

    def __init__(self, text: str):
        match = SEMVER.match(text.strip())
        if not match:
            raise ValueError(text)
        self.major, self.minor, self.patch = (int(match.group(i)) for i in (1, 2, 3))
        self.pre_release = match.group(4) or ""

    def key(self) -> tuple:
        # a pre-release sorts before its release (1.31.0-rc.1 < 1.31.0)
        return self.major, self.minor, self.patch, 0 if self.pre_release else 1, self.pre_release

    def less_than(self, other: "Version") -> bool:
        return self.key() < other.key()

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}" + (f"-{self.pre_release}" if self.pre_release else "")


def normalize(text: str) -> str:
    """configutil.NormalizeKubernetesVersion: a v prefix; anything not semantic is refused."""
    value = text if text.startswith("v") else f"v{text}"
    try:
        Version(value)
    except ValueError:
        raise StandinError(f'unable to parse normalized version "{value}" as a semantic version') from None
    return value


def enforce(cluster: str, kubeadm: str, target: str, kubelets: list,
            allow_experimental: bool = False, allow_rc: bool = False) -> tuple:
    """(mandatory, skippable) error messages, in policy.go's order."""
    new, current, own = Version(target), Version(cluster), Version(kubeadm)
    mandatory, skippable = [], []
    if new.minor > current.minor + MAX_MINOR_UPGRADE_SKEW:
        message = (f'Specified version to upgrade to "{target}" is too high; kubeadm can upgrade only '
                   f"{MAX_MINOR_UPGRADE_SKEW} minor version at a time")
        (skippable if new.pre_release else mandatory).append(message)
    if new.minor < current.minor - MAX_MINOR_DOWNGRADE_SKEW:
        message = (f'Specified version to downgrade to "{target}" is too low; kubeadm can downgrade only '
                   f"{MAX_MINOR_DOWNGRADE_SKEW} minor version at a time")
        (skippable if new.pre_release else mandatory).append(message)
    if own.less_than(new):
        if new.minor > own.minor:
            message = (f'Specified version to upgrade to "{target}" is at least one minor release higher than the '
                       f"kubeadm minor release ({new.minor} > {own.minor}). Such an upgrade is not supported")
            (skippable if new.pre_release else mandatory).append(message)
        else:
            skippable.append(f'Specified version to upgrade to "{target}" is higher than the kubeadm version '
                             f'"{kubeadm}". Upgrade kubeadm first using the tool you used to install kubeadm')
    if own.major > new.major or own.minor > new.minor:
        skippable.append(f"Kubeadm version {kubeadm} can only be used to upgrade to Kubernetes version "
                         f"{own.major}.{own.minor}")
    if new.pre_release and not allow_experimental and not (new.pre_release.startswith("rc") and allow_rc):
        skippable.append(f'Specified version to upgrade to "{target}" is an unstable version and such upgrades '
                         "weren't allowed via setting the --allow-*-upgrades flags")
    too_old = sorted({k for k in kubelets if new.minor > Version(k).minor + MAX_KUBELET_SKEW})
    if too_old:
        skippable.append(f"There are kubelets in this cluster that are too old that have these versions [{' '.join(too_old)}]")
    return mandatory, skippable


def format_errors(errors: list) -> str:
    """kubeadmutil.FormatErrMsg."""
    return "".join(f"\t- {error}\n" for error in errors)
