/** kubernetes_version: x.y.z, 1.24 or later (the first release without dockershim). */
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

export const OLDEST_MINOR = 24;

export function readKubeVersion(vars: TypedVars, key = 'kubernetes_version'): KubeVersion {
  const given = vars.string(key).trim();
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(given);
  if (!m) vars.fail(key, `must be a version like 1.30.2 (major.minor.patch), got '${given}'`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 1 || minor < OLDEST_MINOR) {
    vars.fail(key, `must be 1.${OLDEST_MINOR}.0 or later (play sets up containerd, docker via containerd, or cri-o: no dockershim), got '${given}'`);
  }
  return { text: `${major}.${minor}.${patch}`, major, minor, patch, minorText: `${major}.${minor}` };
}

/**
 * The pause image kubeadm of that minor expects; containerd's own default (pause:3.6 in 1.6)
 * makes kubeadm warn and pulls a second sandbox image on every node.
 */
export function pauseImageFor(version: KubeVersion): string {
  const tag = version.minor >= 31 ? '3.10' : version.minor >= 26 ? '3.9' : version.minor === 25 ? '3.8' : '3.7';
  return `registry.k8s.io/pause:${tag}`;
}
