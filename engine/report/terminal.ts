import { Chalk, type ChalkInstance } from 'chalk';
import { Listr, type ListrRenderer } from 'listr2';
import type { PlayInfo, RunReport, TaskResult } from '../runner/events.js';
import { FrameWriter, processTerminal, type Terminal } from './frame-writer.js';
import { layoutFrame, LiveHosts, type LineKind } from './live-view.js';
import { banner } from './recap.js';
import { diffText, formatResult, printRecap } from './plain.js';
import type { Reporter, ReporterOptions } from './reporter.js';

/** A redraw every this many ms, whatever the number of hosts or events. */
export const FRAME_MS = 250;

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const ICONS: Record<LineKind, string> = { waiting: '·', working: '›', done: '✔', failed: '✖', unreachable: '✖', more: '…' };

/** A repeating call that can be called off. */
export interface Ticker {
  cancel(): void;
}

export type Every = (fn: () => void, ms: number) => Ticker;

/** setInterval that does not keep the process alive once the run is over. */
export const intervalEvery: Every = (fn, ms) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return { cancel: () => clearInterval(timer) };
};

export interface TerminalDeps {
  readonly terminal?: Terminal;
  readonly every?: Every;
}

/** What FrameRenderer needs from the play it draws: a frame now, and the last one. */
interface FrameSource {
  draw(): void;
  end(): void;
}

interface FrameRendererOptions {
  source?: FrameSource;
  every?: Every;
}

/**
 * listr2's renderer for the live view. listr2 runs a task per host (started, then done or
 * failed with the host); this renderer draws the play's frame from a ticker instead of on every
 * task event, and through FrameWriter instead of log-update: listr2's default renderer wraps the
 * whole frame with wrap-ansi on each redraw, whose cost grew with hosts x events (see the commit
 * that made this). `nonTTY`: the reporter, not listr2, decides when a terminal view is wanted.
 */
export class FrameRenderer implements ListrRenderer {
  static nonTTY = true;
  static rendererOptions: FrameRendererOptions = {};
  static rendererTaskOptions: Record<PropertyKey, never> = {};
  private ticker?: Ticker;

  constructor(
    _tasks: unknown,
    private readonly options: FrameRendererOptions,
  ) {}

  render(): void {
    const { source, every } = this.options;
    if (!source || !every) return;
    source.draw();
    this.ticker = every(() => source.draw(), FRAME_MS);
  }

  end(): void {
    this.ticker?.cancel();
    this.options.source?.end();
  }
}

/** listr2's handle on one host's task: its title and output are what the host shows. */
interface HostTask {
  title: string;
  output: string;
}

/**
 * A host's end, settled by the runner's events whether or not listr2 has started the host's
 * task yet (it starts them on a later tick than playStart).
 */
class ListedHost {
  task?: HostTask;
  readonly ended: Promise<void>;
  finish!: () => void;
  fail!: (message: string) => void;

  constructor() {
    this.ended = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      this.fail = (message) => reject(new Error(message));
    });
    this.ended.catch(() => undefined);
  }
}

/**
 * One play on screen: a listr2 task per host, run concurrently; the runner's events move each
 * host's task (output = current task, title = counts, done or failed at the host's end) and the
 * frame model (O(1) per event). listr2 calls FrameRenderer, which redraws every FRAME_MS, so a
 * redraw costs the terminal's height and the drawing the frame rate, never the number of hosts
 * or of events per second.
 */
class LivePlay implements FrameSource {
  readonly hosts: LiveHosts;
  private frameCount = 0;
  private readonly listed = new Map<string, ListedHost>();
  private readonly running: Promise<unknown>;

  constructor(
    names: readonly string[],
    private readonly c: ChalkInstance,
    private readonly terminal: Terminal,
    private readonly frames: FrameWriter,
    every: Every,
  ) {
    this.hosts = new LiveHosts(names);
    names.forEach((name) => this.listed.set(name, new ListedHost()));
    const list = new Listr(
      names.map((name) => ({
        title: name,
        task: (_ctx: unknown, task: HostTask) => {
          const listed = this.listed.get(name)!;
          listed.task = task;
          return listed.ended;
        },
      })),
      { concurrent: true, exitOnError: false, registerSignalListeners: false, renderer: FrameRenderer, rendererOptions: { source: this, every } },
    );
    this.running = list.run().catch(() => undefined);
  }

