import type { ExecResult, Fact } from '../types.js';

/**
 * Runs a read-only probe script and returns its raw result (for `unless` checks). The script runs
 * in a subshell with no stdin so an `exit` or a stray read cannot disturb the batch it is sent in.
 */
export function commandFact(script: string): Fact<ExecResult> {
  return {
    id: `command:${script}`,
    command: `(\n${script}\n) </dev/null`,
    parse: (result) => ({ code: result.code, stdout: result.stdout, stderr: result.stderr }),
  };
}
