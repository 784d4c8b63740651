/**
 * Resolves a role's vars for every host of a pattern the way the runner's plan does (role
 * defaults < inventory < extra vars, rendered as templates, then validatePlay), without
 * contacting anything.
 */
import type { SourceLocation } from '../../../engine/errors.js';
import { connectionSpecs } from '../../../engine/runner/connections.js';
import { inventoryView } from '../../../engine/runner/host-view.js';
import { Redactor } from '../../../engine/secrets.js';
import { RunVars, type VarScope } from '../../../engine/template/index.js';
import type { Inventory, InventoryView, Role, Vars } from '../../../engine/types.js';
import { TypedVars } from '../../../engine/vars.js';

export const PLAYBOOK_WHERE: SourceLocation = { file: 'playbooks/test.yml', line: 3 };

export interface Resolved<V> {
  readonly vars: Map<string, V>;
  readonly warnings: string[];
}

/** The run's variables and inventory view, as the planner builds them. */
export function runVarsOf(inventory: Inventory, extraVars: Vars = {}): { vars: RunVars; view: InventoryView } {
  const vars = new RunVars(inventory, { extraVars: { vars: extraVars, where: { file: '-e' } }, secrets: new Redactor() });
  return { vars, view: inventoryView(inventory, { vars: (name) => vars.view(name), target: connectionSpecs(vars) }) };
}

/** A role's variables on one host: `defaults` < inventory < -e. */
export function roleScope(vars: RunVars, host: string, defaults: Vars, defaultsFile: string): VarScope {
  return vars.role(host, { defaults: { vars: defaults, where: { file: defaultsFile } }, above: [] });
}

export function resolveRole<V>(role: Role<V>, inventory: Inventory, pattern = 'all', extraVars: Vars = {}): Resolved<V> {
  const { vars: runVars, view } = runVarsOf(inventory, extraVars);
  const vars = new Map<string, V>();
  for (const name of inventory.select(pattern)) {
    const scope = roleScope(runVars, name, role.defaults, `roles/${role.name}/defaults.ts`);
    vars.set(name, role.resolve(new TypedVars(scope, PLAYBOOK_WHERE), view.host(name), view));
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
