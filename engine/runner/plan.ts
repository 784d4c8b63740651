import { PlaybookError, type SourceLocation } from '../errors.js';
import { loadRole } from '../playbook/roles.js';
import { shouldRun, unknownTags, type TagFilter } from '../playbook/tags.js';
import type { Play, Playbook, RoleEntry } from '../playbook/types.js';
import { Redactor } from '../secrets.js';
import { RunVars, type VarsLayer } from '../template/index.js';
import type { Change, ConnectionSpec, Inventory, InventoryView, Role, Task } from '../types.js';
import { TypedVars } from '../vars.js';
import { connectionSpecs } from './connections.js';
import { inventoryView } from './host-view.js';
import { registerSecret } from './known-secrets.js';

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
  /** The run's variables (rendered lazily, cached per host and key). */
  readonly vars: RunVars;
  /** How to reach a host: its rendered connection variables, -u/-b/--private-key, then -e. */
  connectionSpec(host: string): ConnectionSpec;
}

export interface PlanOptions {
  readonly limit?: string;
  readonly tags: TagFilter;
  readonly extraVars: VarsLayer;
  /**
   * The run's variables, shared by the plans of one run; built from extraVars when absent. When
   * given, it must register secrets into `redactor`.
   */
  readonly vars?: RunVars;
  readonly redactor?: Redactor;
  /** Values secret before planning (every vault plaintext, the -K password): never printed. */
  readonly secrets?: Iterable<string>;
}

const LIMIT_WHERE: SourceLocation = { file: '--limit' };

/** Everything that can be refused is refused here, before any host is contacted. */
export async function buildPlan(inventory: Inventory, playbook: Playbook, options: PlanOptions): Promise<Plan> {
  const redactor = options.redactor ?? new Redactor();
  // Before anything renders: a template that reads a secret must find it known.
  for (const secret of options.secrets ?? []) registerSecret(redactor, secret);
  const vars = options.vars ?? new RunVars(inventory, { extraVars: options.extraVars, secrets: redactor });
  const connectionSpec = connectionSpecs(vars);
  const view = inventoryView(inventory, { vars: (name) => vars.view(name), target: connectionSpec });
  const context: PlanContext = { inventory, view, vars, connectionSpec, options };
  const warnings: string[] = [];
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
      roles.push(await planRole(play, entry, all, context, warnings, tagsSeen));
    }
    const hosts = limited ? all.filter((h) => limited.has(h)) : all;
    // Every host that will run can be reached as its variables say: checked before any is contacted.
    hosts.forEach(connectionSpec);
    plays.push({ play, hosts, roles });
  }
  const unknown = unknownTags(options.tags, tagsSeen);
  if (unknown.length) warnings.push(`tag(s) ${unknown.join(', ')} match no task in ${playbook.file}`);
  return { plays, inventory, view, warnings, redactor, tagsSeen, vars, connectionSpec };
}

interface PlanContext {
  readonly inventory: Inventory;
  readonly view: InventoryView;
  readonly vars: RunVars;
  readonly connectionSpec: (host: string) => ConnectionSpec;
  readonly options: PlanOptions;
}

/**
 * The user play connects as, pinned above play and role vars: the `ansible_user` a role reads
 * is the one the connection uses (-e ansible_user, else -u, else the inventory's).
 */
function connectionUser(context: PlanContext, host: string): VarsLayer[] {
  const user = context.connectionSpec(host).user;
  if (user === undefined) return [];
  const where = context.vars.host(host).origin('ansible_user') ?? { file: '-u' };
  return [{ vars: { ansible_user: user }, origins: { ansible_user: where } }];
}

async function planRole(
  play: Play,
  entry: RoleEntry,
  hosts: readonly string[],
  context: PlanContext,
  warnings: string[],
  tagsSeen: Set<string>,
): Promise<PlannedRole> {
  const { view, options } = context;
  const role = await loadRole(entry);
  const vars = new Map<string, unknown>();
  for (const name of hosts) {
    const scope = context.vars.role(name, {
      defaults: { vars: role.defaults, where: { file: `roles/${role.name}/defaults.ts` } },
      above: [{ vars: play.vars, origins: play.varOrigins }, { vars: entry.vars, origins: entry.varOrigins }, ...connectionUser(context, name)],
    });
    vars.set(name, role.resolve(new TypedVars(scope, entry.where), view.host(name), view));
  }
  role.validatePlay?.(vars, view, (message) => warnings.push(`${role.name}: ${message}`));
  const allTasks = role.tasks.map((task) => {
    const tags = new Set([...(task.tags ?? []), ...entry.tags, ...play.tags]);
    tags.forEach((t) => tagsSeen.add(t));
    return { task, tags };
  });
  return { entry, role, vars, allTasks, tasks: allTasks.filter((t) => shouldRun(t.tags, options.tags)) };
}
