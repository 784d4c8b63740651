import { TaskError } from '../errors.js';
import { packageManager, type PackageManager, type PackageManagerName, type PackageRequest, type PackageState } from '../facts/package-manager.js';
import { packagesFact } from '../facts/packages.js';
import { packageScripts } from './package-scripts.js';
import type { Change, Task } from '../types.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface PackagesSpec {
  names: string[];
  state?: 'present' | 'absent';
  /** Exact versions (or '1.30.*' prefixes) by package name; each must be in `names`. */
  versions?: Record<string, string>;
  /** Hold the packages against upgrades. false does not unhold: only true is enforced. */
  hold?: boolean;
  /**
   * Refresh the package index before installing (only when something is installed), unless it
   * was refreshed less than cacheValidSec ago and nothing under /etc/apt changed since.
   */
  updateCache?: boolean;
  /** Default 3600 (Ansible's usual cache_valid_time); 0 refreshes on every install. */
  cacheValidSec?: number;
  /** Default: the host's, chosen from its OS (apt on Debian and Ubuntu). */
  manager?: PackageManagerName;
}

export const DEFAULT_CACHE_VALID_SEC = 3600;

export interface PackagesChange extends Change {
  readonly manager: PackageManagerName;
  readonly install: readonly PackageRequest[];
  readonly remove: readonly string[];
  readonly hold: readonly string[];
  /** A package to install or remove is held: the manager must be allowed to move it. */
  readonly changesHeld: boolean;
  readonly updateCache: boolean;
  readonly cacheValidSec: number;
}

/**
 * Pure: what must change for the packages to be as the spec says. `names` maps a name of the
 * spec to its package on this host (docker.io is another name on some families).
 */
export function planPackages(
  spec: PackagesSpec,
  states: Readonly<Record<string, PackageState>>,
  pm: PackageManager,
  names: Readonly<Record<string, string>> = {},
): PackagesChange | null {
  const versions = spec.versions ?? {};
  const stray = Object.keys(versions).filter((n) => !spec.names.includes(n));
  if (stray.length) throw new TaskError(`versions name packages not in names: ${stray.join(', ')}`);
  const install: PackageRequest[] = [];
  const remove: string[] = [];
  const hold: string[] = [];
  const missing: string[] = [];
  const moved: string[] = [];
  let changesHeld = false;

  for (const name of spec.names) {
    const st = states[name] ?? { installed: false, held: false };
    if (spec.state === 'absent') {
      if (st.installed) {
        remove.push(name);
        changesHeld ||= st.held;
      }
      continue;
    }
    const wanted = versions[name];
    const request: PackageRequest = wanted !== undefined ? { name, version: wanted } : { name };
    if (!st.installed) {
      install.push(request);
      missing.push(name);
    } else if (wanted !== undefined && !pm.versionMatches(st.version ?? '', wanted)) {
      install.push(request);
      moved.push(`${name} ${st.version ?? '?'} -> ${wanted}`);
      changesHeld ||= st.held;
    }
    // Moving a held package drops its hold (apt-get install sets the selection back to install).
    if (spec.hold && (!st.held || install.some((r) => r.name === name))) hold.push(name);
  }

  const parts: string[] = [];
  if (missing.length) parts.push(`not installed: ${missing.join(', ')}`);
  if (moved.length) parts.push(`version ${moved.join(', ')}`);
  if (remove.length) parts.push(`installed: ${remove.join(', ')}`);
  // Packages about to be installed or moved are held again after: naming them twice adds nothing.
  const holdOnly = hold.filter((n) => !install.some((r) => r.name === n));
  if (holdOnly.length) parts.push(`not held: ${holdOnly.join(', ')}`);
  if (!install.length && !remove.length && !hold.length) return null;
  const real = (name: string): string => names[name] ?? name;
  return {
    summary: parts.join(', ') || `hold: ${hold.join(', ')}`,
    manager: pm.name,
    // The host's own package names from here on (the summary keeps the names the role gave).
    install: install.map((r) => ({ ...r, name: real(r.name) })),
    remove: remove.map(real),
    hold: hold.map(real),
    changesHeld,
    updateCache: (spec.updateCache ?? false) && install.length > 0,
    cacheValidSec: spec.cacheValidSec ?? DEFAULT_CACHE_VALID_SEC,
  };
}

/** The commands that converge a PackagesChange, in one script: install/remove, then hold. */
export function packagesScript(change: PackagesChange): string {
  const pm = packageScripts(change.manager);
  const parts: string[] = ['set -e'];
  if (change.install.length) {
    parts.push(pm.install({ packages: change.install, updateCache: change.updateCache, cacheValidSec: change.cacheValidSec, changesHeld: change.changesHeld }));
  }
  if (change.remove.length) parts.push(pm.remove(change.remove, change.changesHeld));
  if (change.hold.length) parts.push(pm.hold(change.hold));
  return parts.join('\n') + '\n';
}

/** Ensures packages are installed (at pinned versions, held) or absent. */
export function packages<V>(name: string, spec: SpecFn<V, PackagesSpec>, opts?: TaskOptions<V>): Task<V, PackagesChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      if (s.names.length === 0) return null;
      const found = await ctx.fact(packagesFact(s.names, s.manager));
      return planPackages(s, found.states, packageManager(found.manager), found.names);
    },
    async apply(ctx, change) {
      await ctx.run(packagesScript(change));
    },
  };
}
