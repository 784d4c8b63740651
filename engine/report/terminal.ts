import { Chalk, type ChalkInstance } from 'chalk';
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

/**
 * One play on screen. Events only update the model (O(1) each); a ticker redraws the frame, so
 * a redraw costs the terminal's height and the drawing the frame rate, never the number of
 * hosts or of events per second.
 */
class LivePlay {
  readonly hosts: LiveHosts;
  private frameCount = 0;
  private readonly ticker: Ticker;

  constructor(
    names: readonly string[],
    private readonly c: ChalkInstance,
    private readonly terminal: Terminal,
    private readonly frames: FrameWriter,
    every: Every,
  ) {
    this.hosts = new LiveHosts(names);
    this.draw();
    this.ticker = every(() => this.draw(), FRAME_MS);
  }

  draw(): void {
    this.frames.draw(this.render(this.c.cyan(SPINNER[this.frameCount++ % SPINNER.length]!)));
  }

  /** The last frame stays: every host when they fit, else the summary and the failures. */
  end(): void {
    this.ticker.cancel();
    const failed = this.hosts.all().some((h) => h.phase === 'failed' || h.phase === 'unreachable');
    this.frames.draw(this.render(failed ? this.c.red('✖') : this.c.green('✔')));
    this.frames.keep();
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
 * or failed, then the recap. The frame is drawn by FrameWriter, not by listr2: listr2's renderer
 * passes every frame through log-update's wrap-ansi, whose cost per frame (a string-width per word)
 * alone exceeded the budget of the whole view (see the commit that made this).
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

  playEnd(): void {
    this.play?.end();
    this.play = undefined;
    for (const r of this.notable) {
      this.options.out(formatResult(r, this.c, this.options.verbosity));
      if (this.options.diff && r.diffs) r.diffs.forEach((d) => this.options.out(diffText(d).trimEnd()));
    }
    this.notable = [];
  }

  taskStart(host: string, role: string, task: string): void {
    this.play?.hosts.taskStarted(host, role, task);
  }

  taskEnd(result: TaskResult): void {
    this.play?.hosts.taskEnded(result);
    if (result.status !== 'ok' && result.status !== 'skipped') this.notable.push(result);
  }

  hostEnd(host: string): void {
    this.play?.hosts.hostEnded(host);
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
