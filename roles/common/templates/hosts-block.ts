/**
 * The /etc/hosts block play manages on every host: the endpoint name (seed 002's k8s-lb) and
 * every inventory host, name -> ansible_host. Inventory order, endpoint first (like seed 002);
 * names sharing an address share a line.
 */
import type { HostView } from '../../../engine/types.js';
import { isIPv4 } from '../../../engine/vars.js';

export const HOSTS_FILE = '/etc/hosts';
export const HOSTS_MARKER = '# {mark} play: cluster hosts';

export interface HostsEntry {
  readonly address: string;
  readonly names: readonly string[];
}

export interface HostsPlan {
  readonly entries: readonly HostsEntry[];
  /** Hosts left out: their address is not a routable IPv4 address (a DNS name, loopback). */
  readonly skipped: readonly string[];
  /** A name asked to point at two addresses (the endpoint name is also a host's name). */
  readonly conflict?: { readonly name: string; readonly addresses: readonly [string, string] };
}

export function planHostsEntries(hosts: readonly HostView[], endpoint?: { name: string; address: string }): HostsPlan {
  const byAddress = new Map<string, string[]>();
  const addressOf = new Map<string, string>();
  const skipped: string[] = [];
  let conflict: HostsPlan['conflict'];
  const add = (name: string, address: string): void => {
    const known = addressOf.get(name);
    if (known !== undefined) {
      if (known !== address && !conflict) conflict = { name, addresses: [known, address] };
      return;
    }
    addressOf.set(name, address);
    const names = byAddress.get(address) ?? [];
    names.push(name);
    byAddress.set(address, names);
  };
  if (endpoint) add(endpoint.name, endpoint.address);
  for (const host of hosts) {
    if (!isIPv4(host.address) || host.address.startsWith('127.')) skipped.push(host.name);
    else add(host.name, host.address);
  }
  const entries = [...byAddress].map(([address, names]) => ({ address, names }));
  return { entries, skipped, ...(conflict ? { conflict } : {}) };
}

/** The lines between the markers. */
export function renderHostsBlock(entries: readonly HostsEntry[]): string {
  return entries.map((e) => `${e.address} ${e.names.join(' ')}`).join('\n');
}
