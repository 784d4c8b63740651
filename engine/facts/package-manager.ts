/**
 * The package managers play knows, chosen per host from its OS (/etc/os-release ID, then
 * ID_LIKE), never assumed. apt serves Debian and Ubuntu. dnf is designed here (the Fedora/RHEL
 * family, whose docker package is named differently) and refused with a message naming the
 * host's OS until it is proven on a real host.
 */
import { TaskError } from '../errors.js';
import { apt } from './apt.js';
import { describeOs, type OsRelease } from './os-release.js';
import { versionGlobMatches } from './version-glob.js';
import type { PackageManager, PackageManagerName } from './package-manager-contract.js';

export type { InstallPlan, PackageManager, PackageManagerName, PackageRequest, PackageState } from './package-manager-contract.js';

const unproven = (name: PackageManagerName, families: readonly string[]): PackageManager => {
  const refuse = (): never => {
    throw new TaskError(`package manager ${name} is not yet supported (only apt is)`);
  };
  return { name, families, proven: false, queryCommand: refuse, parseQuery: refuse, versionMatches: versionGlobMatches };
};

const MANAGERS: readonly PackageManager[] = [apt, unproven('dnf', ['fedora', 'rhel', 'centos'])];

export function packageManager(name: PackageManagerName): PackageManager {
  return MANAGERS.find((m) => m.name === name)!;
}

/**
 * A package's name where it differs by OS family (a role names the Debian package): the same
 * table for every role, e.g. docker.io is moby-engine on Fedora.
 */
export const PACKAGE_NAMES: Readonly<Record<string, Readonly<Partial<Record<PackageManagerName, string>>>>> = {
  'docker.io': { dnf: 'moby-engine' },
};

export function packageNameFor(manager: PackageManagerName, name: string): string {
  return PACKAGE_NAMES[name]?.[manager] ?? name;
}

/** The manager of the host's OS family (ID first, then ID_LIKE in order); refuses an unproven or unknown one naming the OS. */
export function managerFor(os: OsRelease, host?: string): PackageManager {
  const on = host ? ` on ${host}` : '';
  for (const family of [os.id, ...os.idLike]) {
    const manager = MANAGERS.find((m) => m.families.includes(family));
    if (!manager) continue;
    if (!manager.proven) {
      throw new TaskError(`${describeOs(os)}${on} uses ${manager.name}, which play does not support yet (only apt, on Debian and Ubuntu, is proven on real hosts)`);
    }
    return manager;
  }
  throw new TaskError(`${describeOs(os)}${on}: no package manager play knows for this OS (apt serves Debian and Ubuntu)`);
}
