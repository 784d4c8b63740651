/**
 * The executables kubeadm's preflight looks for, per minor, and the Debian packages that provide
 * them. Source: cmd/kubeadm/app/preflight/checks_linux.go addExecChecks (and checks.go
 * InPathCheck: a missing mandatory one is "[ERROR FileExisting-X]: X not found in system path",
 * a missing optional one only a warning):
 *  - ip, iptables, mount, nsenter: mandatory in every supported minor;
 *  - conntrack: mandatory up to 1.31; from 1.32 only for a control plane older than 1.32
 *    (kubernetes/kubernetes#126953), which play never deploys (kubeadm and the control plane
 *    share kubernetes_version);
 *  - crictl: mandatory up to 1.30, a warning in 1.31 (kubernetes#124685), gone from 1.32
 *    (kubernetes#126596);
 *  - ebtables, ethtool, socat, tc, touch: warnings only.
 * The packages cannot be left to the kubelet's Depends: kubelet packages built after 2025-09-04
 * (1.31.14 and later patches) no longer depend on conntrack (kubernetes/release d2a7ae37, #4106),
 * while kubeadm 1.31 still requires it (kubernetes/kubernetes#135306); iptables becomes a
 * Recommends (kubernetes/release#4518), and play installs without recommends.
 */
export interface PreflightExecutable {
  readonly executable: string;
  /** Missing: [ERROR FileExisting-<executable>]; otherwise only a warning. */
  readonly mandatory: boolean;
  /** The Debian package that ships it. */
  readonly debianPackage: string;
}

const ALWAYS_MANDATORY: readonly PreflightExecutable[] = [
  { executable: 'ip', mandatory: true, debianPackage: 'iproute2' },
  { executable: 'iptables', mandatory: true, debianPackage: 'iptables' },
  { executable: 'mount', mandatory: true, debianPackage: 'mount' },
  { executable: 'nsenter', mandatory: true, debianPackage: 'util-linux' },
];

const ALWAYS_OPTIONAL: readonly PreflightExecutable[] = [
  { executable: 'ebtables', mandatory: false, debianPackage: 'ebtables' },
  { executable: 'ethtool', mandatory: false, debianPackage: 'ethtool' },
  { executable: 'socat', mandatory: false, debianPackage: 'socat' },
  { executable: 'tc', mandatory: false, debianPackage: 'iproute2' },
  { executable: 'touch', mandatory: false, debianPackage: 'coreutils' },
];

/** What `kubeadm init`/`join` of this minor checks for in PATH, in kubeadm's order. */
export function preflightExecutables(minor: number): PreflightExecutable[] {
  const out: PreflightExecutable[] = [];
  if (minor <= 31) out.push({ executable: 'crictl', mandatory: minor <= 30, debianPackage: 'cri-tools' });
  if (minor <= 31) out.push({ executable: 'conntrack', mandatory: true, debianPackage: 'conntrack' });
  return [...out, ...ALWAYS_MANDATORY, ...ALWAYS_OPTIONAL];
}

/** The packages play installs so that no mandatory check of this minor can fail, sorted. */
export function preflightPackages(minor: number): string[] {
  return [...new Set(preflightExecutables(minor).filter((e) => e.mandatory).map((e) => e.debianPackage))].sort();
}
