/**
 * Small in-memory inventories for role unit tests, with origins at predictable fake lines
 * (host N at hosts.ini line N, key K of all at group_vars/all.yml line K) so tests can assert
 * that an error names the right file and line.
 */
import type { SourceLocation } from '../../../engine/errors.js';
import type { Inventory, InventoryGroup, InventoryHost, Vars, VarOrigins } from '../../../engine/types.js';

export interface InventorySpec {
  /** Host name -> host vars (e.g. ansible_host), in inventory order. */
  readonly hosts: Readonly<Record<string, Vars>>;
  /** Group -> hosts listed directly in it. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** Group -> child groups. */
  readonly children?: Readonly<Record<string, readonly string[]>>;
  /** group_vars/all.yml */
  readonly all?: Vars;
}

export const HOSTS_FILE = 'inventories/test/hosts.ini';
export const ALL_FILE = 'inventories/test/group_vars/all.yml';

export function buildInventory(spec: InventorySpec): Inventory {
  const children = spec.children ?? {};
  const groupNames = [...new Set([...Object.keys(spec.groups), ...Object.keys(children)])];
  const parentsOf = (group: string): string[] => groupNames.filter((g) => (children[g] ?? []).includes(group));
  const ancestors = (group: string, seen = new Set<string>()): string[] => {
    for (const parent of parentsOf(group)) {
      if (!seen.has(parent)) {
        seen.add(parent);
        ancestors(parent, seen);
      }
    }
    return [...seen];
  };
  const allVars = spec.all ?? {};
  const allOrigins: VarOrigins = Object.fromEntries(
    Object.keys(allVars).map((key, i): [string, SourceLocation] => [key, { file: ALL_FILE, line: i + 1 }]),
  );
  const hosts = new Map<string, InventoryHost>();
  Object.entries(spec.hosts).forEach(([name, hostVars], index) => {
    const direct = groupNames.filter((g) => (spec.groups[g] ?? []).includes(name));
    const groups = [...new Set(direct.flatMap((g) => [g, ...ancestors(g)]))];
    const hostOrigins: VarOrigins = Object.fromEntries(
      Object.keys(hostVars).map((key): [string, SourceLocation] => [key, { file: HOSTS_FILE, line: index + 1 }]),
    );
    hosts.set(name, {
      name,
      vars: { ...allVars, ...hostVars },
      origins: { ...allOrigins, ...hostOrigins },
      groups,
      where: { file: HOSTS_FILE, line: index + 1 },
    });
  });
  const groups = new Map<string, InventoryGroup>(
    groupNames.map((g) => [g, { name: g, hosts: spec.groups[g] ?? [], children: children[g] ?? [], vars: {} }]),
  );
  const groupHosts = (group: string): string[] =>
    group === 'all' ? [...hosts.keys()] : [...hosts.values()].filter((h) => h.groups.includes(group)).map((h) => h.name);
  return {
    sources: [HOSTS_FILE],
    hosts,
    groups,
    groupHosts,
    select(pattern: string): string[] {
      const names = new Set(pattern.split(':').flatMap((p) => (hosts.has(p) ? [p] : groupHosts(p))));
      return [...hosts.keys()].filter((h) => names.has(h));
    },
  };
}
