/**
 * Checks across every host. The hosts of the lb, masters and workers groups each need a machine
 * of their own: two of them that play reaches at the same address AND port are one machine
 * listed twice, whatever the address (loopback and forwarded ports included: 127.0.0.1:2222 and
 * 127.0.0.1:2200 are two machines, 127.0.0.1:2222 twice is one).
 */
import { VarsError } from '../../engine/errors.js';
import type { HostView, InventoryView } from '../../engine/types.js';
import type { CommonVars } from './vars.js';

/** How play reaches a host: what makes it one machine. SSH's default port when none is set. */
function target(host: HostView): string {
  return `${host.address}:${host.port ?? 22}`;
}

function machineHosts(hosts: ReadonlyMap<string, CommonVars>, inventory: InventoryView): HostView[] {
  const groups = new Set([...hosts.values()].flatMap((v) => v.machineGroups));
  const seen = new Set<string>();
  return [...groups].flatMap((g) => inventory.groupHosts(g)).filter((h) => !seen.has(h.name) && Boolean(seen.add(h.name)));
}

export function validateCommonPlay(
  hosts: ReadonlyMap<string, CommonVars>,
  inventory: InventoryView,
  warn: (message: string) => void,
): void {
  const firstByTarget = new Map<string, string>();
  for (const host of machineHosts(hosts, inventory)) {
    const first = firstByTarget.get(target(host));
    if (first === undefined) {
      firstByTarget.set(target(host), host.name);
      continue;
    }
    // Name the file and line of a host in this play (its vars carry where ansible_host was set).
    const culprit = hosts.get(host.name) ?? hosts.get(first);
    throw new VarsError(
      `hosts ${first} and ${host.name} are both reached at ${target(host)}: one machine cannot be two cluster hosts (give each its own address or port)`,
      culprit?.addressWhere,
      'ansible_host',
    );
  }
  const skipped = [...hosts.values()][0]?.hostsSkipped ?? [];
  if (skipped.length > 0) {
    warn(`not in /etc/hosts (ansible_host is not a routable IPv4 address): ${skipped.join(', ')}`);
  }
}
