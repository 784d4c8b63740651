import type { Fact } from '../types.js';
import { packageManager, type PackageManager, type PackageManagerName, type PackageState } from './package-manager.js';

/**
 * The state of each named package. Building the fact asks the manager for its query command, so
 * an unsupported manager (dnf, yum for now) throws right here, in the check that asked.
 */
export function packagesFact(
  names: readonly string[],
  manager: PackageManager | PackageManagerName = 'apt',
): Fact<Record<string, PackageState>> {
  const pm = typeof manager === 'string' ? packageManager(manager) : manager;
  const list = [...names];
  // dpkg-query -W with no names lists every package: never send that.
  if (list.length === 0) return { id: `packages:${pm.name}:`, command: ':', parse: () => ({}) };
  return {
    id: `packages:${pm.name}:${list.join(',')}`,
    command: pm.queryCommand(list),
    parse: (result) => pm.parseQuery(list, result),
  };
}
