import type { FailureDetails } from '../errors.js';
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
          ...(r.details !== undefined ? { details: jsonDetails(r.details) } : {}),
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

/** The failure's details under the report's snake_case names. */
function jsonDetails(d: FailureDetails): object {
  return {
    ...(d.command !== undefined ? { command: d.command } : {}),
    ...(d.exitCode !== undefined ? { exit_code: d.exitCode } : {}),
    ...(d.stderr !== undefined ? { stderr: d.stderr } : {}),
  };
}
