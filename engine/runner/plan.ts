import { PlaybookError, type SourceLocation } from '../errors.js';
import { loadRole } from '../playbook/roles.js';
import { shouldRun, unknownTags, type TagFilter } from '../playbook/tags.js';
import type { Play, Playbook, RoleEntry } from '../playbook/types.js';
import { Redactor } from '../secrets.js';
import type { Change, HostView, Inventory, InventoryView, Role, Task } from '../types.js';
import { TypedVars } from '../vars.js';
import { hostView, inventoryView } from './host-view.js';
import { registerSecret } from './known-secrets.js';
import { LayeredVars, type VarsLayer } from './layered-vars.js';

export interface PlannedTask {
  readonly task: Task<unknown, Change>;
  readonly tags: ReadonlySet<string>;
}

export interface PlannedRole {
  readonly entry: RoleEntry;
  readonly role: Role<unknown>;
  /** Typed vars per host of the play. */
  readonly vars: ReadonlyMap<string, unknown>;
  /** Tasks left after tag filtering, in order. */
  readonly tasks: readonly PlannedTask[];
  readonly allTasks: readonly PlannedTask[];
}

export interface PlannedPlay {
  readonly play: Play;
  /** Hosts the play runs on (pattern, then --limit). */
  readonly hosts: readonly string[];
  readonly roles: readonly PlannedRole[];
}

export interface Plan {
  readonly plays: readonly PlannedPlay[];
  readonly inventory: Inventory;
  readonly view: InventoryView;
  readonly warnings: readonly string[];
  readonly redactor: Redactor;
  readonly tagsSeen: ReadonlySet<string>;
}

export interface PlanOptions {
  readonly limit?: string;
  readonly tags: TagFilter;
  readonly extraVars: VarsLayer;
  /** Values secret before planning (every vault plaintext, the -K password): never printed. */
  readonly secrets?: Iterable<string>;
}

const LIMIT_WHERE: SourceLocation = { file: '--limit' };

/** Everything that can be refused is refused here, before any host is contacted. */
export async function buildPlan(inventory: Inventory, playbook: Playbook, options: PlanOptions): Promise<Plan> {
  const view = inventoryView(inventory);
  const warnings: string[] = [];
  const redactor = new Redactor();
  for (const secret of options.secrets ?? []) registerSecret(redactor, secret);
  redactor.addFromVars(options.extraVars.vars);
  for (const host of inventory.hosts.values()) redactor.addFromVars(host.vars);
  const limited = options.limit ? new Set(inventory.select(options.limit, LIMIT_WHERE)) : undefined;
  const tagsSeen = new Set<string>();
  const plays: PlannedPlay[] = [];
  for (const play of playbook.plays) {
    redactor.addFromVars(play.vars);
    const all = inventory.select(play.hosts, play.hostsWhere);
    if (all.length === 0) {
      throw new PlaybookError(`host pattern '${play.hosts}' matches no host (is the group empty?)`, play.hostsWhere, 'hosts');
    }
    const roles: PlannedRole[] = [];
    for (const entry of play.roles) {
      redactor.addFromVars(entry.vars);
      roles.push(await planRole(play, entry, all, inventory, view, options, warnings, tagsSeen));
    }
    plays.push({ play, hosts: limited ? all.filter((h) => limited.has(h)) : all, roles });
  }
  const unknown = unknownTags(options.tags, tagsSeen);
  if (unknown.length) warnings.push(`tag(s) ${unknown.join(', ')} match no task in ${playbook.file}`);
  return { plays, inventory, view, warnings, redactor, tagsSeen };
}

async function planRole(
  play: Play,
  entry: RoleEntry,
  hosts: readonly string[],
  inventory: Inventory,
  view: InventoryView,
  options: PlanOptions,
  warnings: string[],
  tagsSeen: Set<string>,
): Promise<PlannedRole> {
  const role = await loadRole(entry);
  const vars = new Map<string, unknown>();
  for (const name of hosts) {
    const host = inventory.hosts.get(name)!;
    const reader = new LayeredVars([
      { vars: role.defaults, where: { file: `roles/${role.name}/defaults.ts` } },
      { vars: host.vars, origins: host.origins },
      { vars: play.vars, origins: play.varOrigins },
      { vars: entry.vars, origins: entry.varOrigins },
      options.extraVars,
    ]);
    vars.set(name, role.resolve(new TypedVars(reader, entry.where), hostView(inventory, name), view));
  }
  role.validatePlay?.(vars, view, (message) => warnings.push(`${role.name}: ${message}`));
  const allTasks = role.tasks.map((task) => {
    const tags = new Set([...(task.tags ?? []), ...entry.tags, ...play.tags]);
    tags.forEach((t) => tagsSeen.add(t));
    return { task, tags };
  });
  return { entry, role, vars, allTasks, tasks: allTasks.filter((t) => shouldRun(t.tags, options.tags)) };
}

export function hostViewOf(plan: Plan, name: string): HostView {
  return plan.view.host(name);
}
