/**
 * YAML inventories as Ansible's yaml plugin reads them: top-level keys are groups, each with
 * optional `hosts` (host pattern -> vars), `vars` and `children` (nested groups, any depth; a
 * group may appear under several parents and its definitions add up). Where Ansible only warns
 * and skips (a group that is not a mapping, an unknown key) we stop with an InventoryError that
 * names file, line and key path, since such an entry is almost always a typo.
 */
import { InventoryError, type SourceLocation } from '../errors.js';
import { expandHostPattern } from './host-key.js';
import type { GroupNode, InventoryModel } from './inventory-model.js';
import { describe, isMapping, isPythonFalsy } from '../values.js';
import type { YamlDocument } from '../yaml/load.js';

const SECTIONS = ['vars', 'children', 'hosts'] as const;

export function parseYamlInventory(doc: YamlDocument, model: InventoryModel): void {
  const { data, file } = doc;
  // Ansible's yaml plugin refuses an empty file and the ini plugin then reads it as empty.
  if (isPythonFalsy(data)) return;
  const at = (path: readonly string[]): SourceLocation => doc.locate(path);
  if (!isMapping(data)) {
    throw new InventoryError(`a YAML inventory must be a mapping of group names, got ${describe(data)}`, { file, line: 1 });
  }
  if (data.plugin) {
    throw new InventoryError('inventory plugin configurations are not supported, only static inventories', at(['plugin']), 'plugin');
  }
  const parser = new YamlGroupParser(model, at);
  for (const [name, body] of Object.entries(data)) parser.group(name, body, [name]);
}

class YamlGroupParser {
  constructor(
    private readonly model: InventoryModel,
    private readonly at: (path: readonly string[]) => SourceLocation,
  ) {}

  group(name: string, body: unknown, path: string[]): GroupNode {
    if (body !== null && !isMapping(body)) {
      throw new InventoryError(`group '${name}' must be a mapping (hosts, vars, children), got ${describe(body)}`, this.at(path), path.join('.'));
    }
    const group = this.model.addGroup(name);
    if (body === null) return group;
    for (const section of SECTIONS) {
      const value = body[section];
      // A bare string is accepted by Ansible as a one-entry mapping: `hosts: web1`.
      if (typeof value === 'string') body[section] = { [value]: null };
      else if (value !== undefined && value !== null && !isMapping(value)) {
        const key = [...path, section];
        throw new InventoryError(`'${section}' of group '${name}' must be a mapping, got ${describe(value)}`, this.at(key), key.join('.'));
      }
    }
    for (const [key, value] of Object.entries(body)) {
      const keyPath = [...path, key];
      if (value === null || value === undefined) continue;
      if (key === 'vars' && isMapping(value)) this.vars(group, value, keyPath);
      else if (key === 'children' && isMapping(value)) this.children(group, value, keyPath);
      else if (key === 'hosts' && isMapping(value)) this.hosts(group, value, keyPath);
      else {
        throw new InventoryError(
          `unexpected key '${key}' in group '${name}': only hosts, vars and children are allowed`,
          this.at(keyPath),
          keyPath.join('.'),
        );
      }
    }
    return group;
  }

  private vars(group: GroupNode, vars: Record<string, unknown>, path: string[]): void {
    for (const [key, value] of Object.entries(vars)) this.model.setGroupVar(group, key, value, this.at([...path, key]));
  }

  private children(group: GroupNode, children: Record<string, unknown>, path: string[]): void {
    for (const [name, body] of Object.entries(children)) {
      const childPath = [...path, name];
      const child = this.group(name, body, childPath);
      this.model.addChild(group, child, this.at(childPath));
    }
  }

  private hosts(group: GroupNode, hosts: Record<string, unknown>, path: string[]): void {
    for (const [pattern, vars] of Object.entries(hosts)) {
      const hostPath = [...path, pattern];
      const where = this.at(hostPath);
      if (vars !== null && !isMapping(vars)) {
        throw new InventoryError(`host '${pattern}' must map to its variables, got ${describe(vars)}`, where, hostPath.join('.'));
      }
      const { names, port } = expandHostPattern(pattern, where, false, hostPath.join('.'));
      for (const name of names) {
        const host = this.model.addHost(name, group, port, where);
        for (const [key, value] of Object.entries(vars ?? {})) {
          this.model.setHostVar(host, key, value, this.at([...hostPath, key]));
        }
      }
    }
  }
}
