/**
 * `ansible-inventory --graph [group] [--vars]`: the group tree from `group` (default `all`),
 * child groups first then the group's own hosts (`all` shows none: its hosts are under
 * `ungrouped`), each line indented with `  |` per level; with vars, each host's merged variables
 * under it and each group's own variables after its members, sorted by name.
 */
import { InputError } from '../errors.js';
import type { Inventory } from '../types.js';
import { withoutInternalVars } from './inventory-list.js';
import { pythonStr } from './python-repr.js';

export interface GraphOptions {
  /** Also print variables, like --vars. */
  readonly vars?: boolean;
}

export function inventoryGraph(inv: Inventory, group = 'all', options: GraphOptions = {}): string {
  if (!inv.groups.has(group)) throw new InputError(`--graph needs a group name; '${group}' is not a group of the inventory`);
  const lines: string[] = [];
  const line = (text: string, depth: number): void => {
    lines.push(depth ? `${'  |'.repeat(depth)}--${text}` : text);
  };
  const varLines = (vars: Readonly<Record<string, unknown>>, depth: number): void => {
    const entries = Object.entries(withoutInternalVars(vars)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, value] of entries) line(`{${key} = ${pythonStr(value)}}`, depth);
  };
  const visit = (name: string, depth: number): void => {
    const node = inv.groups.get(name);
    if (!node) return;
    line(`@${name}:`, depth);
    for (const child of node.children) visit(child, depth + 1);
    if (name !== 'all') {
      for (const host of node.hosts) {
        line(host, depth + 1);
        if (options.vars) varLines(inv.hosts.get(host)?.vars ?? {}, depth + 2);
      }
    }
    if (options.vars) varLines(node.vars, depth + 1);
  };
  visit(group, 0);
  return lines.join('\n');
}
