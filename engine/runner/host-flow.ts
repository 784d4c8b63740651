import type { Change, FileDiff, TaskContext } from '../types.js';
import { Ahead, makeContext, type ContextDeps } from './context.js';
import type { TaskResult } from './events.js';
import { failureOf, type Outcome } from './failure.js';
import type { PlannedPlay, PlannedRole, PlannedTask } from './plan.js';
import type { PrefetchStore } from './prefetch.js';

export type HostOutcome = Outcome | 'aborted';

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

/** What a task or handler that did not throw is reported as. */
type Done = Pick<TaskResult, 'status' | 'summary' | 'diffs' | 'checkOnly'>;

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
    this.prefetchIfStale(0);
    let index = 0;
    for (const role of this.play.roles) {
      const notified = new Set<string>();
      for (const step of this.steps.filter((s) => s.role === role)) {
        if (this.deps.aborted()) return 'aborted';
        const outcome = await this.runTask(step, notified);
        if (outcome !== 'ok') return outcome;
        this.prefetchIfStale(++index);
      }
      const outcome = await this.runHandlers(role, notified);
      if (outcome !== 'ok') return outcome;
    }
    return 'ok';
  }

  /** Asks every check of this play that may run ahead (for a later play of the host). */
  prefetchAhead(): void {
    this.prefetchFrom(0);
  }

  /** When the next check that may run ahead has no fresh answer, asks it and those after it. */
  private prefetchIfStale(from: number): void {
    const next = this.steps.slice(from).find((step) => this.isPrefetchable(step));
    if (next !== undefined && !this.prefetches.hasFresh(next.planned)) this.prefetchFrom(from);
  }

  /** `when` is judged as the check would run: ahead, so reading what only the turn gives says no. */
  private isPrefetchable(step: Step): boolean {
    const when = step.planned.task.when;
    if (step.planned.task.prefetch === false) return false;
    if (!when) return true;
    const ahead = this.ahead();
    try {
      return when(makeContext(this.deps, this.host, step.role.vars.get(this.host), ahead)) && ahead.refused === undefined;
    } catch {
      return false; // a condition that cannot be judged yet is judged at its turn
    }
  }

  private ahead(): Ahead {
    return new Ahead(this.host, this.deps.hosts.get(this.host).epoch);
  }

  /** Speculative: checks only read, so running them early is safe; stale ones are discarded. */
  private prefetchFrom(from: number): void {
    for (const step of this.steps.slice(from)) {
      if (!this.isPrefetchable(step)) continue;
      const ahead = this.ahead();
      const ctx = makeContext(this.deps, this.host, step.role.vars.get(this.host), ahead);
      const result = new Promise<Change | null>((resolve) => resolve(step.planned.task.check(ctx))).then(
        (change) => ({ change }),
        (error: unknown) => ({ error }),
      );
      this.prefetches.put(step.planned, { ahead, result });
    }
  }

  private isEnabled(step: Step): boolean {
    const when = step.planned.task.when;
    return !when || when(step.ctx);
  }

  /** The prefetched answer while it is fresh and the check kept to reading; else the check, now. */
  private async checkOf(step: Step): Promise<Change | null> {
    const cached = this.prefetches.take(step.planned);
    if (cached) {
      const outcome = await cached.result;
      const { refused, held } = cached.ahead;
      if (refused !== undefined) this.deps.log(this.host, 2, `${step.planned.task.name}: its check reads ${refused}, so it runs at its turn, not ahead`);
      else if (this.prefetches.isFresh(cached)) {
        held.forEach((tell) => tell());
        if ('error' in outcome) throw outcome.error;
        return outcome.change;
      }
    }
    return step.planned.task.check(step.ctx);
  }

  private runTask(step: Step, notified: Set<string>): Promise<Outcome> {
    return this.attempt(step.role, step.planned.task.name, false, async () => {
      const { task } = step.planned;
      if (!this.isEnabled(step)) return { status: 'skipped', summary: 'condition false' };
      const change = await this.checkOf(step);
      if (!change) {
        if (task.register) step.ctx.registered.set(task.register, null);
        return { status: 'ok' };
      }
      if (!this.deps.checkMode) {
        const value = await task.apply(step.ctx, change);
        if (task.register) step.ctx.registered.set(task.register, value);
      }
      const checkOnly = this.deps.checkMode;
      if (change.waitOnly) return { status: 'ok', summary: change.summary, checkOnly };
      task.notify?.forEach((h) => notified.add(h));
      return { status: 'changed', summary: change.summary, diffs: change.diffs as FileDiff[] | undefined, checkOnly };
    });
  }

  /** Each notified handler once, in the order the role defines them. */
  private async runHandlers(role: PlannedRole, notified: Set<string>): Promise<Outcome> {
    const handlers = role.role.handlers ?? {};
    for (const [name, handler] of Object.entries(handlers)) {
      if (!notified.has(name)) continue;
      const outcome = await this.attempt(role, name, true, async () => {
        if (this.deps.checkMode) return { status: 'changed', summary: 'would run', checkOnly: true };
        const ran = await handler(makeContext(this.deps, this.host, role.vars.get(this.host)));
        return { status: ran && !ran.changed ? 'ok' : 'changed', summary: ran?.summary ?? 'ran', checkOnly: false };
      });
      if (outcome !== 'ok') return outcome;
    }
    const unknown = [...notified].filter((n) => !(n in handlers));
    if (unknown.length) this.deps.warn(this.host, `notified handler(s) not defined in role ${role.role.name}: ${unknown.join(', ')}`);
    return 'ok';
  }

  /**
   * Runs one task or handler between its start and its result: the one place where a result is
   * built, and where an error becomes a failed or an unreachable host.
   */
  private async attempt(role: PlannedRole, name: string, handler: boolean, body: () => Promise<Done>): Promise<Outcome> {
    const started = Date.now();
    this.deps.emitStart(this.host, role.role.name, name);
    const emit = (result: Partial<TaskResult> & Pick<TaskResult, 'status'>): void =>
      this.deps.emitEnd({
        host: this.host,
        play: this.play.play.name,
        role: role.role.name,
        task: name,
        ...(handler ? { handler: true } : {}),
        ...result,
        durationMs: Date.now() - started,
      });
    try {
      emit(await body());
      return 'ok';
    } catch (err) {
      const failure = failureOf(err);
      emit(failure);
      return failure.status;
    }
  }
}
