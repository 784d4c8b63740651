/**
 * Ansible's `parse_address` (ansible/parsing/utils/addresses.py): splits `host:port`,
 * `[ipv6]:port` and recognises hostnames, IPv4 and IPv6 addresses, optionally with `[a:b]`
 * ranges. The inventory uses it to find a port on a host line; patterns use it to decide
 * whether `a:b` is one host (`web[1:3]`, an IPv6 address) or two patterns.
 */

const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const IPV6_PART = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const IPV4_PART = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
// Python's \w is Unicode-aware for str patterns.
const WORD = String.raw`[\p{L}\p{N}_]`;
const LABEL = `(?:${WORD}|${ALNUM_RANGE})(?:${WORD}|[_-]|${ALNUM_RANGE})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(`^(?:${IPV4_PART}\\.){3}${IPV4_PART}$`, 'iu');
const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${IPV6_PART}:){7}${IPV6_PART}`,
      `(?:${IPV6_PART}:){1,6}:`,
      `(?:${IPV6_PART}:)(?::${IPV6_PART}){1,6}`,
      `(?:${IPV6_PART}:){2}(?::${IPV6_PART}){1,5}`,
      `(?:${IPV6_PART}:){3}(?::${IPV6_PART}){1,4}`,
      `(?:${IPV6_PART}:){4}(?::${IPV6_PART}){1,3}`,
      `(?:${IPV6_PART}:){5}(?::${IPV6_PART}){1,2}`,
      `(?:${IPV6_PART}:){6}(?::${IPV6_PART})`,
      `:(?::${IPV6_PART}){1,6}`,
      `${IPV6_PART}?::`,
      `(?:0:){6}(?:${IPV6_PART}\\.){3}${IPV6_PART}`,
      `::(?:ffff:)?(?:${IPV6_PART}\\.){3}${IPV6_PART}`,
      `(?:0:){5}ffff:(?:${IPV6_PART}\\.){3}${IPV6_PART}`,
    ].join('|') +
    ')$',
  'iu',
);
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'iu');

export interface HostAddress {
  readonly host: string;
  readonly port?: number;
}

/** Returns undefined where Ansible's parse_address raises (not a host, or a range when not allowed). */
export function parseAddress(address: string, allowRanges: boolean): HostAddress | undefined {
  let rest = address;
  let port: number | undefined;
  // Both forms are tried in turn, as in Ansible: `[h]:1` is unwrapped, then `h` re-checked.
  for (const pattern of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = pattern.exec(rest);
    if (m) {
      rest = m[1] ?? '';
      port = Number(m[2]);
    }
  }
  if (!(IPV4.test(rest) || IPV6.test(rest) || HOSTNAME.test(rest))) return undefined;
  if (!allowRanges && rest.includes('[')) return undefined;
  return port === undefined ? { host: rest } : { host: rest, port };
}