  taskStarted(host: string, role: string, task: string): void {
    this.hosts.taskStarted(host, role, task);
  }

  taskEnded(result: TaskResult): void {
    this.hosts.taskEnded(result);
    if (result.status === 'failed' || result.status === 'unreachable') this.endListed(result.host, `${result.role} : ${result.task}: ${result.status}`);
  }

  hostEnded(host: string): void {
    this.hosts.hostEnded(host);
    this.endListed(host);
  }

  /**
   * The host's listr2 task ends with the host, titled with its counts. Only then: listr2 emits an
   * event per title or output change, and mirroring every task of every host costs more than
   * the whole frame (the frame reads the model, not the titles).
   */
  private endListed(host: string, failure?: string): void {
    const listed = this.listed.get(host);
    const counts = this.hosts.get(host);
    if (!listed) return;
    if (listed.task && counts) listed.task.title = `${host}  ok=${counts.ok} changed=${counts.changed}`;
    if (failure) listed.fail(failure);
    else listed.finish();
  }

  draw(): void {
    this.frames.draw(this.render(this.c.cyan(SPINNER[this.frameCount++ % SPINNER.length]!)));
  }

  /** The last frame stays: every host when they fit, else the summary and the failures. */
  end(): void {
    const failed = this.hosts.all().some((h) => h.phase === 'failed' || h.phase === 'unreachable');
    this.frames.draw(this.render(failed ? this.c.red('✖') : this.c.green('✔')));
    this.frames.keep();
  }

  /** Ends every host's task still open (a play cut short), then waits for listr2 to end the frame. */
  async close(): Promise<void> {
    for (const host of this.listed.values()) host.finish();
    await this.running;
  }

  private render(mark: string): string[] {
    const frame = layoutFrame(this.hosts.all(), this.hosts.changed, this.terminal.size());
    return [`${mark} ${this.c.bold(frame.summary)}`, ...frame.lines.map((l) => `  ${this.paint(l.kind, `${ICONS[l.kind]} ${l.text}`)}`)];
  }

  private paint(kind: LineKind, text: string): string {
    switch (kind) {
      case 'done':
        return this.c.green(text);
      case 'failed':
      case 'unreachable':
        return this.c.red(text);
      case 'waiting':
      case 'more':
        return this.c.dim(text);
      case 'working':
        return text;
    }
  }
}

/**
 * In a terminal: a live frame per play fitted to the terminal (live-view.ts), then what changed
 * or failed, then the recap. listr2 runs the hosts' tasks; its renderer here is FrameRenderer.
 */
export class TerminalReporter implements Reporter {
  private readonly c: ChalkInstance;
  private readonly terminal: Terminal;
  private readonly frames: FrameWriter;
  private readonly every: Every;
  private play?: LivePlay;
  private notable: TaskResult[] = [];

  constructor(
    private readonly options: ReporterOptions,
    deps: TerminalDeps = {},
  ) {
    this.c = new Chalk({ level: options.color ? 1 : 0 });
    this.terminal = deps.terminal ?? processTerminal;
    this.frames = new FrameWriter(this.terminal);
    this.every = deps.every ?? intervalEvery;
  }

  playStart(play: PlayInfo): void {
    this.options.out(this.c.bold(banner(`PLAY [${play.name}]`)));
    this.play = new LivePlay(play.hosts, this.c, this.terminal, this.frames, this.every);
  }

  async playEnd(): Promise<void> {
    await this.play?.close();
    this.play = undefined;
    for (const r of this.notable) {
      this.options.out(formatResult(r, this.c, this.options.verbosity));
      if (this.options.diff && r.diffs) r.diffs.forEach((d) => this.options.out(diffText(d).trimEnd()));
    }
    this.notable = [];
  }

  taskStart(host: string, role: string, task: string): void {
    this.play?.taskStarted(host, role, task);
  }

  taskEnd(result: TaskResult): void {
    this.play?.taskEnded(result);
    if (result.status !== 'ok' && result.status !== 'skipped') this.notable.push(result);
  }

  hostEnd(host: string): void {
    this.play?.hostEnded(host);
  }

  log(): void {}

  /** Printed at once above the frame, which the next tick draws again below it. */
  warn(message: string): void {
    this.frames.clear();
    this.options.err(this.c.magenta(`[WARNING]: ${message}`));
  }

  finish(report: RunReport): void {
    printRecap(report, this.options, this.c);
  }
}
