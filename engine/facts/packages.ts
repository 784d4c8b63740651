import type { Fact } from '../types.js';
import { OS_RELEASE_LINE, splitOsRelease, type OsRelease } from './os-release.js';
import { apt } from './apt.js';
import { managerFor, packageManager, packageNameFor, PACKAGE_NAMES, type PackageManager, type PackageManagerName, type PackageState } from './package-manager.js';

export interface PackagesState {
  /** The host's package manager, chosen from its OS. */
  readonly manager: PackageManagerName;
  readonly os: OsRelease;
  /** Each asked name's package on this host (docker.io may be another name elsewhere). */
  readonly names: Readonly<Record<string, string>>;
  /** By the name asked. */
  readonly states: Readonly<Record<string, PackageState>>;
}

/**
 * The state of each named package, with the host's OS in the same script: the OS picks the
 * package manager (facts/package-manager.ts), at no extra round trip. A host whose OS has no
 * proven manager fails in the check that asked, naming its OS. The query runs the managers
 * proven so far (apt's dpkg-query); names that differ by family are asked under each of them.
 */
export function packagesFact(names: readonly string[], manager?: PackageManager | PackageManagerName): Fact<PackagesState> {
  const fixed = typeof manager === 'string' ? packageManager(manager) : manager;
  const list = [...names];
  const query = fixed ?? apt;
  const asked = [...new Set(list.flatMap((n) => [n, ...Object.values(PACKAGE_NAMES[n] ?? {})]))];
  // dpkg-query -W with no names lists every package: never send that.
  const command = list.length === 0 ? OS_RELEASE_LINE : `${OS_RELEASE_LINE}\n${query.queryCommand(asked)}`;
  return {
    id: `packages:${fixed ? `${fixed.name}:` : ''}${list.join(',')}`,
    command,
    parse: (result) => {
      const { os, rest } = splitOsRelease(result.stdout);
      const pm = fixed ?? managerFor(os);
      const real = Object.fromEntries(list.map((n) => [n, packageNameFor(pm.name, n)]));
      const parsed = list.length ? pm.parseQuery(Object.values(real), { ...result, stdout: rest }) : {};
      const states = Object.fromEntries(list.map((n) => [n, parsed[real[n]!] ?? { installed: false, held: false }]));
      return { manager: pm.name, os, names: real, states };
    },
  };
}
