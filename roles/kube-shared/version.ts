/**
 * kubernetes_version: x.y.z, from the oldest minor whose packages can still be installed.
 *
 * pkgs.k8s.io signs each minor's repository with the key published next to it (Release.key). The
 * key of the 1.24-1.27 repositories expired on 2024-11-02 (kubernetes/release#3818): apt refuses
 * those repositories since, so play refuses those versions before any host is touched instead of
 * failing later in `apt-get update` on every host.
 */
import type { TypedVars } from '../../engine/vars.js';

export interface KubeVersion {
  /** '1.30.2' */
  readonly text: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** '1.30': the pkgs.k8s.io repository path and the cri-o stream. */
  readonly minorText: string;
}

/** The oldest minor whose pkgs.k8s.io repository is signed by a key that has not expired. */
export const OLDEST_MINOR = 28;
/** The newest minor whose kubeadm contract (CONTRACT.md) play has checked. */
export const NEWEST_MINOR = 37;

const EXPIRED_KEY =
  'the pkgs.k8s.io repositories of Kubernetes 1.24-1.27 are signed with a key that expired on 2024-11-02 ' +
  '(kubernetes/release#3818), so apt refuses them';

export function readKubeVersion(vars: TypedVars, key = 'kubernetes_version'): KubeVersion {
  const given = vars.string(key).trim();
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(given);
  if (!m) vars.fail(key, 'must be a version like 1.31.14 (major.minor.patch)');
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 1 || minor < OLDEST_MINOR) {
    const why = major === 1 && minor >= 24 ? `${EXPIRED_KEY}; ` : '';
    vars.fail(key, `${why}the oldest supported minor is 1.${OLDEST_MINOR} (use 1.${OLDEST_MINOR}.0 or later)`);
  }
  if (minor > NEWEST_MINOR) {
    vars.fail(key, `play's kubeadm contract (roles/kubeadm/CONTRACT.md) covers 1.${OLDEST_MINOR} to 1.${NEWEST_MINOR}; 1.${minor} is not checked yet`);
  }
  return { text: `${major}.${minor}.${patch}`, major, minor, patch, minorText: `${major}.${minor}` };
}

/**
 * The pause image kubeadm of that minor expects (cmd/kubeadm/app/constants/constants.go
 * PauseVersion); containerd's own default (pause:3.6 in 1.6) makes kubeadm warn and pulls a
 * second sandbox image on every node.
 */
export function pauseImageFor(version: KubeVersion): string {
  const tag = version.minor >= 31 ? '3.10' : version.minor >= 26 ? '3.9' : version.minor === 25 ? '3.8' : '3.7';
  return `registry.k8s.io/pause:${tag}`;
}

/**
 * A version as hosts and the cluster report it: 'v1.30.5' (kubeletVersion, an image tag),
 * '1.30.5-1.1' (a package), '1.30.5'. Undefined when the text is none of those.
 */
export function parseReportedVersion(text: string | undefined): KubeVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.+~]+)?$/.exec((text ?? '').trim());
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { text: `${major}.${minor}.${patch}`, major, minor, patch, minorText: `${major}.${minor}` };
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareVersions(a: KubeVersion, b: KubeVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
