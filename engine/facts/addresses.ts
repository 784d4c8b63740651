/**
 * IPv4 addresses per interface from `ip -o -4 addr show` (one line per address). Roles use it to
 * find the interface that carries a host's address (keepalived_interface).
 */
import type { ExecResult, Fact } from '../types.js';
import { factError } from './fact-error.js';

export interface Ipv4Address {
  readonly address: string;
  readonly prefix: number;
  /** For point-to-point links ('inet A peer B/32'): the prefix belongs to the peer. */
  readonly peer?: string;
  readonly scope: string;
  /** Added after the primary address of the same subnet (VIPs often are). */
  readonly secondary: boolean;
  /** The address label, e.g. 'eth0:vip'; the interface name when unlabeled. */
  readonly label: string;
}

export interface NetInterface {
  readonly index: number;
  readonly name: string;
  readonly addresses: readonly Ipv4Address[];
}

export function addressesFact(): Fact<NetInterface[]> {
  return {
    id: 'addresses:ipv4',
    command: 'ip -o -4 addr show',
    parse: (result) => parseAddresses(result),
  };
}

// '4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global secondary eth0:vip\       valid_lft ...'
const LINE = /^(\d+):\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)(?:\s+peer\s+(\d+\.\d+\.\d+\.\d+))?\/(\d+)\s+(.*)$/;

export function parseAddresses(result: ExecResult): NetInterface[] {
  if (result.code !== 0) throw factError('addresses:ipv4', result, 'ip addr failed');
  const byName = new Map<string, { index: number; name: string; addresses: Ipv4Address[] }>();
  for (const line of result.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) throw factError('addresses:ipv4', result, `unexpected line '${line}'`);
    const [, indexText = '', ifName = '', address = '', peer, prefixText = '', rest = ''] = m;
    // 'ip -o' folds the continuation lines of one address into one line after a backslash.
    const words = (rest.split('\\')[0] ?? '').trim().split(/\s+/);
    const name = ifName.replace(/@.*$/, '');
    const scopeAt = words.indexOf('scope');
    const entry = byName.get(name) ?? { index: Number(indexText), name, addresses: [] };
    entry.addresses.push({
      address,
      prefix: Number(prefixText),
      ...(peer ? { peer } : {}),
      scope: scopeAt >= 0 ? (words[scopeAt + 1] ?? '') : '',
      secondary: words.includes('secondary'),
      // The label is the last word before the folded lines.
      label: words[words.length - 1] ?? name,
    });
    byName.set(name, entry);
  }
  return [...byName.values()];
}

/** The interface carrying `address`, if any. */
export function interfaceWithAddress(interfaces: readonly NetInterface[], address: string): NetInterface | undefined {
  return interfaces.find((iface) => iface.addresses.some((a) => a.address === address));
}
