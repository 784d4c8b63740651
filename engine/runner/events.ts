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
  /** The host has run all it will run in this play (a live view stops showing it as working). */
  hostEnd(host: string): void;
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

/**
 * The runs of several playbooks as one (ansible-playbook reports all its playbooks as one run):
 * stats and connection counts added per host, results and warnings in order, the worst exit code.
 */
export function mergeReports(reports: readonly RunReport[]): RunReport {
  const stats = new Map<string, HostStats>();
  const connections = new Map<string, ConnectionStats>();
  for (const report of reports) {
    for (const [host, s] of report.stats) {
      const sum = stats.get(host) ?? emptyStats();
      for (const key of Object.keys(sum) as Array<keyof HostStats>) sum[key] += s[key];
      stats.set(host, sum);
    }
    for (const [host, c] of report.connections) {
      const sum = connections.get(host);
      connections.set(host, sum ? { execs: sum.execs + c.execs, connects: sum.connects + c.connects } : { ...c });
    }
  }
  return {
    stats,
    connections,
    results: reports.flatMap((r) => r.results),
    warnings: reports.flatMap((r) => r.warnings),
    durationMs: reports.reduce((sum, r) => sum + r.durationMs, 0),
    exitCode: Math.max(0, ...reports.map((r) => r.exitCode)),
    check: reports.some((r) => r.check),
  };
}
