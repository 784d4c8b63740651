/**
 * known_hosts lines for the masters' real host keys: `name,address type key`. A host already
 * known (plain or hashed entry, any line) is not added again. The only lines ever removed are
 * play's own (exactly that form, for a master of the inventory) whose key that master no longer
 * has: a master rebuilt with new host keys is not trusted under its old ones any more. A user's
 * entries and ssh's own hashed ones stay.
 */
import { createHmac } from 'node:crypto';
import { findKey, sameKey, type PublicKey } from './public-keys.js';

export interface HostKeys {
  /** Inventory name. */
  readonly name: string;
  readonly address: string;
  /** The host's /etc/ssh/ssh_host_*_key.pub keys, sorted by type. */
  readonly keys: readonly PublicKey[];
}

/** The names ssh may be asked for: the inventory name (in /etc/hosts) and the address. */
export function hostNames(host: Pick<HostKeys, 'name' | 'address'>): string[] {
  return host.name === host.address ? [host.name] : [host.name, host.address];
}

export function knownHostsLine(host: Pick<HostKeys, 'name' | 'address'>, key: PublicKey): string {
  return `${hostNames(host).join(',')} ${key.type} ${key.body}`;
}

/** `|1|salt|hash` entries: HMAC-SHA1 of the host name keyed by the salt (HashKnownHosts). */
function matchesHashed(pattern: string, name: string): boolean {
  const m = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(pattern);
  if (!m) return false;
  const digest = createHmac('sha1', Buffer.from(m[1]!, 'base64')).update(name).digest('base64');
  return digest === m[2];
}

function lineCovers(line: string, name: string, key: PublicKey): boolean {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('@revoked')) return false;
  const found = findKey(trimmed.replace(/^@cert-authority\s+/, ''));
  if (!found || !sameKey(found, key) || trimmed.startsWith('@cert-authority')) return false;
  const patterns = (trimmed.split(/\s+/)[0] ?? '').split(',');
  return patterns.some((p) => p === name || matchesHashed(p, name));
}

/** Lines to append so every name of every host is known with each of its keys. */
export function missingKnownHosts(current: string | null, hosts: readonly HostKeys[]): string[] {
  const lines = (current ?? '').split('\n');
  const out: string[] = [];
  for (const host of hosts) {
    for (const key of host.keys) {
      const known = hostNames(host).every((name) => lines.some((l) => lineCovers(l, name, key)));
      if (!known) out.push(knownHostsLine(host, key));
    }
  }
  return out;
}

/** The host keys in `cat /etc/ssh/ssh_host_*_key.pub` output, sorted by type for stable output. */
export function parseHostKeys(stdout: string): PublicKey[] {
  return stdout
    .split('\n')
    .flatMap((l) => findKey(l) ?? [])
    .map((k) => ({ type: k.type, body: k.body }))
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * Lines of `current` that play wrote for one of `hosts` (`name,address type key`, nothing else on
 * the line) with a key that host no longer has: what a rebuilt master leaves behind.
 */
export function staleKnownHosts(current: string | null, hosts: readonly HostKeys[]): string[] {
  const byNames = new Map(hosts.map((h) => [hostNames(h).join(','), h] as const));
  return (current ?? '').split('\n').filter((line) => {
    const fields = line.split(' ');
    if (fields.length !== 3) return false;
    const host = byNames.get(fields[0]!);
    const key = findKey(line);
    return host !== undefined && key !== undefined && !host.keys.some((k) => sameKey(k, key));
  });
}
