/** Checks across every host: one address per host, so /etc/hosts and the backends are right. */
import { VarsError } from '../../engine/errors.js';
import type { InventoryView } from '../../engine/types.js';
import type { CommonVars } from './vars.js';

export function validateCommonPlay(
  hosts: ReadonlyMap<string, CommonVars>,
  inventory: InventoryView,
  warn: (message: string) => void,
): void {
  const firstByAddress = new Map<string, string>();
  for (const host of inventory.hosts) {
    // Loopback addresses (a local connection, port-forwarded lab hosts) are not cluster addresses.
    if (host.address.startsWith('127.') || host.address === 'localhost') continue;
    const first = firstByAddress.get(host.address);
    if (first === undefined) {
      firstByAddress.set(host.address, host.name);
      continue;
    }
    // Name the file and line of a host in this play (its vars carry where ansible_host was set).
    const culprit = hosts.get(host.name) ?? hosts.get(first);
    throw new VarsError(
      `hosts ${first} and ${host.name} both have the address ${host.address}: every host needs its own`,
      culprit?.addressWhere,
      'ansible_host',
    );
  }
  const skipped = [...hosts.values()][0]?.hostsSkipped ?? [];
  if (skipped.length > 0) {
    warn(`not in /etc/hosts (ansible_host is not a routable IPv4 address): ${skipped.join(', ')}`);
  }
}
