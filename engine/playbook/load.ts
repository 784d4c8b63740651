import { PlaybookError } from '../errors.js';
import type { Vars, VarOrigins } from '../types.js';
import type { Vault } from '../vault/index.js';
import { isMapping, toBoolean } from '../values.js';
import { readYamlFile, type KeyPath, type YamlDocument } from '../yaml/load.js';
import type { Play, Playbook, RoleEntry } from './types.js';

const PLAY_KEYS = new Set(['name', 'hosts', 'roles', 'vars', 'tags', 'serial', 'any_errors_fatal', 'become', 'gather_facts']);
const ROLE_KEYS = new Set(['role', 'name', 'tags', 'vars']);

/** `vault` opens an encrypted playbook and its !vault values (play vars). */
export function loadPlaybook(file: string, vault?: Vault): Playbook {
  const doc = readYamlFile(file, { errorType: PlaybookError, vault });
  if (!Array.isArray(doc.data)) throw new PlaybookError('a playbook must be a YAML list of plays', doc.locate([]));
  const plays = doc.data.map((raw, index) => parsePlay(doc, raw, index));
  if (plays.length === 0) throw new PlaybookError('the playbook has no plays', { file, line: 1 });
  return { file, plays };
}

function fail(doc: YamlDocument, path: KeyPath, reason: string): never {
  throw new PlaybookError(reason, doc.locate(path), path.join('.'));
}

function parsePlay(doc: YamlDocument, raw: unknown, index: number): Play {
  const at: KeyPath = [index];
  if (!isMapping(raw)) fail(doc, at, 'a play must be a mapping with hosts and roles');
  for (const key of Object.keys(raw)) {
    if (key === 'tasks' || key === 'pre_tasks' || key === 'post_tasks' || key === 'handlers') {
      fail(doc, [index, key], `'${key}' is not supported: play runs roles (TypeScript modules under roles/)`);
    }
    if (!PLAY_KEYS.has(key)) fail(doc, [index, key], `unknown play key '${key}' (known: ${[...PLAY_KEYS].join(', ')})`);
  }
  if (typeof raw.hosts !== 'string' || raw.hosts.trim() === '') fail(doc, [index, 'hosts'], 'hosts must be a host pattern string');
  const roles = raw.roles ?? [];
  if (!Array.isArray(roles)) fail(doc, [index, 'roles'], 'roles must be a list');
  const name = raw.name === undefined ? String(raw.hosts) : String(raw.name);
  const { vars, origins } = parseVars(doc, [index, 'vars'], raw.vars);
  return {
    index,
    name,
    hosts: raw.hosts,
    hostsWhere: doc.locate([index, 'hosts']),
    roles: roles.map((entry, i) => parseRoleEntry(doc, entry, [index, 'roles', i])),
    vars,
    varOrigins: origins,
    tags: parseTags(doc, [index, 'tags'], raw.tags),
    serial: parseSerial(doc, [index, 'serial'], raw.serial),
    anyErrorsFatal: parseBool(doc, [index, 'any_errors_fatal'], raw.any_errors_fatal) ?? false,
    become: parseBool(doc, [index, 'become'], raw.become),
    where: doc.locate(at),
  };
}

function parseRoleEntry(doc: YamlDocument, raw: unknown, at: KeyPath): RoleEntry {
  if (typeof raw === 'string') return { name: raw, tags: [], vars: {}, varOrigins: {}, where: doc.locate(at) };
  if (!isMapping(raw)) fail(doc, at, 'a role entry must be a name or {role, tags, vars}');
  for (const key of Object.keys(raw)) {
    if (!ROLE_KEYS.has(key)) fail(doc, [...at, key], `unknown role entry key '${key}' (known: role, tags, vars)`);
  }
  const name = raw.role ?? raw.name;
  if (typeof name !== 'string' || !name) fail(doc, at, 'a role entry needs role: NAME');
  const { vars, origins } = parseVars(doc, [...at, 'vars'], raw.vars);
  return { name, tags: parseTags(doc, [...at, 'tags'], raw.tags), vars, varOrigins: origins, where: doc.locate(at) };
}

function parseVars(doc: YamlDocument, at: KeyPath, raw: unknown): { vars: Vars; origins: VarOrigins } {
  if (raw === undefined || raw === null) return { vars: {}, origins: {} };
  if (!isMapping(raw)) fail(doc, at, 'vars must be a mapping');
  const origins: VarOrigins = {};
  for (const key of Object.keys(raw)) origins[key] = doc.locate([...at, key]);
  return { vars: { ...raw }, origins };
}

export function parseTags(doc: YamlDocument, at: KeyPath, raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(list)) fail(doc, at, 'tags must be a list or a comma-separated string');
  return list.map((tag, i) => {
    if (typeof tag !== 'string' && typeof tag !== 'number') fail(doc, [...at, i], 'a tag must be a string');
    return String(tag).trim();
  });
}

function parseSerial(doc: YamlDocument, at: KeyPath, raw: unknown): (number | `${number}%`)[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((item) => {
    if (typeof item === 'number' && Number.isInteger(item) && item > 0) return item;
    if (typeof item === 'string' && /^\d+%$/.test(item) && Number(item.slice(0, -1)) > 0) return item as `${number}%`;
    if (typeof item === 'string' && /^\d+$/.test(item) && Number(item) > 0) return Number(item);
    return fail(doc, at, "serial must be a positive number, a percentage like '30%', or a list of them");
  });
}

function parseBool(doc: YamlDocument, at: KeyPath, raw: unknown): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  return toBoolean(raw) ?? fail(doc, at, 'must be true or false');
}

