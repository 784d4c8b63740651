/** ssh-trust's typed vars: the masters to trust, and the controller's key when given. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { HostView, InventoryView } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { groupName } from '../lb-shared/topology.js';
import { formatKey, isKeyType, parsePublicKeyLine } from './public-keys.js';

export interface Master {
  readonly name: string;
  readonly address: string;
}

export interface SshTrustVars {
  readonly host: string;
  /** Every host of the masters group, in inventory order (not only the play's: --limit). */
  readonly masters: readonly Master[];
  /** One public key line for the controller, when ssh_trust_controller_key is set. */
  readonly controllerKey?: string;
}

export function resolveSshTrust(vars: TypedVars, host: HostView, inventory: InventoryView): SshTrustVars {
  const mastersGroup = groupName(vars, 'masters_group');
  const masters = inventory.groupHosts(mastersGroup).map((m) => ({ name: m.name, address: m.address }));
  if (!masters.some((m) => m.name === host.name)) {
    vars.fail('masters_group', `host ${host.name} runs ssh-trust but is not in group '${mastersGroup}': its key would be trusted by no one`);
  }
  const controllerKey = readControllerKey(vars);
  return { host: host.name, masters, ...(controllerKey !== undefined ? { controllerKey } : {}) };
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
    const path = value.startsWith('~/') ? `${homedir()}${value.slice(1)}` : value;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      vars.fail(key, `is neither a public key nor a readable file: ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  if (/PRIVATE KEY/.test(text)) vars.fail(key, 'names a PRIVATE key: give the public one (the .pub file)');
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const parsed = lines.length === 1 ? parsePublicKeyLine(lines[0]!) : undefined;
  if (!parsed) vars.fail(key, 'must hold exactly one OpenSSH public key line (type, base64 key, optional comment)');
  return formatKey(parsed);
}
