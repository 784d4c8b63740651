/**
 * INI inventories, parsed as Ansible's ini plugin does (plugins/inventory/ini.py):
 * hosts before any section are `ungrouped`; `[g]` lists hosts (`host[:port] k=v ...`, cut like
 * a shell line, `#` comments allowed after it), `[g:vars]` holds `k = v` lines, `[g:children]`
 * names groups that may be declared further down. Every value goes through Python's
 * literal_eval, in host lines and in :vars sections alike (checked against ansible-inventory).
 */
import { InventoryError, type SourceLocation } from '../errors.js';
import { expandHostPattern } from './host-key.js';
import type { GroupNode, InventoryModel } from './inventory-model.js';
import { iniValue } from './python-literal.js';
import { shlexSplit, ShlexError } from './shlex-split.js';

const SECTION_RE = /^\[([^:\]\s]+)(?::([\p{L}\p{N}_]+))?\]\s*(?:#.*)?$/u;
const GROUP_NAME_RE = /^([^:\]\s]+)\s*(?:#.*)?$/;
/** The line breaks of Python's str.splitlines, so that line numbers agree with Ansible's. */
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

type SectionKind = 'hosts' | 'children' | 'vars';

interface Pending {
  readonly kind: 'vars' | 'children';
  readonly line: number;
  readonly parents: GroupNode[];
}

export function parseIniInventory(text: string, file: string, model: InventoryModel): void {
  const pending = new Map<string, Pending>();
  let group = model.ungrouped;
  let kind: SectionKind = 'hosts';

  text.split(LINE_BREAK).forEach((raw, index) => {
    const where: SourceLocation = { file, line: index + 1 };
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') return;

    const section = SECTION_RE.exec(line);
    if (section) {
      const name = section[1] ?? '';
      const tag = section[2] ?? 'hosts';
      if (tag !== 'hosts' && tag !== 'children' && tag !== 'vars') {
        throw new InventoryError(`section [${name}:${tag}] has unknown type '${tag}' (hosts, children or vars)`, where, name);
      }
      kind = tag;
      if (!model.groups.has(name) && kind === 'vars' && !pending.has(name)) {
        // [g:vars] alone does not declare g: it must be declared by the end of the file.
        pending.set(name, { kind: 'vars', line: where.line ?? 0, parents: [] });
      }
      group = model.addGroup(name);
      const waiting = pending.get(name);
      if (waiting && kind !== 'vars') {
        if (waiting.kind === 'children') attachPending(name, pending, model, { file, line: waiting.line });
        else pending.delete(name);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw new InventoryError('invalid section header: no spaces or other characters allowed in a section name', where);
    }

    if (kind === 'hosts') parseHostLine(line, group, model, where);
    else if (kind === 'vars') parseVarLine(line, group, model, where);
    else parseChildLine(line, group, model, pending, where);
  });

  for (const [name, decl] of pending) {
    const where = { file, line: decl.line };
    if (decl.kind === 'vars') {
      throw new InventoryError(`section [${name}:vars] is for a group that no section declares`, where, name);
    }
    const parent = decl.parents[decl.parents.length - 1]?.name ?? '?';
    throw new InventoryError(`section [${parent}:children] names group '${name}', which no section declares`, where, name);
  }
}

function attachPending(name: string, pending: Map<string, Pending>, model: InventoryModel, where: SourceLocation): void {
  const decl = pending.get(name);
  const child = model.groups.get(name);
  if (!decl || !child) return;
  for (const parent of decl.parents) {
    model.addChild(parent, child, where);
    if (pending.get(parent.name)?.kind === 'children') attachPending(parent.name, pending, model, where);
  }
  pending.delete(name);
}

function parseHostLine(line: string, group: GroupNode, model: InventoryModel, where: SourceLocation): void {
  let tokens: string[];
  try {
    tokens = shlexSplit(line, { comments: true });
  } catch (err) {
    if (!(err instanceof ShlexError)) throw err;
    throw new InventoryError(`cannot parse the host line: ${err.message}`, where, undefined, { cause: err });
  }
  const [pattern, ...assignments] = tokens;
  if (pattern === undefined) throw new InventoryError('cannot parse the host line', where);
  const { names, port } = expandHostPattern(pattern, where, true);
  const vars: Array<[string, unknown]> = [];
  for (const [i, token] of assignments.entries()) {
    const eq = token.indexOf('=');
    if (eq === -1) {
      throw new InventoryError(`word ${i + 2} of the host line is not a key=value host variable`, where);
    }
    vars.push([token.slice(0, eq), iniValue(token.slice(eq + 1))]);
  }
  for (const name of names) {
    const host = model.addHost(name, group, port, where);
    for (const [key, value] of vars) model.setHostVar(host, key, value, where);
  }
}

function parseVarLine(line: string, group: GroupNode, model: InventoryModel, where: SourceLocation): void {
  const eq = line.indexOf('=');
  if (eq === -1) throw new InventoryError(`a line of [${group.name}:vars] must be key=value`, where);
  // Not shell-split: the whole rest of the line, comments included, goes to literal_eval.
  const key = line.slice(0, eq).trim();
  model.setGroupVar(group, key, iniValue(line.slice(eq + 1).trim()), where);
}

function parseChildLine(
  line: string,
  group: GroupNode,
  model: InventoryModel,
  pending: Map<string, Pending>,
  where: SourceLocation,
): void {
  const m = GROUP_NAME_RE.exec(line);
  if (!m) throw new InventoryError(`a line of [${group.name}:children] must be one group name`, where);
  const name = m[1] ?? '';
  const child = model.groups.get(name);
  if (child) {
    model.addChild(group, child, where);
    return;
  }
  const waiting = pending.get(name);
  if (waiting) waiting.parents.push(group);
  else pending.set(name, { kind: 'children', line: where.line ?? 0, parents: [group] });
}
