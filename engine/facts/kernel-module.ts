/**
 * Whether a kernel module's feature is available: loaded as a module, or built into the kernel.
 * Built-in matters: the lab kernel has no loadable modules at all and its hosts are nspawn
 * containers where modprobe cannot work, so a built-in module must count as loaded.
 */
import { TaskError } from '../errors.js';
import { raw, sh } from '../shell.js';
import type { Fact } from '../types.js';

export type ModuleSource = 'module' | 'builtin' | 'feature';

export interface KernelModuleState {
  readonly loaded: boolean;
  /** How it was found: /sys/module, modules.builtin, or a feature probe (/proc/filesystems...). */
  readonly via?: ModuleSource;
}

/**
 * Signs that a feature is present when the module is built in and lists nothing in /sys/module
 * (built-ins without parameters do not appear there) and modules.builtin is absent.
 */
const FEATURE_PROBES: Readonly<Record<string, string>> = {
  br_netfilter: '[ -d /proc/sys/net/bridge ]',
  nf_conntrack: '[ -e /proc/sys/net/netfilter/nf_conntrack_max ]',
  ip_vs: '[ -e /proc/net/ip_vs ]',
};

/** Module names use '_' in /sys/module; modprobe and modules.builtin accept either. */
export function normalizeModuleName(name: string): string {
  // Checked here because the name also becomes part of a grep pattern.
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TaskError(`invalid kernel module name '${name}'`);
  return name.replace(/-/g, '_');
}

export function kernelModuleFact(name: string): Fact<KernelModuleState> {
  const mod = normalizeModuleName(name);
  const dashed = mod.replace(/_/g, '-');
  const probe = FEATURE_PROBES[mod];
  // Filesystems (overlay) show in /proc/filesystems when built in, whatever their module name.
  const featureTest = sh`${raw(probe ? `${probe} || ` : '')}grep -qw ${mod} /proc/filesystems`;
  return {
    id: `kmod:${mod}`,
    command: [
      sh`if [ -d /sys/module/${mod} ]; then echo module`,
      sh`elif b=/lib/modules/$(uname -r)/modules.builtin && [ -f "$b" ] && grep -qE ${`/(${mod}|${dashed})\\.ko$`} "$b"; then echo builtin`,
      `elif ${featureTest}; then echo feature`,
      'else echo absent; fi',
    ].join('\n'),
    parse: (result) => parseKernelModuleFact(result.stdout),
  };
}

export function parseKernelModuleFact(stdout: string): KernelModuleState {
  const word = stdout.trim();
  if (word === 'module' || word === 'builtin' || word === 'feature') return { loaded: true, via: word };
  return { loaded: false };
}
