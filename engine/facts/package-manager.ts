/**
 * The package manager of a name. apt is implemented (apt.ts); dnf and yum are declared so
 * inventories can name them, and fail with a clear error at check time until they are written.
 */
import { TaskError } from '../errors.js';
import { apt } from './apt.js';
import type { PackageManager, PackageManagerName } from './package-manager-contract.js';

export type { InstallPlan, PackageManager, PackageManagerName, PackageRequest, PackageState } from './package-manager-contract.js';

function notYetSupported(name: PackageManagerName): PackageManager {
  const fail = (): never => {
    throw new TaskError(`package manager ${name} is not yet supported (only apt is)`);
  };
  return {
    name,
    queryCommand: fail,
    parseQuery: fail,
    versionMatches: fail,
    installScript: fail,
    removeScript: fail,
    holdScript: fail,
  };
}

const managers: Readonly<Record<PackageManagerName, PackageManager>> = {
  apt,
  dnf: notYetSupported('dnf'),
  yum: notYetSupported('yum'),
};

export function packageManager(name: PackageManagerName): PackageManager {
  return managers[name];
}
