import { Chalk, type ChalkInstance } from 'chalk';
import type { FailureDetails } from '../errors.js';
import type { HostStats, PlayInfo, RunReport, TaskResult } from '../runner/events.js';
import type { FileDiff } from '../types.js';
import { renderDiff } from '../ops/render-diff.js';
import { banner, recapLine } from './recap.js';
import type { Reporter, ReporterOptions } from './reporter.js';

/** Ordered lines, one per task result: for CI logs, pipes, and anyone who greps. */
export class PlainReporter implements Reporter {
  private readonly c: ChalkInstance;

  constructor(private readonly options: ReporterOptions) {
    this.c = new Chalk({ level: options.color ? 1 : 0 });
  }

  playStart(play: PlayInfo): void {
    this.options.out('');
    this.options.out(this.c.bold(banner(`PLAY [${play.name}]`)));
  }

  playEnd(): void {}

  taskStart(host: string, role: string, task: string): void {
    if (this.options.verbosity >= 2) this.options.out(this.c.dim(`start: [${host}] ${role} : ${task}`));
  }

  taskEnd(result: TaskResult): void {
    this.options.out(formatResult(result, this.c, this.options.verbosity));
    if (this.options.diff && result.diffs) result.diffs.forEach((d) => this.options.out(colorDiff(diffText(d), this.c).trimEnd()));
  }

  hostEnd(): void {}

  log(host: string | undefined, level: number, message: string): void {
    if (this.options.verbosity >= level) this.options.out(this.c.dim(`${host ? `[${host}] ` : ''}${message}`));
  }

  warn(message: string): void {
    this.options.err(this.c.magenta(`[WARNING]: ${message}`));
  }

  finish(report: RunReport): void {
    printRecap(report, this.options, this.c);
  }
}

const COLORS: Record<TaskResult['status'], keyof ChalkInstance> = {
  ok: 'green',
  changed: 'yellow',
  skipped: 'cyan',
  failed: 'red',
  unreachable: 'red',
};

export function formatResult(r: TaskResult, c: ChalkInstance, verbosity: number): string {
  const label = r.status === 'failed' ? 'fatal' : r.status === 'unreachable' ? 'unreachable' : r.status;
  const color = c[COLORS[r.status]] as ChalkInstance;
  const what = `${r.handler ? 'RUNNING HANDLER ' : ''}${r.role} : ${r.task}`;
  let line = color(`${label}: [${r.host}] ${what}`);
  if (r.status === 'changed' && r.summary) line += color(` => ${r.checkOnly ? 'would change: ' : ''}${r.summary}`);
  // An ok task with a summary is a wait or a verdict that reports (an upgrade's preflight, a node allowed to leave).
  if (r.status === 'ok' && r.summary && !r.handler) line += color(` => ${r.summary}`);
  if (r.error) line += color(` => ${r.error}`);
  if (verbosity >= 1) line += c.dim(` (${r.durationMs} ms)`);
  if (verbosity >= 1 && r.details) line += `\n${detailLines(r.details).map((l) => color(`    ${l}`)).join('\n')}`;
  return line;
}

/** A failure's details under its line (-v): what ran, how it exited, the end of its stderr. */
export function detailLines(d: FailureDetails): string[] {
  const head = [...(d.command !== undefined ? [`command: ${d.command}`] : []), ...(d.exitCode !== undefined ? [`exit code: ${d.exitCode}`] : [])];
  const stderr = d.stderr ? ['stderr:', ...d.stderr.split('\n').map((l) => `  ${l}`)] : [];
  return [...(head.length ? [head.join(', ')] : []), ...stderr];
}

/** Secret files get a header naming the path, since their body says only how much changed. */
export function diffText(d: FileDiff): string {
  return d.secret ? `--- ${d.path}\n+++ ${d.path}\n${renderDiff(d)}` : renderDiff(d);
}

function colorDiff(text: string, c: ChalkInstance): string {
  return text
    .split('\n')
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? c.green(l) : l.startsWith('-') && !l.startsWith('---') ? c.red(l) : l))
    .join('\n');
}

export function printRecap(report: RunReport, options: ReporterOptions, c: ChalkInstance): void {
  options.out('');
  options.out(c.bold(banner('PLAY RECAP')));
  for (const [host, stats] of report.stats) {
    options.out(colorRecap(recapLine(host, stats), stats, c));
    if (options.verbosity >= 1) {
      const conn = report.connections.get(host);
      if (conn) options.out(c.dim(`${' '.repeat(29)}execs=${conn.execs} connects=${conn.connects}`));
    }
  }
  options.out('');
  const mode = report.check ? ' (check mode: nothing was changed)' : '';
  options.out(c.dim(`finished in ${(report.durationMs / 1000).toFixed(2)} s${mode}`));
}

function colorRecap(line: string, s: HostStats, c: ChalkInstance): string {
  if (s.failed || s.unreachable) return c.red(line);
  if (s.changed) return c.yellow(line);
  return c.green(line);
}
