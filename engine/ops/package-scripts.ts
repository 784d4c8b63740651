/**
 * The scripts that change packages, per package manager: the ops' half of the registry whose
 * query half is engine/facts/package-manager.ts. A manager without scripts here is refused.
 */
import { TaskError } from '../errors.js';
import type { PackageManagerName } from '../facts/index.js';
import { aptScripts } from './apt-scripts.js';
import type { PackageScripts } from './package-scripts-contract.js';

export type { PackageScripts } from './package-scripts-contract.js';

const SCRIPTS: readonly PackageScripts[] = [aptScripts];

export function packageScripts(name: PackageManagerName): PackageScripts {
  const found = SCRIPTS.find((s) => s.name === name);
  if (!found) throw new TaskError(`package manager ${name} is not yet supported (only apt is)`);
  return found;
}
