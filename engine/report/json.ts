import type { RunReport } from '../runner/events.js';

/** The --json document: per host and task, status, changed and duration; never secrets. */
export function jsonReport(report: RunReport): object {
  const hosts: Record<string, object> = {};
  for (const [host, stats] of report.stats) {
    hosts[host] = {
      stats,
      connection: report.connections.get(host) ?? { execs: 0, connects: 0 },
      tasks: report.results
        .filter((r) => r.host === host)
        .map((r) => ({
          play: r.play,
          role: r.role,
          task: r.task,
          handler: r.handler ?? false,
          status: r.status,
          changed: r.status === 'changed',
          duration_ms: r.durationMs,
          ...(r.summary !== undefined ? { summary: r.summary } : {}),
          ...(r.error !== undefined ? { error: r.error } : {}),
        })),
    };
  }
  return {
    check: report.check,
    duration_ms: report.durationMs,
    exit_code: report.exitCode,
    warnings: report.warnings,
    hosts,
  };
}
