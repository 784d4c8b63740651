/**
 * Whether the cluster may go to the inventory's kubernetes_version, decided before any host
 * changes: kubeadm's own version policy (phases/upgrade/policy.go: no downgrade, one minor at a
 * time, kubelets at most one minor older than the target), the skew policy (kubelets never
 * newer than the apiservers), plus what KubeOne checks first (every node Ready, control planes
 * at one version).
 * An interrupted upgrade leaves control planes at two versions, the old and the target: that is
 * the one mix allowed, so the next run resumes it.
 */
import { compareVersions, type KubeVersion } from './version.js';

export interface NodeReport {
  readonly name: string;
  /** status.nodeInfo.kubeletVersion; undefined when the node never reported one. */
  readonly kubelet?: KubeVersion;
  readonly ready: boolean;
  readonly unschedulable: boolean;
}

export interface ControlPlaneReport {
  /** Inventory name of the master. */
  readonly host: string;
  /** The kube-apiserver static pod's image tag. */
  readonly version: KubeVersion;
}

export interface ClusterReport {
  readonly nodes: readonly NodeReport[];
  readonly controlPlanes: readonly ControlPlaneReport[];
}

export type UpgradeVerdict =
  | { readonly kind: 'no-cluster' }
  | { readonly kind: 'current' }
  | { readonly kind: 'upgrade'; readonly from: KubeVersion; readonly to: KubeVersion }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * How many minors older than the target a kubelet may be when kubeadm upgrades the control
 * plane (phases/upgrade/policy.go MaximumAllowedMinorVersionKubeletSkew: kubeadm refuses with
 * "There are kubelets in this cluster that are too old" otherwise; only --force passes it).
 * Stricter than the general skew policy (3 minors): play checks it before anything moves.
 */
export const KUBELET_MAX_SKEW = 1;

const older = (a: KubeVersion, b: KubeVersion): boolean => compareVersions(a, b) < 0;

function lowest(versions: readonly KubeVersion[]): KubeVersion {
  return versions.reduce((a, b) => (older(b, a) ? b : a));
}

function distinct(versions: readonly KubeVersion[]): KubeVersion[] {
  const seen = new Map<string, KubeVersion>();
  versions.forEach((v) => seen.set(v.text, v));
  return [...seen.values()].sort(compareVersions);
}

const list = (items: readonly string[]): string => (items.length > 3 ? `${items.slice(0, 3).join(', ')} and ${items.length - 3} more` : items.join(', '));

export function judgeUpgrade(target: KubeVersion, report: ClusterReport): UpgradeVerdict {
  const cps = report.controlPlanes;
  if (cps.length === 0) return { kind: 'no-cluster' };
  const ahead = [
    ...cps.filter((c) => older(target, c.version)).map((c) => `the control plane on ${c.host} runs ${c.version.text}`),
    ...report.nodes.filter((n) => n.kubelet && older(target, n.kubelet)).map((n) => `the kubelet of ${n.name} runs ${n.kubelet!.text}`),
  ];
  if (ahead.length) {
    return {
      kind: 'refused',
      reason:
        `kubernetes_version ${target.text} is older than the cluster (${list(ahead)}): kubeadm cannot downgrade a cluster, ` +
        `and play never does; keep kubernetes_version at the cluster's version or newer`,
    };
  }
  const versions = distinct(cps.map((c) => c.version));
  const from = lowest(versions.map((v) => v));
  if (versions.length > 2 || (versions.length === 2 && versions[1]!.text !== target.text)) {
    const where = cps.map((c) => `${c.host} ${c.version.text}`).join(', ');
    return {
      kind: 'refused',
      reason: `the control planes run different versions (${where}) and none of them is kubernetes_version ${target.text}: finish the upgrade that was interrupted first (set kubernetes_version to ${versions[versions.length - 1]!.text} and run again)`,
    };
  }
  if (target.major !== from.major || target.minor > from.minor + 1) {
    const next = `${from.major}.${from.minor + 1}`;
    return {
      kind: 'refused',
      reason:
        `kubernetes_version ${target.text} skips a minor: the control plane runs ${from.text} and kubeadm upgrades one minor at a time; ` +
        `set kubernetes_version to ${next}.x, run site.yml, then set ${target.text} and run it again`,
    };
  }
  const kubelets = report.nodes.map((n) => n.kubelet).filter((v): v is KubeVersion => v !== undefined);
  const stale = report.nodes.filter((n) => n.kubelet && target.minor - n.kubelet.minor > KUBELET_MAX_SKEW);
  if (stale.length) {
    return {
      kind: 'refused',
      reason: `the kubelet of ${list(stale.map((n) => `${n.name} (${n.kubelet!.text})`))} would be more than ${KUBELET_MAX_SKEW} minor older than the control plane at ${target.text}, which kubeadm refuses: finish the upgrade of those nodes to ${from.text} first (kubernetes_version ${from.text})`,
    };
  }
  const behind = [...versions, ...kubelets].some((v) => older(v, target));
  if (!behind) return { kind: 'current' };
  const notReady = report.nodes.filter((n) => !n.ready).map((n) => n.name);
  if (notReady.length) {
    return {
      kind: 'refused',
      reason: `an upgrade to ${target.text} starts from a healthy cluster, and ${list(notReady)} ${notReady.length > 1 ? 'are' : 'is'} not Ready: bring ${notReady.length > 1 ? 'them' : 'it'} back (is kubelet running there?) or remove ${notReady.length > 1 ? 'them' : 'it'} (playbooks/remove-node.yml), then run again`,
    };
  }
  return { kind: 'upgrade', from: lowest([from, ...kubelets]), to: target };
}
