/**
 * How to reach a host, from its ansible_* connection variables. Values are checked here, before
 * any host is contacted, and a bad one is an InventoryError naming the file and line it came
 * from. `local` is only used when ansible_connection says so: unlike Ansible's implicit
 * localhost, an inventory host named localhost still goes over SSH unless told otherwise.
 * The older ansible_ssh_host/_port/_user and ansible_private_key_file names are accepted when
 * the main name is not set.
 *
 * Values are read through a VarsReader: the runner passes the host's rendered variables
 * (templates evaluated, -u/-b/--private-key and -e applied); without one, the raw inventory vars.
 */
import { InventoryError, type SourceLocation } from '../errors.js';
import { expandHome } from '../home.js';
import type { ConnectionSpec, InventoryHost, VarsReader } from '../types.js';
import { describe, toBoolean } from '../values.js';
import { shlexSplit, ShlexError } from './shlex-split.js';

/** The inventory's own values, unrendered. */
export function inventoryVarsReader(host: InventoryHost): VarsReader {
  return {
    raw: (key) => host.vars[key],
    has: (key) => Object.prototype.hasOwnProperty.call(host.vars, key),
    origin: (key) => host.origins[key],
  };
}

export function connectionSpec(host: InventoryHost, vars: VarsReader = inventoryVarsReader(host)): ConnectionSpec {
  const read = new HostVarReader(host.name, vars);
  const kind = read.connection();
  const address = read.string('ansible_host', 'ansible_ssh_host') ?? host.name;
  const port = read.port('ansible_port', 'ansible_ssh_port');
  const user = read.string('ansible_user', 'ansible_ssh_user');
  const keyFile = read.string('ansible_ssh_private_key_file', 'ansible_private_key_file');
  const becomeUser = read.string('ansible_become_user');
  const becomePassword = read.password('ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass');
  const commonArgs = [...read.args('ansible_ssh_common_args'), ...read.args('ansible_ssh_extra_args')];
  return {
    kind,
    host: host.name,
    address,
    ...(port !== undefined ? { port } : {}),
    ...(user !== undefined ? { user } : {}),
    become: read.bool('ansible_become'),
    ...(becomeUser !== undefined ? { becomeUser } : {}),
    ...(becomePassword !== undefined ? { becomePassword } : {}),
    ...(keyFile !== undefined ? { privateKeyFile: expandHome(keyFile) } : {}),
    commonArgs,
  };
}

class HostVarReader {
  constructor(
    private readonly name: string,
    private readonly vars: VarsReader,
  ) {}

  private value(key: string): unknown {
    return this.vars.has(key) ? this.vars.raw(key) : undefined;
  }

  private where(key: string): SourceLocation {
    return this.vars.origin(key) ?? { file: `host '${this.name}'` };
  }

  private fail(key: string, reason: string): never {
    throw new InventoryError(`host '${this.name}': ${reason}`, this.where(key), key);
  }

  /**
   * The value of the first of `keys` (a name and its older aliases) that is set (not null), the
   * strongest layer first: a host's `ansible_become_pass` beats -K's `ansible_become_password`
   * below the inventory, `-e ansible_ssh_user` beats the inventory's `ansible_user`. Within one
   * layer the names count in the order given.
   */
  private pick(keys: readonly string[]): { key: string; value: unknown } | undefined {
    const rank = (key: string): number => this.vars.rank?.(key) ?? 0;
    const strongestFirst = keys.filter((key) => this.vars.has(key)).sort((a, b) => rank(b) - rank(a));
    for (const key of strongestFirst) {
      const value = this.value(key);
      if (value !== undefined && value !== null) return { key, value };
    }
    return undefined;
  }

  string(...keys: string[]): string | undefined {
    const found = this.pick(keys);
    if (!found) return undefined;
    const { key, value } = found;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string' || value === '') this.fail(key, `must be a non-empty string, got ${describe(value)}`);
    return value;
  }

  /** A secret: its value never appears in an error. */
  password(...keys: string[]): string | undefined {
    const found = this.pick(keys);
    if (!found) return undefined;
    if (typeof found.value === 'number') return String(found.value);
    if (typeof found.value !== 'string' || found.value === '') this.fail(found.key, 'must be a non-empty string (the sudo password)');
    return found.value;
  }

  port(...keys: string[]): number | undefined {
    const found = this.pick(keys);
    if (!found) return undefined;
    const { key, value } = found;
    const port = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      this.fail(key, `must be a port number (1-65535), got ${describe(value)}`);
    }
    return port;
  }

  bool(key: string): boolean {
    const value = this.value(key);
    if (value === undefined || value === null) return false;
    return toBoolean(value) ?? this.fail(key, `must be a boolean (yes/no, true/false, 1/0), got ${describe(value)}`);
  }

  connection(): 'ssh' | 'local' {
    const value = this.value('ansible_connection');
    if (value === undefined || value === null) return 'ssh';
    if (value === 'ssh' || value === 'local') return value;
    return this.fail('ansible_connection', `must be 'ssh' or 'local', got ${describe(value)}`);
  }

  /** Extra ssh arguments, split like a shell line (quotes group words, they are not kept). */
  args(key: string): string[] {
    const value = this.value(key);
    if (value === undefined || value === null || value === '') return [];
    if (typeof value !== 'string') this.fail(key, `must be a string of ssh arguments, got ${describe(value)}`);
    try {
      return shlexSplit(value);
    } catch (err) {
      if (!(err instanceof ShlexError)) throw err;
      return this.fail(key, `cannot be split like a shell line: ${err.message}`);
    }
  }
}
