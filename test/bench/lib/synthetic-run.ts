/**
 * A run without hosts: the events a play run sends its reporter, on the timeline of a real no-op
 * (hosts in parallel up to `forks`; each host waits for its round trips, then its checks come back
 * together and its tasks end in one burst). The terminal-view harness drives the reporters with it,
 * so their cost can be measured without the lab.
 */
import pLimit from 'p-limit';
import type { Reporter } from '../../../engine/report/reporter.js';
import { emptyStats, exitCodeOf, type HostStats, type RunReport, type TaskResult, type TaskStatus } from '../../../engine/runner/events.js';

export interface SyntheticRun {
  readonly hosts: number;
  /** Tasks per host (the scale workload has 20). */
  readonly tasks: number;
  readonly forks: number;
  /** Mean seconds a host waits before its checks come back (its execs); each host varies +-30%. */
  readonly hostSeconds: number;
  /** Hosts whose last task fails, and hosts that are unreachable (the first ones of the inventory). */
  readonly failed?: number;
  readonly unreachable?: number;
  /** Every this many hosts, one task changes something (0: a no-op). */
  readonly changeEvery?: number;
}

/** 200 hosts, 20 tasks, forks 50: the no-op that took 7.6 s on the scale lab (issue 17). */
export const SCALE_NOOP: SyntheticRun = { hosts: 200, tasks: 20, forks: 50, hostSeconds: 1.9 };

export function hostName(i: number): string {
  return `scale${String(i + 1).padStart(3, '0')}`;
}

/** Deterministic spread (golden-ratio sequence), so hosts desynchronise like real ones. */
function latencyMs(run: SyntheticRun, i: number): number {
  const spread = ((i * 0.618034) % 1) * 0.6 + 0.7;
  return run.hostSeconds * 1000 * spread;
}

function statusOf(run: SyntheticRun, host: number, task: number): TaskStatus {
  if (host < (run.unreachable ?? 0)) return 'unreachable';
  if (task === run.tasks - 1 && host < (run.unreachable ?? 0) + (run.failed ?? 0)) return 'failed';
  if (run.changeEvery && host % run.changeEvery === 0 && task === 0) return 'changed';
  return 'ok';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Plays the run into the reporter, then hands it the report (as the CLI does); returns the exit code. */
export async function replay(run: SyntheticRun, reporter: Reporter): Promise<number> {
  const started = Date.now();
  const names = Array.from({ length: run.hosts }, (_, i) => hostName(i));
  const stats = new Map<string, HostStats>(names.map((h) => [h, emptyStats()]));
  const results: TaskResult[] = [];
  const play = { name: 'scale', hosts: names, index: 0 };
  reporter.playStart(play);
  const limit = pLimit(run.forks);
  await Promise.all(names.map((host, i) => limit(() => hostFlow(run, host, i, reporter, stats.get(host)!, results))));
  await reporter.playEnd(play);
  const report: RunReport = { stats, results, connections: new Map(), warnings: [], durationMs: Date.now() - started, exitCode: exitCodeOf(stats), check: false };
  reporter.finish(report);
  return report.exitCode;
}

async function hostFlow(run: SyntheticRun, host: string, index: number, reporter: Reporter, stats: HostStats, results: TaskResult[]): Promise<void> {
  reporter.taskStart(host, 'bench', 'Task 1');
  await sleep(latencyMs(run, index));
  for (let t = 0; t < run.tasks; t++) {
    if (t > 0) reporter.taskStart(host, 'bench', `Task ${t + 1}`);
    const status = statusOf(run, index, t);
    const result: TaskResult = {
      host, play: 'scale', role: 'bench', task: `Task ${t + 1}`, status, durationMs: 1,
      ...(status === 'changed' ? { summary: 'content differs (1 line)' } : {}),
      ...(status === 'failed' || status === 'unreachable' ? { error: status === 'failed' ? 'exit 1: synthetic failure' : 'ssh: connect to host: No route to host' } : {}),
    };
    results.push(result);
    if (status === 'changed') stats.ok++;
    stats[status]++;
    reporter.taskEnd(result);
    if (status === 'failed' || status === 'unreachable') break;
    await null; // each check's answer arrives in its own microtask, as in the runner
  }
  reporter.hostEnd(host);
}
