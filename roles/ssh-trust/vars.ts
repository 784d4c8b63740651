/** ssh-trust's typed vars: the masters to trust, and the controller's key when given. */
import { isIP } from 'node:net';
import { expandHome } from '../../engine/home.js';
import { readControllerText } from '../../engine/ops/index.js';
import type { HostView, InventoryView } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { requireDnsHostNames } from '../lb-shared/host-names.js';
import { groupName, isDnsName } from '../lb-shared/topology.js';
import { formatKey, isKeyType, parsePublicKeyLine } from './public-keys.js';

export interface Master {
  readonly name: string;
  readonly address: string;
  /** Where its root's ssh connections to the other masters come from: the key's from= entry. */
  readonly from: string;
}

export interface SshTrustVars {
  readonly host: string;
  /** Every host of the masters group, in inventory order (not only the play's: --limit). */
  readonly masters: readonly Master[];
  /** One public key line for the controller, when ssh_trust_controller_key is set. */
  readonly controllerKey?: string;
  /** ssh_trust_controller_from: where the controller key may log in from (none: anywhere). */
  readonly controllerFrom: readonly string[];
}

/** An IPv4/IPv6 address or CIDR: what sshd's from= matches without DNS (UseDNS is off by default). */
export function isAddressPattern(text: string): boolean {
  const [address = '', prefix, extra] = text.split('/');
  if (extra !== undefined || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (isIP(address) === 4 ? 32 : 128);
}

const ADDRESS_KEY = 'ssh_trust_address';

/**
 * A master's from= entry: ssh_trust_address when set (a host with several interfaces), else its
 * ansible_host, which must then be an IP address. The running host's own value is checked with
 * its file and line; another master's is named by host only.
 */
function masterFrom(vars: TypedVars, self: HostView, m: HostView): string {
  const own = m.name === self.name;
  const set = own ? vars.has(ADDRESS_KEY) : m.vars[ADDRESS_KEY] !== undefined && m.vars[ADDRESS_KEY] !== null;
  const value = set ? (own ? vars.string(ADDRESS_KEY) : String(m.vars[ADDRESS_KEY])) : m.address;
  if (isAddressPattern(value)) return value;
  if (set) return own ? vars.fail(ADDRESS_KEY, 'must be an IP address or CIDR') : vars.fail('masters_group', `${m.name}'s ${ADDRESS_KEY} must be an IP address or CIDR`);
  const why = `ansible_host is not an IP address, and sshd's from= matches addresses only: set ${ADDRESS_KEY}`;
  return own ? vars.fail('ansible_host', `${why} for this host`) : vars.fail('masters_group', `${m.name}'s ${why}`);
}

export function resolveSshTrust(vars: TypedVars, host: HostView, inventory: InventoryView): SshTrustVars {
  const mastersGroup = groupName(vars, 'masters_group');
  const views = inventory.groupHosts(mastersGroup);
  if (!views.some((m) => m.name === host.name)) {
    vars.fail('masters_group', `host ${host.name} runs ssh-trust but is not in group '${mastersGroup}': its key would be trusted by no one`);
  }
  // Names and addresses go into known_hosts as `name,address`.
  requireDnsHostNames(views, 'known_hosts');
  const odd = views.find((m) => isIP(m.address) === 0 && !isDnsName(m.address));
  if (odd) vars.fail('masters_group', `${odd.name}'s ansible_host is neither an IP address nor a DNS name: it would be written to known_hosts`);
  const masters = views.map((m) => ({ name: m.name, address: m.address, from: masterFrom(vars, host, m) }));
  const controllerKey = readControllerKey(vars);
  const controllerFrom = readControllerFrom(vars);
  return { host: host.name, masters, ...(controllerKey !== undefined ? { controllerKey } : {}), controllerFrom };
}

function readControllerFrom(vars: TypedVars): string[] {
  const key = 'ssh_trust_controller_from';
  if (!vars.has(key)) return [];
  const list = vars.stringList(key);
  list.forEach((item, i) => {
    if (!isAddressPattern(item)) vars.fail(key, `item ${i + 1} must be an IP address or CIDR`);
  });
  return list;
}

/**
 * A key string ('ssh-ed25519 AAAA... me@laptop') or a path on the controller ('~/.ssh/id_ed25519.pub').
 * Read here, before any host is contacted; a private key is refused, never sent anywhere.
 */
function readControllerKey(vars: TypedVars): string | undefined {
  const key = 'ssh_trust_controller_key';
  if (!vars.has(key)) return undefined;
  const value = vars.string(key).trim();
  const firstToken = value.split(/\s+/)[0] ?? '';
  let text = value;
  if (!isKeyType(firstToken)) {
    const read = readControllerText(expandHome(value));
    if ('error' in read) vars.fail(key, `is neither a public key nor a readable file (${read.error})`);
    text = read.text;
  }
  if (/PRIVATE KEY/.test(text)) vars.fail(key, 'names a PRIVATE key: give the public one (the .pub file)');
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const parsed = lines.length === 1 ? parsePublicKeyLine(lines[0]!) : undefined;
  if (!parsed) vars.fail(key, 'must hold exactly one OpenSSH public key line (type, base64 key, optional comment)');
  return formatKey(parsed);
}
