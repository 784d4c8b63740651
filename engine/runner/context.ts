import { CommandError } from '../errors.js';
import type { Redactor } from '../secrets.js';
import { summariseScript } from '../secrets.js';
import type { ExecResult, Fact, InventoryView, RunOptions, TaskContext } from '../types.js';
import type { Coordination } from './coordination.js';
import type { HostStates } from './host-state.js';

export interface ContextDeps {
  readonly hosts: HostStates;
  readonly view: InventoryView;
  readonly coordination: Coordination;
  readonly redactor: Redactor;
  readonly checkMode: boolean;
  readonly log: (host: string, level: number, message: string) => void;
  readonly warn: (host: string, message: string) => void;
}

/**
 * A check running ahead of its turn (prefetched). It may only read facts: `reads` records the
 * epoch of each host at the moment a fact is first asked of it (the answer is trusted only while
 * those epochs hold). What only its turn can give (ctx.registered, ctx.once, ctx.waitFor,
 * ctx.publish, ctx.exclusive, ctx.run) stops it, and `refused` names what it reached for: the
 * check then runs at its turn instead, so no author has to remember `prefetch: false`. Its
 * warnings and log lines are held, and told only if its answer is used.
 */
export class Ahead {
  readonly reads = new Map<string, number>();
  readonly held: Array<() => void> = [];
  /** The facts it asked of its own host: a command run there before its turn reads them along. */
  readonly asked = new Map<string, Fact<unknown>>();
  refused?: string;

  constructor(
    readonly host: string,
    epoch: number,
  ) {
    this.reads.set(host, epoch);
  }

  /** Throws RunAhead: also when the check catches it, `refused` keeps the answer from being used. */
  refuse(what: string): never {
    this.refused ??= what;
    throw new RunAhead(what);
  }
}

export class RunAhead extends Error {
  constructor(readonly what: string) {
    super(`${what} is not available to a check run ahead of its turn`);
  }
}

export function makeContext<V>(deps: ContextDeps, hostName: string, vars: V, ahead?: Ahead): TaskContext<V> {
  const state = deps.hosts.get(hostName);
  const ctx: TaskContext<V> = {
    host: deps.view.host(hostName),
    vars,
    inventory: deps.view,
    checkMode: deps.checkMode,
    registered: state.registered,
    fact<T>(fact: Fact<T>): Promise<T> {
      if (ahead && !ahead.reads.has(hostName)) ahead.reads.set(hostName, state.epoch);
      if (ahead?.host === hostName) ahead.asked.set(fact.id, fact);
      return state.batcher.get(fact);
    },
    async run(command: string, options: RunOptions = {}): Promise<ExecResult> {
      const shown = options.secret ? `<${options.label ?? 'command'}: hidden, holds secrets>` : summariseScript(command);
      deps.log(hostName, 3, `exec: ${shown}`);
      const started = Date.now();
      const result = await state.runCommand(command, options);
      deps.log(hostName, 3, `exit ${result.code} in ${Date.now() - started} ms`);
      if (result.code !== 0 && !options.allowFail) {
        throw new CommandError(options.secret ? '' : command, result.code, result.stdout, result.stderr, options.label);
      }
      return result;
    },
    on(other: string): TaskContext<V> {
      return makeContext(deps, other, vars, ahead);
    },
    once: (key, compute) => deps.coordination.once(key, compute),
    exclusive: (key, fn, options) => deps.coordination.exclusive(key, fn, options?.slots),
    publish: (key, value) => deps.coordination.publish(key, value),
    waitFor: (key) => deps.coordination.waitFor(key),
    secret(value: string): void {
      deps.redactor.add(value);
    },
    log(message: string): void {
      deps.log(hostName, 1, message);
    },
    warn(message: string): void {
      deps.warn(hostName, message);
    },
  };
  return ahead ? aheadOf(ctx, ahead) : ctx;
}

/** The same context for a check run ahead: reads only, what it tells held (see Ahead). */
function aheadOf<V>(ctx: TaskContext<V>, ahead: Ahead): TaskContext<V> {
  return {
    ...ctx,
    get registered(): Map<string, unknown> {
      return ahead.refuse('ctx.registered');
    },
    run: () => ahead.refuse('ctx.run'),
    once: () => ahead.refuse('ctx.once'),
    exclusive: () => ahead.refuse('ctx.exclusive'),
    publish: () => ahead.refuse('ctx.publish'),
    waitFor: () => ahead.refuse('ctx.waitFor'),
    log: (message) => void ahead.held.push(() => ctx.log(message)),
    warn: (message) => void ahead.held.push(() => ctx.warn(message)),
  };
}
