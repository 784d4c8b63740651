/**
 * Two shapes every role's tasks share, written once:
 * - a command that must succeed, whose failure names what failed, its exit code and the tail of
 *   its output, with the details the reports carry (runMust);
 * - a check that finds missing what an earlier task of the run makes: under --check that task
 *   only said it would, so the check reports what it would do then; in a real run it is an
 *   error (notThereYet).
 */
import { TaskError, lastLines } from '../errors.js';
import type { ExecResult, RunOptions, TaskContext } from '../types.js';

export interface MustOptions extends RunOptions {
  /** How the failure starts ("kubeadm init"): `<what> failed (exit N): <tail>`; default the label. */
  readonly what?: string;
  /** Lines of output quoted (stderr, else stdout); default 5. */
  readonly tailLines?: number;
  /** A line after the failure: what to do about it. */
  readonly hint?: string;
}

/** Runs `command`; a non-zero exit throws a TaskError naming it, with exit code and output tail. */
export async function runMust<V>(ctx: TaskContext<V>, command: string, options: MustOptions): Promise<ExecResult> {
  const { what, tailLines, hint, ...run } = options;
  const result = await ctx.run(command, { ...run, allowFail: true });
  if (result.code === 0) return result;
  const name = what ?? options.label ?? 'command';
  const tail = lastLines(result.stderr || result.stdout, tailLines ?? 5);
  throw new TaskError(`${name} failed (exit ${result.code})${tail ? `: ${tail}` : ''}${hint ? `\n${hint}` : ''}`, {
    command: options.label ?? name,
    exitCode: result.code,
    stderr: result.stderr,
  });
}

/**
 * What a check returns when something an earlier task makes is not there: `wouldBe` under
 * --check (the earlier task only reported), else an error saying what is missing.
 */
export function notThereYet<V, C>(ctx: TaskContext<V>, wouldBe: C, missing: string): C {
  if (ctx.checkMode) return wouldBe;
  throw new TaskError(missing);
}
