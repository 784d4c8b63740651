import { CommandError } from '../errors.js';
import { commandFact } from '../facts/command.js';
import { pathExistsFact } from '../facts/path-exists.js';
import type { Change, ExecResult, Task } from '../types.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface CommandSpec {
  command: string;
  /** Already done when this path exists. */
  creates?: string;
  /** Already done when this path does not exist. */
  removes?: string;
  /** A read-only probe script: exit 0 means already done. */
  unless?: string;
  /** The command text holds secrets: it is never shown, not even in errors. */
  secret?: boolean;
}

export interface CommandChange extends Change {
  readonly command: string;
  readonly secret: boolean;
}

const HIDDEN = 'command (hidden: secret)';

/** First line of a command, shortened, for a one-line summary. */
export function commandTitle(command: string, max = 80): string {
  const first = command.trim().split('\n')[0] ?? '';
  const more = first.length > max || command.trim().includes('\n');
  return more ? `${first.slice(0, max)}...` : first;
}

/**
 * Runs a command unless a guard says it is done. Without creates/removes/unless it runs every
 * time, like Ansible's command. apply returns the ExecResult, for `register`.
 */
export function command<V>(name: string, spec: SpecFn<V, CommandSpec>, opts?: TaskOptions<V>): Task<V, CommandChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      // All guards are asked at once so they share one round trip.
      const [created, removable, probe] = await Promise.all([
        s.creates !== undefined ? ctx.fact(pathExistsFact(s.creates)) : Promise.resolve(false),
        s.removes !== undefined ? ctx.fact(pathExistsFact(s.removes)) : Promise.resolve(true),
        s.unless !== undefined ? ctx.fact(commandFact(s.unless)) : Promise.resolve(undefined),
      ]);
      if (created || !removable || probe?.code === 0) return null;
      const secret = s.secret ?? false;
      return { summary: `run: ${secret ? HIDDEN : commandTitle(s.command)}`, command: s.command, secret };
    },
    async apply(ctx, change): Promise<ExecResult> {
      if (!change.secret) return ctx.run(change.command);
      // The label names it in errors and details: the text never leaves the host's stdin.
      const result = await ctx.run(change.command, { allowFail: true, label: HIDDEN });
      if (result.code !== 0) throw new CommandError('', result.code, result.stdout, result.stderr, HIDDEN);
      return result;
    },
  };
}
