import type { FailureDetails } from '../errors.js';
import type { ConnectionStats, FileDiff } from '../types.js';

export type TaskStatus = 'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable';

export interface TaskResult {
  readonly host: string;
  readonly play: string;
  readonly role: string;
  readonly task: string;
  readonly status: TaskStatus;
  readonly summary?: string;
  readonly diffs?: readonly FileDiff[];
  readonly durationMs: number;
  readonly error?: string;
  /** A failure's command label, exit code and stderr tail (redacted), when the error had them. */
  readonly details?: FailureDetails;
  readonly handler?: boolean;
  /** Checks ran, nothing was applied (--check). */
  readonly checkOnly?: boolean;
}

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
}

export interface PlayInfo {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly index: number;
}

/** What the runner tells reporters. Every string in here is already redacted. */
export interface RunEvents {
  playStart(play: PlayInfo): void;
  playEnd(play: PlayInfo): void | Promise<void>;
  taskStart(host: string, role: string, task: string): void;
  taskEnd(result: TaskResult): void;
  log(host: string | undefined, level: number, message: string): void;
  warn(message: string): void;
}

export interface RunReport {
  readonly stats: ReadonlyMap<string, HostStats>;
  readonly results: readonly TaskResult[];
  readonly connections: ReadonlyMap<string, ConnectionStats>;
  readonly warnings: readonly string[];
  readonly durationMs: number;
  readonly exitCode: number;
  readonly check: boolean;
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0 };
}

/** ansible-playbook's codes: 2 when a host failed, else 4 when one was unreachable, else 0. */
export function exitCodeOf(stats: ReadonlyMap<string, HostStats>): number {
  const all = [...stats.values()];
  if (all.some((s) => s.failed > 0)) return 2;
  if (all.some((s) => s.unreachable > 0)) return 4;
  return 0;
}
