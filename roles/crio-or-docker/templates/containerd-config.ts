/**
 * /etc/containerd/config.toml: containerd's own `containerd config default` for the installed
 * version (so every key the version knows is there, with its default), adjusted for kubelet:
 *  - the runc runtime uses the systemd cgroup driver (SystemdCgroup = true), like kubelet;
 *  - the CRI plugin is not disabled (docker's containerd.io ships disabled_plugins = ["cri"]);
 *  - the sandbox image is the pause image kubeadm expects.
 * Pure: the same default output and settings always give the same file (golden-tested).
 */
import { TaskError } from '../../../engine/errors.js';

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';

const HEADER = [
  '# Managed by play (role crio-or-docker): `containerd config default` of the installed containerd,',
  '# with SystemdCgroup = true, the CRI plugin enabled and the sandbox image kubeadm expects.',
];

/**
 * The runc runtime's options table: config version 2 (containerd 1.x, CRI plugin
 * "io.containerd.grpc.v1.cri") and version 3 (2.x, 'io.containerd.cri.v1.runtime').
 */
const RUNC_OPTIONS = /^(\s*)\[plugins\.(?:"io\.containerd\.grpc\.v1\.cri"|'io\.containerd\.cri\.v1\.runtime')\.containerd\.runtimes\.runc\.options\]\s*$/;

/**
 * containerd 2.0.0-2.0.6 and 2.1.0-2.1.4 print the runc options table without SystemdCgroup
 * (their DefaultRuntimeConfig dropped it from the default options; 2.0.7, 2.1.5 and 2.2.0 print
 * it again). The key goes at the end of that table's keys, indented like them; false if there is
 * no such table.
 */
function insertSystemdCgroup(lines: string[]): boolean {
  const header = lines.findIndex((l) => RUNC_OPTIONS.test(l));
  if (header < 0) return false;
  const indent = `${RUNC_OPTIONS.exec(lines[header]!)![1]}  `;
  let end = header + 1;
  while (end < lines.length && lines[end]!.trim() !== '' && !lines[end]!.trim().startsWith('[')) end++;
  lines.splice(end, 0, `${indent}SystemdCgroup = true`);
  return true;
}

export interface ContainerdAdjust {
  readonly sandboxImage: string;
}

export function renderContainerdConfig(defaultConfig: string, adjust: ContainerdAdjust): string {
  let systemd = 0;
  let sandbox = 0;
  const lines = defaultConfig.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n').map((line) => {
    // config version 2 (containerd 1.x) and 3 (2.x) both spell it SystemdCgroup = <bool>.
    const cgroup = /^(\s*)SystemdCgroup\s*=\s*(true|false)\s*$/.exec(line);
    if (cgroup) {
      systemd++;
      return `${cgroup[1]}SystemdCgroup = true`;
    }
    // v2: sandbox_image = "..." (CRI plugin); v3: sandbox = '...' (pinned_images).
    const image = /^(\s*)(sandbox_image|sandbox)\s*=\s*(["']).*\3\s*$/.exec(line);
    if (image) {
      sandbox++;
      return `${image[1]}${image[2]} = ${image[3]}${adjust.sandboxImage}${image[3]}`;
    }
    const disabled = /^(\s*)disabled_plugins\s*=\s*\[(.*)\]\s*$/.exec(line);
    if (disabled) {
      const kept = (disabled[2] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '' && !/^["'](?:io\.containerd\.grpc\.v1\.)?cri["']$/.test(p));
      return `${disabled[1]}disabled_plugins = [${kept.join(', ')}]`;
    }
    return line;
  });
  if (systemd === 0 && insertSystemdCgroup(lines)) systemd++;
  // A format play does not know: writing it half-adjusted would leave kubelet and containerd on
  // different cgroup drivers, which fails only later, under load.
  if (systemd === 0) {
    throw new TaskError('`containerd config default` has no SystemdCgroup setting and no runc options table: unknown containerd config format, not written');
  }
  if (sandbox === 0) {
    throw new TaskError('`containerd config default` has no sandbox image setting: unknown containerd config format, not written');
  }
  return [...HEADER, ...lines, ''].join('\n');
}
