/**
 * A TaskContext that answers every fact like a freshly installed Debian host (no files of ours,
 * no packages, no units, modules not loaded, sysctls unset) and records what apply would run
 * without running anything. A role's checks against it yield exactly the files it would write.
 */
import { TaskError } from '../../../engine/errors.js';
import { asDebianHost } from '../../helpers/debian-host.js';
import type { Change, ExecResult, Fact, HostView, InventoryView, Task, TaskContext } from '../../../engine/types.js';

/** `ip -o -4 addr show` output: the host's address on eth0 in a /24. */
export function ipAddrOutput(address: string, iface = 'eth0', prefix = 24): string {
  const brd = address.replace(/\.\d+$/, '.255');
  return [
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    `2: ${iface}    inet ${address}/${prefix} brd ${brd} scope global ${iface}\\       valid_lft forever preferred_lft forever`,
    '',
  ].join('\n');
}

/** A check that needs more than a fresh host answers: a live cluster, another host, a command. */
export class FreshHostLimit extends Error {}

function freshAnswer(fact: Fact<unknown>, host: HostView): ExecResult {
  const ok = (stdout: string): ExecResult => ({ code: 0, stdout, stderr: '' });
  const id = fact.id;
  if (id.startsWith('file:')) return ok('missing\n');
  if (id.startsWith('exists:')) return ok('no\n');
  if (id.startsWith('kmod:')) return ok('absent\n');
  if (id.startsWith('sysctl:')) return { code: 1, stdout: '', stderr: '' }; // head printed no key: all missing
  if (id.startsWith('packages:')) return { code: 1, stdout: '', stderr: 'dpkg-query: no packages found matching' };
  if (id.startsWith('service:')) return ok('LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\nNeedDaemonReload=no\n');
  if (id.startsWith('command:')) return { code: 1, stdout: '', stderr: '' };
  if (id === 'addresses:ipv4') return ok(ipAddrOutput(host.address));
  throw new FreshHostLimit(`fresh host: no answer for fact ${id}`);
}

export interface FreshRun<V> {
  readonly ctx: TaskContext<V>;
  readonly secrets: string[];
}

export function freshHost<V>(host: HostView, inventory: InventoryView, vars: V): FreshRun<V> {
  const secrets: string[] = [];
  const never = (): never => {
    throw new FreshHostLimit('a check must not run commands, wait or coordinate');
  };
  const ctx: TaskContext<V> = {
    host,
    vars,
    inventory,
    checkMode: true,
    registered: new Map(),
    fact: async <T>(fact: Fact<T>) => fact.parse(asDebianHost(fact as Fact<unknown>, freshAnswer(fact as Fact<unknown>, host))),
    run: never,
    on: never,
    once: never,
    publish: never,
    waitFor: never,
    exclusive: never,
    secret: (value: string) => void secrets.push(value),
    log: () => undefined,
    warn: () => undefined,
  };
  return { ctx, secrets };
}

/** The content writes in a change: a FileChange itself, or one nested (sysctl's `file`). */
function writesOf(change: unknown, depth = 0): { path: string; content: string }[] {
  if (typeof change !== 'object' || change === null || depth > 2) return [];
  const c = change as { path?: unknown; write?: { content?: unknown } };
  const own = typeof c.path === 'string' && typeof c.write?.content === 'string' ? [{ path: c.path, content: c.write.content }] : [];
  return [...own, ...Object.values(change).flatMap((v) => writesOf(v, depth + 1))];
}

/**
 * The files the tasks would write on a fresh host: path -> content, and whether the change
 * marks it secret. The content comes from the planned write, not the (masked) diff.
 */
export async function filesWritten<V>(
  tasks: readonly Task<V, Change>[],
  run: FreshRun<V>,
  cannotRender?: (task: string) => void,
): Promise<Map<string, { content: string; secret: boolean }>> {
  const files = new Map<string, { content: string; secret: boolean }>();
  for (const task of tasks) {
    if (task.when && !task.when(run.ctx)) continue;
    let change: Change | null;
    try {
      change = await task.check(run.ctx);
    } catch (err) {
      // Without the callback every check must render (the role tests that list their tasks).
      // A TaskError: the check failed on a fresh host's answers (a command that exits 1, no network).
      if (!cannotRender || !(err instanceof FreshHostLimit || err instanceof TaskError)) throw err;
      cannotRender(task.name);
      continue;
    }
    for (const write of writesOf(change)) {
      const secret = (change?.diffs ?? []).some((d) => d.path === write.path && d.secret === true);
      files.set(write.path, { content: write.content, secret });
    }
  }
  return files;
}
