import { ConnectionError, errorMessage } from '../errors.js';
import type { Change, FileDiff, TaskContext } from '../types.js';
import { makeContext, type ContextDeps } from './context.js';
import type { TaskResult, TaskStatus } from './events.js';
import type { PlannedPlay, PlannedRole, PlannedTask } from './plan.js';
import type { PrefetchStore } from './prefetch.js';

export type HostOutcome = 'ok' | 'failed' | 'unreachable' | 'aborted';

export interface FlowDeps extends ContextDeps {
  readonly emitStart: (host: string, role: string, task: string) => void;
  readonly emitEnd: (result: TaskResult) => void;
  /** True once any_errors_fatal has stopped the play. */
  readonly aborted: () => boolean;
}

interface Step {
  readonly role: PlannedRole;
  readonly planned: PlannedTask;
  readonly ctx: TaskContext<unknown>;
}

/** One host through one play: tasks in order, checks prefetched in one batch while nothing changed. */
export class HostFlow {
  private readonly steps: Step[];

  constructor(
    private readonly host: string,
    private readonly play: PlannedPlay,
    private readonly deps: FlowDeps,
    private readonly prefetches: PrefetchStore,
  ) {
    this.steps = play.roles.flatMap((role) => {
      const ctx = makeContext(deps, host, role.vars.get(host));
      return role.tasks.map((planned) => ({ role, planned, ctx }));
    });
  }

  async run(): Promise<HostOutcome> {
    if (this.needsPrefetch(0)) this.prefetchFrom(0);
    let index = 0;
    for (const role of this.play.roles) {
      const notified = new Set<string>();
      for (const step of this.steps.filter((s) => s.role === role)) {
        if (this.deps.aborted()) return 'aborted';
        const outcome = await this.runStep(step, notified);
        index++;
        if (outcome !== 'ok') return outcome;
        if (this.needsPrefetch(index)) this.prefetchFrom(index);
      }
      const outcome = await this.runHandlers(role, notified);
      if (outcome !== 'ok') return outcome;
    }
    return 'ok';
  }

  /** Runs every prefetchable check of this play ahead (used before the host's first play starts). */
  prefetchAll(): void {
    this.prefetchFrom(0);
  }

  /** The next check that may run ahead has no fresh answer (a task with prefetch: false is passed over). */
  private needsPrefetch(from: number): boolean {
    const next = this.steps.slice(from).find((step) => this.isPrefetchable(step));
    return next !== undefined && !this.prefetches.hasFresh(next.planned);
  }

  private isPrefetchable(step: Step): boolean {
    if (step.planned.task.prefetch === false) return false;
    try {
      return this.isEnabled(step);
    } catch {
      return false; // a condition that cannot be judged yet is judged at its turn
    }
  }

  /** Speculative: checks only read, so running them early is safe; stale ones are discarded. */
  private prefetchFrom(from: number): void {
    for (const step of this.steps.slice(from)) {
      if (!this.isPrefetchable(step)) continue;
      const reads = new Map([[this.host, this.deps.hosts.get(this.host).epoch]]);
      const ctx = makeContext(this.deps, this.host, step.role.vars.get(this.host), reads);
      const result = new Promise<Change | null>((resolve) => resolve(step.planned.task.check(ctx))).then(
        (change) => ({ change }),
        (error: unknown) => ({ error }),
      );
      this.prefetches.put(step.planned, { reads, result });
    }
  }

  private isEnabled(step: Step): boolean {
    const when = step.planned.task.when;
    return !when || when(step.ctx);
  }

  private async checkOf(step: Step): Promise<Change | null> {
    const cached = this.prefetches.take(step.planned);
    if (cached) {
      const outcome = await cached.result;
      if (this.prefetches.isFresh(cached)) {
        if ('error' in outcome) throw outcome.error;
        return outcome.change;
      }
    }
    return step.planned.task.check(step.ctx);
  }

  private async runStep(step: Step, notified: Set<string>): Promise<'ok' | 'failed' | 'unreachable'> {
    const { task } = step.planned;
    const role = step.role.role.name;
    const started = Date.now();
    this.deps.emitStart(this.host, role, task.name);
    const finish = (status: TaskStatus, extra: Partial<TaskResult> = {}): void =>
      this.deps.emitEnd({ host: this.host, play: this.play.play.name, role, task: task.name, status, durationMs: Date.now() - started, ...extra });
    try {
      if (!this.isEnabled(step)) {
        finish('skipped', { summary: 'condition false' });
        return 'ok';
      }
      const change = await this.checkOf(step);
      if (!change) {
        if (task.register) step.ctx.registered.set(task.register, null);
        finish('ok');
        return 'ok';
      }
      if (!this.deps.checkMode) {
        const value = await task.apply(step.ctx, change);
        if (task.register) step.ctx.registered.set(task.register, value);
      }
      if (change.waitOnly) {
        finish('ok', { summary: change.summary, checkOnly: this.deps.checkMode });
        return 'ok';
      }
      task.notify?.forEach((h) => notified.add(h));
      finish('changed', { summary: change.summary, diffs: change.diffs as FileDiff[] | undefined, checkOnly: this.deps.checkMode });
      return 'ok';
    } catch (err) {
      const unreachable = err instanceof ConnectionError;
      finish(unreachable ? 'unreachable' : 'failed', { error: errorMessage(err) });
      return unreachable ? 'unreachable' : 'failed';
    }
  }

  private async runHandlers(role: PlannedRole, notified: Set<string>): Promise<'ok' | 'failed' | 'unreachable'> {
    const handlers = role.role.handlers ?? {};
    for (const [name, handler] of Object.entries(handlers)) {
      if (!notified.has(name)) continue;
      const started = Date.now();
      this.deps.emitStart(this.host, role.role.name, name);
      const base = { host: this.host, play: this.play.play.name, role: role.role.name, task: name, handler: true };
      try {
        const outcome = this.deps.checkMode ? undefined : await handler(makeContext(this.deps, this.host, role.vars.get(this.host)));
        const status = outcome && !outcome.changed ? 'ok' : 'changed';
        const summary = outcome?.summary ?? (this.deps.checkMode ? 'would run' : 'ran');
        this.deps.emitEnd({ ...base, status, summary, durationMs: Date.now() - started, checkOnly: this.deps.checkMode });
      } catch (err) {
        const unreachable = err instanceof ConnectionError;
        this.deps.emitEnd({ ...base, status: unreachable ? 'unreachable' : 'failed', error: errorMessage(err), durationMs: Date.now() - started });
        return unreachable ? 'unreachable' : 'failed';
      }
    }
    const unknown = [...notified].filter((n) => !(n in handlers));
    if (unknown.length) this.deps.warn(this.host, `notified handler(s) not defined in role ${role.role.name}: ${unknown.join(', ')}`);
    return 'ok';
  }
}
