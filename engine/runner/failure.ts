import { ConnectionError, errorMessage } from '../errors.js';
import type { TaskResult } from './events.js';

/** How a host left a task or handler: on, or stopped. */
export type Outcome = 'ok' | 'failed' | 'unreachable';

export interface Failure extends Pick<TaskResult, 'error'> {
  readonly status: 'failed' | 'unreachable';
}

/** What an error thrown by a task or handler means for its host: unreachable when SSH gave up, else failed. */
export function failureOf(err: unknown): Failure {
  return { status: err instanceof ConnectionError ? 'unreachable' : 'failed', error: errorMessage(err) };
}
