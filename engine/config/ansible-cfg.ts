/**
 * ansible.cfg, found and read as Ansible does (config/manager.py find_ini_config_file): the first
 * readable of $ANSIBLE_CONFIG (a file, or a folder holding ansible.cfg), ./ansible.cfg (skipped
 * with a warning when the current folder is world-writable: anyone could plant one there),
 * ~/.ansible.cfg, /etc/ansible/ansible.cfg. Only the settings that mean the same to play are
 * read; unknown keys are ignored, as Ansible ignores them. A bad value of a known key is an
 * error naming file, line and key, never the value. Paths are relative to the file's folder,
 * with ~ and $VARS expanded (Ansible's resolve_path).
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandHome } from '../home.js';
import { shlexSplit, ShlexError } from '../inventory/shlex-split.js';
import { toBoolean } from '../values.js';
import { cfgValue, ConfigError, parseCfgIni, type CfgSections, type CfgValue } from './cfg-ini.js';

export { ConfigError } from './cfg-ini.js';

export interface AnsibleConfig {
  /** The file read, or undefined when none was found. */
  readonly file?: string;
  readonly warnings: readonly string[];
  readonly inventory?: readonly string[];
  readonly remoteUser?: string;
  readonly privateKeyFile?: string;
  readonly forks?: number;
  readonly timeout?: number;
  readonly hostKeyChecking?: boolean;
  readonly vaultPasswordFile?: string;
  readonly vaultIdentityList?: readonly string[];
  readonly become?: boolean;
  readonly becomeUser?: string;
  readonly becomeAskPass?: boolean;
  readonly sshArgs?: readonly string[];
  /** Line of each setting read (`section.key`), for messages about them. */
  readonly lines: ReadonlyMap<string, number>;
}

export interface ConfigEnv {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly home: string;
}

