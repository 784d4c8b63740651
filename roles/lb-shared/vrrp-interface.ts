/**
 * The pure choice of the interface keepalived speaks VRRP on when keepalived_interface is unset,
 * from the host's addresses (engine addressesFact: `ip -o -4 addr show`).
 */
import type { NetInterface } from '../../engine/facts/index.js';
import { cidrContains, isIPv4, parseCidr } from '../../engine/vars.js';

/**
 * The interface whose subnet holds the VIP, else the one carrying the host's own address.
 * Primary addresses decide before secondary ones, and the VIP's own entry (a secondary on the
 * current MASTER) is skipped, so the answer is the same on MASTER and BACKUP. Undefined when
 * nothing fits: the caller asks the user to set keepalived_interface.
 */
export function detectInterface(
  interfaces: readonly NetInterface[],
  vip: string | undefined,
  hostAddress: string,
): string | undefined {
  const all = interfaces
    .filter((iface) => iface.name !== 'lo')
    .flatMap((iface) => iface.addresses.map((a) => ({ iface: iface.name, ...a })))
    .filter((a) => !a.address.startsWith('127.') && a.peer === undefined);
  const ordered = [...all.filter((a) => !a.secondary), ...all.filter((a) => a.secondary)];
  if (vip !== undefined) {
    const holder = ordered.find((a) => a.address !== vip && subnetHolds(a.address, a.prefix, vip));
    if (holder) return holder.iface;
  }
  if (isIPv4(hostAddress)) {
    const own = ordered.find((a) => a.address === hostAddress);
    if (own) return own.iface;
  }
  return undefined;
}

function subnetHolds(address: string, prefix: number, ip: string): boolean {
  const cidr = parseCidr(`${address}/${prefix}`);
  return cidr !== undefined && cidrContains(cidr, ip);
}
