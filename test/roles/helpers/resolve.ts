/**
 * Resolves a role's vars for every host of a pattern the way the runner's plan does (role
 * defaults < inventory < extra vars, then validatePlay), without contacting anything.
 */
import type { SourceLocation } from '../../../engine/errors.js';
import { hostView, inventoryView } from '../../../engine/runner/host-view.js';
import { LayeredVars } from '../../../engine/runner/layered-vars.js';
import type { Inventory, Role, Vars } from '../../../engine/types.js';
import { TypedVars } from '../../../engine/vars.js';

export const PLAYBOOK_WHERE: SourceLocation = { file: 'playbooks/test.yml', line: 3 };

export interface Resolved<V> {
  readonly vars: Map<string, V>;
  readonly warnings: string[];
}

export function resolveRole<V>(role: Role<V>, inventory: Inventory, pattern = 'all', extraVars: Vars = {}): Resolved<V> {
  const view = inventoryView(inventory);
  const vars = new Map<string, V>();
  for (const name of inventory.select(pattern)) {
    const host = inventory.hosts.get(name)!;
    const reader = new LayeredVars([
      { vars: role.defaults, where: { file: `roles/${role.name}/defaults.ts` } },
      { vars: host.vars, origins: host.origins },
      { vars: extraVars, where: { file: '-e' } },
    ]);
    vars.set(name, role.resolve(new TypedVars(reader, PLAYBOOK_WHERE), hostView(inventory, name), view));
  }
  const warnings: string[] = [];
  role.validatePlay?.(vars, view, (message) => warnings.push(message));
  return { vars, warnings };
}

/** The vars of one host, which must exist. */
export function varsOf<V>(resolved: Resolved<V>, host: string): V {
  const v = resolved.vars.get(host);
  if (v === undefined) throw new Error(`no vars for ${host}`);
  return v;
}
