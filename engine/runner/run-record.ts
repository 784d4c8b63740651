import type { FailureDetails } from '../errors.js';
import type { Redactor } from '../secrets.js';
import type { FileDiff } from '../types.js';
import { emptyStats, type HostStats, type RunEvents, type TaskResult } from './events.js';

/**
 * What a run has done so far: every task result, each host's counts and the warnings, all
 * redacted before they are kept or told to the reporter.
 */
export class RunRecord {
  readonly stats = new Map<string, HostStats>();
  readonly results: TaskResult[] = [];
  readonly warnings: string[] = [];

  constructor(
    private readonly redactor: Redactor,
    private readonly events: RunEvents,
  ) {}

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** A host that runs in a play shows in the recap even when it runs no task. */
  hostStarts(host: string): HostStats {
    let stats = this.stats.get(host);
    if (!stats) this.stats.set(host, (stats = emptyStats()));
    return stats;
  }

  record(result: TaskResult): void {
    const clean = redactResult(result, (text) => this.redact(text));
    this.results.push(clean);
    const stats = this.hostStarts(clean.host);
    if (clean.status === 'changed') {
      stats.changed++;
      stats.ok++;
    } else stats[clean.status]++;
    this.events.taskEnd(clean);
  }

  warn(message: string): void {
    const text = this.redact(message);
    this.warnings.push(text);
    this.events.warn(text);
  }
}

function redactDetails(details: FailureDetails, redact: (t: string) => string): FailureDetails {
  return {
    ...details,
    ...(details.command !== undefined ? { command: redact(details.command) } : {}),
    ...(details.stderr !== undefined ? { stderr: redact(details.stderr) } : {}),
  };
}

function redactResult(result: TaskResult, redact: (t: string) => string): TaskResult {
  return {
    ...result,
    task: redact(result.task),
    summary: result.summary === undefined ? undefined : redact(result.summary),
    error: result.error === undefined ? undefined : redact(result.error),
    details: result.details === undefined ? undefined : redactDetails(result.details, redact),
    // Secret files arrive with every line masked by the op; redaction is the second net.
    diffs: result.diffs?.map((d): FileDiff => ({ ...d, before: d.before === null ? null : redact(d.before), after: d.after === null ? null : redact(d.after) })),
  };
}
