/**
 * TaskContexts for several hosts at once, for role tests that cross hosts (ctx.on, ctx.once):
 * facts answer from canned outputs per host (through the fact's real parser), runs are recorded
 * per host, and once() really memoizes, like the runner's coordination.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { asDebianHost } from '../../helpers/debian-host.js';
import { CommandError } from '../../../engine/errors.js';
import type { Change, ExecResult, Fact, InventoryView, RunOptions, Task, TaskContext } from '../../../engine/types.js';

export type FactAnswer = ExecResult | string;

export interface FakeHost {
  /** Canned outputs by fact id. */
  readonly facts: Record<string, FactAnswer>;
  /** Result of a run (default: exit 0, no output); a promise for a command that takes its time. */
  readonly run?: (script: string) => ExecResult | Promise<ExecResult>;
}

export class FakeCluster<V> {
  /** Scripts run, per host, in order. */
  readonly ran = new Map<string, string[]>();
  /** Run labels, per host. */
  readonly labels = new Map<string, (string | undefined)[]>();
  /** Every run of every host, in the order they were asked: host, script and options. */
  readonly runs: { host: string; script: string; options: RunOptions }[] = [];
  /** once() keys in the order they were first computed. */
  readonly onceComputed: string[] = [];
  readonly secrets: string[] = [];
  readonly warnings: string[] = [];
  private readonly onceValues = new Map<string, Promise<unknown>>();
  private readonly published = new Map<string, { promise: Promise<unknown>; resolve: (value: unknown) => void }>();

  constructor(
    readonly hosts: Record<string, FakeHost>,
    readonly inventory: InventoryView,
    private readonly varsOf: (host: string) => V,
    readonly checkMode = false,
  ) {}

  ctx(hostName: string, vars: V = this.varsOf(hostName)): TaskContext<V> {
    const cluster = this;
    const host = this.hosts[hostName];
    if (!host) throw new Error(`no fake host ${hostName}`);
    return {
      host: this.inventory.host(hostName),
      vars,
      inventory: this.inventory,
      checkMode: this.checkMode,
      registered: new Map(),
      async fact<T>(fact: Fact<T>): Promise<T> {
        const answer = host.facts[fact.id];
        if (answer === undefined) throw new Error(`${hostName}: no canned output for fact ${fact.id}`);
        return fact.parse(asDebianHost(fact, typeof answer === 'string' ? { code: 0, stdout: answer, stderr: '' } : answer));
      },
      async run(command: string, options: RunOptions = {}): Promise<ExecResult> {
        cluster.ran.set(hostName, [...(cluster.ran.get(hostName) ?? []), command]);
        cluster.labels.set(hostName, [...(cluster.labels.get(hostName) ?? []), options.label]);
        cluster.runs.push({ host: hostName, script: command, options });
        const result = (await host.run?.(command)) ?? { code: 0, stdout: '', stderr: '' };
        if (result.code !== 0 && !options.allowFail) throw new CommandError(command, result.code, result.stdout, result.stderr, options.label);
        return result;
      },
      on: (other: string) => cluster.ctx(other, vars),
      once<T>(key: string, compute: () => Promise<T>): Promise<T> {
        let value = cluster.onceValues.get(key) as Promise<T> | undefined;
        if (!value) {
          cluster.onceComputed.push(key);
          value = compute();
          cluster.onceValues.set(key, value);
        }
        return value;
      },
      publish: (key: string, value: unknown) => cluster.slot(key).resolve(value),
      waitFor: <T>(key: string) => cluster.slot(key).promise as Promise<T>,
      exclusive: <T>(key: string, fn: () => Promise<T>, options?: { slots?: number }) => cluster.lock(key, options?.slots)(fn),
      secret: (value: string) => void cluster.secrets.push(value),
      log: () => undefined,
      warn: (message: string) => void cluster.warnings.push(message),
    };
  }

  private readonly locks = new Map<string, LimitFunction>();

  /** Keys held by at most `slots` hosts at once, as the runner's coordination holds them. */
  lock(key: string, slots = 1): LimitFunction {
    let lock = this.locks.get(key);
    if (!lock) this.locks.set(key, (lock = pLimit(slots)));
    return lock;
  }

  private slot(key: string): { promise: Promise<unknown>; resolve: (value: unknown) => void } {
    let slot = this.published.get(key);
    if (!slot) {
      let resolve: (value: unknown) => void = () => undefined;
      const promise = new Promise<unknown>((r) => (resolve = r));
      slot = { promise, resolve };
      this.published.set(key, slot);
    }
    return slot;
  }

  scripts(host: string): string[] {
    return this.ran.get(host) ?? [];
  }
}

/** check, then apply when check found a change (what the runner does outside --check). */
export async function converge<V, C extends Change>(task: Task<V, C>, ctx: TaskContext<V>): Promise<C | null> {
  if (task.when && !task.when(ctx)) return null;
  const change = await task.check(ctx);
  if (change) await task.apply(ctx, change);
  return change;
}

/** A missing file, as engine/facts fileFact reports it. */
export const MISSING_FILE = 'missing';

/** A regular file as fileFact's command prints it (stat header, base64 content). */
export function fileAnswer(content: string, mode = 0o644, owner = 'root', group = 'root'): string {
  const size = Buffer.byteLength(content);
  const type = size === 0 ? 'regular empty file' : 'regular file';
  return `stat ${mode.toString(8)} ${owner} ${group} ${size} ${type}\ncontent\n${Buffer.from(content).toString('base64')}\n`;
}
