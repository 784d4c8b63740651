/**
 * keepalived_vips: addresses keepalived floats besides apiserver_vip (seed 001 floats one VIP on
 * the management network and one on the external network, each on its own device). haproxy
 * reads the same list to bind its frontend on every VIP, so the parsing lives here.
 */
import { VarsError } from '../../engine/errors.js';
import { describe, isIPv4, type TypedVars } from '../../engine/vars.js';

export interface VipSpec {
  readonly address: string;
  readonly prefix: number;
  /** Undefined: the VRRP interface (keepalived_interface or the detected one). */
  readonly device?: string;
}

/** Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', no whitespace. */
export function isInterfaceName(text: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(text);
}

/**
 * Items are `192.168.0.10`, `192.168.0.10/24`, or a mapping { address, prefix?, device? }.
 * A bad item names its index in the key, at the location of keepalived_vips.
 */
export function readExtraVips(vars: TypedVars, defaultPrefix: number): VipSpec[] {
  const key = 'keepalived_vips';
  if (!vars.has(key)) return [];
  const where = vars.where(key);
  const bad = (path: string, reason: string): never => {
    throw new VarsError(reason, where, path);
  };
  return vars.list(key).map((item, i): VipSpec => {
    const at = `${key}[${i}]`;
    if (typeof item === 'string') {
      const [address = '', prefixText] = item.split('/');
      if (!isIPv4(address)) bad(at, 'must be an IPv4 address (optionally /prefix)');
      const prefix = prefixText === undefined ? defaultPrefix : Number(prefixText);
      if (!/^\d{1,2}$/.test(prefixText ?? '0') || prefix < 1 || prefix > 32) bad(at, 'has a bad prefix (1-32)');
      return { address, prefix };
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return bad(at, `must be an address or a mapping {address, prefix, device}, got ${describe(item)}`);
    }
    const entry = item as Record<string, unknown>;
    for (const k of Object.keys(entry)) {
      if (!['address', 'prefix', 'device'].includes(k)) bad(`${at}.${k}`, 'is not a VIP field (address, prefix, device)');
    }
    const address = entry.address;
    if (typeof address !== 'string' || !isIPv4(address)) bad(`${at}.address`, `must be an IPv4 address, got ${describe(address)}`);
    const prefix = entry.prefix ?? defaultPrefix;
    if (typeof prefix !== 'number' || !Number.isInteger(prefix) || prefix < 1 || prefix > 32) {
      bad(`${at}.prefix`, `must be a prefix length 1-32, got ${describe(prefix)}`);
    }
    const device = entry.device;
    if (device !== undefined && device !== null && (typeof device !== 'string' || !isInterfaceName(device))) {
      bad(`${at}.device`, `must be an interface name, got ${describe(device)}`);
    }
    return { address: address as string, prefix: prefix as number, ...(typeof device === 'string' ? { device } : {}) };
  });
}

/**
 * Every VIP, the apiserver VIP first: an extra entry with the same address only refines its
 * prefix and device (so a user can give the main VIP a device without repeating it).
 */
export function allVips(vip: string, vipPrefix: number, extras: readonly VipSpec[]): VipSpec[] {
  const same = extras.find((v) => v.address === vip);
  const primary: VipSpec = same ?? { address: vip, prefix: vipPrefix };
  const seen = new Set([vip]);
  const rest = extras.filter((v) => {
    if (seen.has(v.address)) return false;
    seen.add(v.address);
    return true;
  });
  return [primary, ...rest];
}
