import { ConnectionError, errorMessage, lastLines, TaskError, type FailureDetails } from '../errors.js';
import type { TaskResult } from './events.js';

/** How a host left a task or handler: on, or stopped. */
export type Outcome = 'ok' | 'failed' | 'unreachable';

export interface Failure extends Pick<TaskResult, 'error' | 'details'> {
  readonly status: 'failed' | 'unreachable';
}

/** Lines of stderr kept in a result's details. */
export const STDERR_TAIL_LINES = 10;

/** What an error thrown by a task or handler means for its host: unreachable when SSH gave up, else failed. */
export function failureOf(err: unknown): Failure {
  const details = err instanceof TaskError ? detailsOf(err.details) : undefined;
  return { status: err instanceof ConnectionError ? 'unreachable' : 'failed', error: errorMessage(err), ...(details ? { details } : {}) };
}

function detailsOf(details: FailureDetails): FailureDetails | undefined {
  const stderr = details.stderr === undefined ? undefined : lastLines(details.stderr, STDERR_TAIL_LINES);
  const kept: FailureDetails = {
    ...(details.command !== undefined ? { command: details.command } : {}),
    ...(details.exitCode !== undefined ? { exitCode: details.exitCode } : {}),
    ...(stderr ? { stderr } : {}),
  };
  return Object.keys(kept).length ? kept : undefined;
}
