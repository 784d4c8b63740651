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
 * `reads`, when given, records the epoch of each host at the moment a fact is first asked of it:
 * a prefetched check is trusted only while those epochs hold.
 */
export function makeContext<V>(deps: ContextDeps, hostName: string, vars: V, reads?: Map<string, number>): TaskContext<V> {
  const state = deps.hosts.get(hostName);
  const ctx: TaskContext<V> = {
    host: deps.view.host(hostName),
    vars,
    inventory: deps.view,
    checkMode: deps.checkMode,
    registered: state.registered,
    fact<T>(fact: Fact<T>): Promise<T> {
      if (reads && !reads.has(hostName)) reads.set(hostName, state.epoch);
      return state.batcher.get(fact);
    },
    async run(command: string, options: RunOptions = {}): Promise<ExecResult> {
      const shown = options.secret ? `<${options.label ?? 'command'}: hidden, holds secrets>` : summariseScript(command);
      deps.log(hostName, 3, `exec: ${shown}`);
      const started = Date.now();
      let result: ExecResult;
      try {
        result = await state.connection.exec(command, { timeoutMs: options.timeoutMs });
      } finally {
        state.changed();
      }
      deps.log(hostName, 3, `exit ${result.code} in ${Date.now() - started} ms`);
      if (result.code !== 0 && !options.allowFail) {
        throw new CommandError(options.secret ? '' : command, result.code, result.stdout, result.stderr, options.label);
      }
      return result;
    },
    on(other: string): TaskContext<V> {
      return makeContext(deps, other, vars, reads);
    },
    once: (key, compute) => deps.coordination.once(key, compute),
    exclusive: (key, fn) => deps.coordination.exclusive(key, fn),
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
  return ctx;
}
