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
  // A format play does not know: writing it half-adjusted would leave kubelet and containerd on
  // different cgroup drivers, which fails only later, under load.
  if (systemd === 0) {
    throw new TaskError('`containerd config default` has no SystemdCgroup setting: unknown containerd config format, not written');
  }
  if (sandbox === 0) {
    throw new TaskError('`containerd config default` has no sandbox image setting: unknown containerd config format, not written');
  }
  return [...HEADER, ...lines, ''].join('\n');
}
