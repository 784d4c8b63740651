import { TaskError, lastLines } from '../errors.js';
import type { ExecResult } from '../types.js';

/**
 * A fact's output did not look like what its parser expects (wrong host OS, a tool missing).
 * Raised as a TaskError so the runner reports it against the task that asked, with the stderr tail.
 */
export function factError(factId: string, result: ExecResult, reason: string): TaskError {
  const tail = lastLines(result.stderr, 3) || lastLines(result.stdout, 3);
  return new TaskError(`fact ${factId}: ${reason}${tail ? `: ${tail}` : ''}`, {
    exitCode: result.code,
    stderr: result.stderr,
  });
}