const defaultEnv = (): ConfigEnv => ({ env: process.env, cwd: process.cwd(), home: os.homedir() });

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The config file Ansible would use, and the warning about a skipped world-writable ./ansible.cfg. */
export function findConfigFile(where: ConfigEnv = defaultEnv()): { file?: string; warnings: string[] } {
  const candidates: string[] = [];
  let fromEnv: string | undefined;
  if (where.env.ANSIBLE_CONFIG !== undefined) {
    const resolved = resolvePath(where.env.ANSIBLE_CONFIG, where.cwd, where);
    fromEnv = existsSync(resolved) && statSync(resolved).isDirectory() ? path.join(resolved, 'ansible.cfg') : resolved;
    candidates.push(fromEnv);
  }
  const cwdFile = path.join(where.cwd, 'ansible.cfg');
  let skippedCwd = false;
  if (worldWritable(where.cwd)) skippedCwd = existsSync(cwdFile);
  else candidates.push(cwdFile);
  candidates.push(path.join(where.home, '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  const file = candidates.find(readable);
  // As Ansible: no warning when $ANSIBLE_CONFIG chose the file anyway.
  const warnings =
    skippedCwd && (fromEnv === undefined || file !== fromEnv)
      ? [`play is being run in a world writable directory (${where.cwd}), ignoring its ansible.cfg (as Ansible does)`]
      : [];
  return { ...(file ? { file } : {}), warnings };
}

function worldWritable(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

export function loadAnsibleConfig(where: ConfigEnv = defaultEnv()): AnsibleConfig {
  const found = findConfigFile(where);
  if (!found.file) return { warnings: found.warnings, lines: new Map() };
  let text: string;
  try {
    text = readFileSync(found.file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file: found.file });
  }
  return { ...parseAnsibleConfig(text, found.file, where), warnings: found.warnings };
}

/** Reads the known settings of one file's text. */
export function parseAnsibleConfig(text: string, file: string, where: ConfigEnv = defaultEnv()): AnsibleConfig {
  const reader = new SettingReader(parseCfgIni(text, file), file, where);
  const settings = {
    inventory: reader.read('defaults', 'inventory', (v) => reader.pathList(v)),
    remoteUser: reader.read('defaults', 'remote_user', (v) => reader.word(v)),
    privateKeyFile: reader.read('defaults', 'private_key_file', (v) => reader.path(v)),
    forks: reader.read('defaults', 'forks', (v) => reader.positiveInt(v)),
    timeout: reader.read('defaults', 'timeout', (v) => reader.positiveInt(v)),
    hostKeyChecking: reader.read('defaults', 'host_key_checking', (v) => reader.bool(v)),
    vaultPasswordFile: reader.read('defaults', 'vault_password_file', (v) => reader.path(v)),
    vaultIdentityList: reader.read('defaults', 'vault_identity_list', (v) => reader.list(v)),
    become: reader.read('privilege_escalation', 'become', (v) => reader.bool(v)),
    becomeUser: reader.read('privilege_escalation', 'become_user', (v) => reader.word(v)),
    becomeAskPass: reader.read('privilege_escalation', 'become_ask_pass', (v) => reader.bool(v)),
    sshArgs: reader.read('ssh_connection', 'ssh_args', (v) => reader.args(v)),
  };
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Partial<AnsibleConfig>;
  return { file, warnings: [], ...defined, lines: reader.lines };
}

/** Thrown by a value parser: the reason, without the value. */
class BadValue extends Error {}

class SettingReader {
  readonly lines = new Map<string, number>();

  constructor(
    private readonly sections: CfgSections,
    private readonly file: string,
    private readonly where: ConfigEnv,
  ) {}

  read<T>(section: string, key: string, parse: (value: string) => T): T | undefined {
    const found: CfgValue | undefined = cfgValue(this.sections, section, key);
    if (!found) return undefined;
    this.lines.set(`${section}.${key}`, found.line);
    try {
      return parse(found.value);
    } catch (err) {
      if (!(err instanceof BadValue)) throw err;
      throw new ConfigError(err.message, { file: this.file, line: found.line }, `[${section}] ${key}`);
    }
  }

  bool(value: string): boolean {
    const bool = toBoolean(unquote(value));
    if (bool !== undefined) return bool;
    throw new BadValue('must be a boolean (True/False, yes/no, 1/0)');
  }

  positiveInt(value: string): number {
    const text = value.trim();
    if (!/^[+]?\d+$/.test(text) || Number(text) < 1) throw new BadValue('must be a positive integer');
    return Number(text);
  }

  word(value: string): string {
    const text = unquote(value);
    if (!text || /\s/.test(text)) throw new BadValue('must be one word (no spaces)');
    return text;
  }

  path(value: string): string {
    if (!value.trim()) throw new BadValue('must be a path');
    return resolvePath(value.trim(), path.dirname(path.resolve(this.where.cwd, this.file)), this.where);
  }

  pathList(value: string): string[] {
    const entries = value.split(',').map((v) => v.trim()).filter(Boolean);
    if (!entries.length) throw new BadValue('must be a comma-separated list of paths');
    return entries.map((entry) => this.path(entry));
  }

  list(value: string): string[] {
    return value.split(',').map((v) => unquote(v.trim())).filter(Boolean);
  }

  args(value: string): string[] {
    try {
      return shlexSplit(unquote(value));
    } catch (err) {
      if (!(err instanceof ShlexError)) throw err;
      throw new BadValue(`cannot be split like a shell line (${err.message})`);
    }
  }
}

/** Ansible's unquote: one pair of matching outer quotes is removed. */
function unquote(value: string): string {
  const text = value.trim();
  const q = text[0];
  return text.length > 1 && (q === '"' || q === "'") && text[text.length - 1] === q && text[text.length - 2] !== '\\' ? text.slice(1, -1) : text;
}

/** Python's expandvars + expanduser, then relative to `base` (Ansible's unfrackpath). */
function resolvePath(value: string, base: string, where: ConfigEnv): string {
  let out = value.replace(/\$(\w+)|\$\{([^}]*)\}/g, (whole, a: string | undefined, b: string | undefined) => where.env[a ?? b ?? ''] ?? whole);
  out = expandHome(out, where.home);
  return path.normalize(path.isAbsolute(out) ? out : path.join(base, out));
}
