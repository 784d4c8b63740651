import { ConnectionError, errorMessage } from '../errors.js';
import type { Change, FileDiff, TaskContext } from '../types.js';
import { makeContext, type ContextDeps } from './context.js';
import type { TaskResult, TaskStatus } from './events.js';
import type { PlannedPlay, PlannedRole, PlannedTask } from './plan.js';

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

interface Prefetch {
  readonly epoch: number;
  readonly result: Promise<{ change: Change | null } | { error: unknown }>;
}

/** One host through one play: tasks in order, checks prefetched in one batch while nothing changed. */
export class HostFlow {
  private readonly steps: Step[];
  private readonly prefetched = new Map<Step, Prefetch>();

  constructor(
    private readonly host: string,
    private readonly play: PlannedPlay,
    private readonly deps: FlowDeps,
  ) {
    this.steps = play.roles.flatMap((role) => {
      const ctx = makeContext(deps, host, role.vars.get(host));
      return role.tasks.map((planned) => ({ role, planned, ctx }));
    });
  }

  private get epoch(): number {
    return this.deps.hosts.get(this.host).epoch;
  }

  async run(): Promise<HostOutcome> {
    this.prefetchFrom(0);
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

  private needsPrefetch(from: number): boolean {
    const next = this.steps[from];
    if (!next) return false;
    const existing = this.prefetched.get(next);
    return !existing || existing.epoch !== this.epoch;
  }

  /** Speculative: checks only read, so running them early is safe; stale ones are discarded. */
  private prefetchFrom(from: number): void {
    const epoch = this.epoch;
    for (const step of this.steps.slice(from)) {
      if (step.planned.task.prefetch === false || !this.isEnabled(step)) continue;
      const result = step.planned.task.check(step.ctx).then(
        (change) => ({ change }),
        (error: unknown) => ({ error }),
      );
      this.prefetched.set(step, { epoch, result });
    }
  }

  private isEnabled(step: Step): boolean {
    const when = step.planned.task.when;
    return !when || when(step.ctx);
  }

  private async checkOf(step: Step): Promise<Change | null> {
    const cached = this.prefetched.get(step);
    this.prefetched.delete(step);
    if (cached && cached.epoch === this.epoch) {
      const outcome = await cached.result;
      if (cached.epoch === this.epoch) {
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
        if (!this.deps.checkMode) await handler(makeContext(this.deps, this.host, role.vars.get(this.host)));
        this.deps.emitEnd({ ...base, status: 'changed', summary: this.deps.checkMode ? 'would run' : 'ran', durationMs: Date.now() - started, checkOnly: this.deps.checkMode });
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
