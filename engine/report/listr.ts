import { Chalk, type ChalkInstance } from 'chalk';
import { Listr } from 'listr2';
import type { PlayInfo, RunReport, TaskResult } from '../runner/events.js';
import { banner } from './recap.js';
import { diffText, formatResult, printRecap } from './plain.js';
import type { Reporter, ReporterOptions } from './reporter.js';

/** The part of listr2's task wrapper we drive. */
interface HostTask {
  title: string;
  output: string;
}

interface LiveHost {
  task?: HostTask;
  done: () => void;
  failed: (message: string) => void;
  counts: { ok: number; changed: number };
}

/** In a terminal: a line per host showing its current task, then the changes and the recap. */
export class ListrReporter implements Reporter {
  private readonly c: ChalkInstance;
  private live = new Map<string, LiveHost>();
  private running?: Promise<unknown>;
  private notable: TaskResult[] = [];

  constructor(private readonly options: ReporterOptions) {
    this.c = new Chalk({ level: options.color ? 1 : 0 });
  }

  playStart(play: PlayInfo): void {
    this.options.out(this.c.bold(banner(`PLAY [${play.name}]`)));
    this.live = new Map();
    const list = new Listr(
      play.hosts.map((host) => ({
        title: host,
        task: (_ctx: unknown, task: HostTask) =>
          new Promise<void>((resolve, reject) => {
            this.live.set(host, { task, done: resolve, failed: (m) => reject(new Error(m)), counts: { ok: 0, changed: 0 } });
          }),
      })),
      { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
    );
    this.running = list.run().catch(() => undefined);
  }

  async playEnd(): Promise<void> {
    for (const host of this.live.values()) host.done();
    await this.running;
    for (const r of this.notable) {
      this.options.out(formatResult(r, this.c, this.options.verbosity));
      if (this.options.diff && r.diffs) r.diffs.forEach((d) => this.options.out(diffText(d).trimEnd()));
    }
    this.notable = [];
  }

  taskStart(host: string, role: string, task: string): void {
    const live = this.live.get(host);
    if (live?.task) live.task.output = `${role} : ${task}`;
  }

  taskEnd(result: TaskResult): void {
    const live = this.live.get(result.host);
    if (result.status === 'ok') live && live.counts.ok++;
    if (result.status === 'changed') live && live.counts.changed++;
    if (live?.task) live.task.title = `${result.host}  ok=${live.counts.ok} changed=${live.counts.changed}`;
    if (result.status !== 'ok' && result.status !== 'skipped') this.notable.push(result);
    if (live && (result.status === 'failed' || result.status === 'unreachable')) live.failed(`${result.role} : ${result.task}: ${result.error ?? result.status}`);
  }

  hostEnd(): void {}

  log(): void {}

  warn(message: string): void {
    this.options.err(this.c.magenta(`[WARNING]: ${message}`));
  }

  finish(report: RunReport): void {
    printRecap(report, this.options, this.c);
  }
}
