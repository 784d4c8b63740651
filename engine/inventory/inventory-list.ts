/**
 * `ansible-inventory --list`: every non-empty group with its direct `hosts` and `children`
 * (`all` lists only children; empty keys and empty groups are left out but still named as
 * children), and `_meta.hostvars` with each host's merged variables. Group variables are not
 * printed per group: as in ansible-core 2.14 they are folded into the hosts' variables.
 * Keys come out sorted, as json.dumps(sort_keys=True) writes them.
 */
import type { Inventory } from '../types.js';

/** Magic variables ansible-inventory removes from what it prints (cli/inventory.py INTERNAL_VARS). */
export const INTERNAL_VARS: ReadonlySet<string> = new Set([
  'ansible_diff_mode',
  'ansible_config_file',
  'ansible_facts',
  'ansible_forks',
  'ansible_inventory_sources',
  'ansible_limit',
  'ansible_playbook_python',
  'ansible_run_tags',
  'ansible_skip_tags',
  'ansible_verbosity',
  'ansible_version',
  'inventory_dir',
  'inventory_file',
  'inventory_hostname',
  'inventory_hostname_short',
  'groups',
  'group_names',
  'omit',
  'playbook_dir',
]);

interface ListedGroup {
  hosts?: string[];
  children?: string[];
}

export function inventoryList(inv: Inventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const group = inv.groups.get(name);
    if (!group) return;
    const entry: ListedGroup = {};
    if (name !== 'all' && group.hosts.length) entry.hosts = [...group.hosts];
    if (group.children.length) entry.children = [...group.children];
    if (entry.hosts || entry.children) out[name] = entry;
    for (const child of group.children) {
      if (seen.has(child)) continue;
      seen.add(child);
      visit(child);
    }
  };
  visit('all');

  const hostvars: Record<string, unknown> = {};
  for (const host of inv.hosts.values()) {
    const vars = withoutInternalVars(host.vars);
    if (Object.keys(vars).length) hostvars[host.name] = vars;
  }
  out._meta = { hostvars };
  return sortKeysDeep(out) as Record<string, unknown>;
}

export function withoutInternalVars(vars: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vars).filter(([key]) => !INTERNAL_VARS.has(key)));
}

/** Objects rebuilt with sorted keys (code point order, like Python's sort_keys); arrays kept. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)]));
}
