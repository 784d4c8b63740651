import { expect } from 'chai';
import { stripVTControlCharacters } from 'node:util';
import type { Terminal } from '../../../engine/report/frame-writer.js';
import type { Reporter } from '../../../engine/report/reporter.js';
import { TerminalReporter, type Every } from '../../../engine/report/terminal.js';
import { emptyStats, type HostStats, type RunReport, type TaskResult, type TaskStatus } from '../../../engine/runner/events.js';

/**
 * Just enough of a terminal to see what stays on screen: text, newlines, and the sequences the
 * frame writer uses (erase line, cursor up, cursor to column 0). `scrolled` counts lines pushed
 * above the last `rows` lines, i.e. lines an erase could no longer reach.
 */
class Screen implements Terminal {
  lines: string[] = [''];
  row = 0;
  writes = 0;
  constructor(readonly rows: number, readonly columns: number) {}

  size() {
    return { rows: this.rows, columns: this.columns };
  }

  write(text: string): void {
    this.writes++;
    for (const token of text.match(/\x1b\[[0-9;]*[A-Za-z]|\n|[^\x1b\n]+/g) ?? []) {
      if (token === '\n') {
        this.row++;
        if (this.row === this.lines.length) this.lines.push('');
      } else if (token === '\x1b[2K') this.lines[this.row] = '';
      else if (token === '\x1b[1A') this.row = Math.max(0, this.row - 1);
      else if (token.startsWith('\x1b[')) continue; // to column 0: every write starts a line there
      else this.lines[this.row] += token;
    }
  }

  /** What is on screen, colours stripped, without the empty line under the cursor. */
  text(): string[] {
    const shown = this.lines.map((l) => stripVTControlCharacters(l));
    while (shown.length && shown.at(-1) === '') shown.pop();
    return shown;
  }
}

class ManualTicker {
  private fn?: () => void;
  cancelled = false;
  readonly every: Every = (fn) => {
    this.fn = fn;
    return { cancel: () => (this.cancelled = true) };
  };
  tick(): void {
    if (!this.cancelled) this.fn?.();
  }
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `node${String(i + 1).padStart(3, '0')}`);

function setup(rows: number, hosts: number) {
  const screen = new Screen(rows, 80);
  const ticker = new ManualTicker();
  const line = (l: string): void => screen.write(`${l}\n`);
  const reporter: Reporter = new TerminalReporter({ verbosity: 0, diff: false, out: line, err: line, color: true }, { terminal: screen, every: ticker.every });
  const play = { name: 'fleet', hosts: names(hosts), index: 0 };
  const stats = new Map<string, HostStats>(play.hosts.map((h) => [h, emptyStats()]));
  const results: TaskResult[] = [];
  const task = (host: string, n: number, status: TaskStatus): void => {
    reporter.taskStart(host, 'base', `Task ${n}`);
    const r: TaskResult = { host, play: 'fleet', role: 'base', task: `Task ${n}`, status, durationMs: 1, ...(status === 'failed' ? { error: 'exit 1: no space left' } : {}) };
    results.push(r);
    stats.get(host)![status]++;
    reporter.taskEnd(r);
  };
  const finish = (): void => reporter.finish({ stats, results, connections: new Map(), warnings: [], durationMs: 1000, exitCode: 0, check: false } satisfies RunReport);
  return { screen, ticker, reporter, play, task, finish };
}

describe('terminal reporter (live frame)', () => {
  it('draws on its ticks only: thousands of events between two ticks cost no drawing', () => {
    const { screen, ticker, reporter, play, task } = setup(20, 300);
    reporter.playStart(play);
    const afterStart = screen.writes;
    for (const host of play.hosts) for (let n = 1; n <= 10; n++) task(host, n, 'ok');
    expect(screen.writes).to.equal(afterStart);
    ticker.tick();
    expect(screen.writes).to.equal(afterStart + 1);
  });

  it('with 300 hosts in a 12-row terminal: a frame of at most 11 lines, redrawn in place, failures kept', async () => {
    const { screen, ticker, reporter, play, task, finish } = setup(12, 300);
    reporter.playStart(play);
    const [first, second, ...rest] = play.hosts;
    task(first!, 1, 'ok');
    task(first!, 2, 'failed');
    reporter.hostEnd(first!);
    rest.slice(0, 100).forEach((h) => (task(h, 1, 'ok'), reporter.hostEnd(h)));
    rest.slice(100, 150).forEach((h) => reporter.taskStart(h, 'base', 'Install packages'));
    task(second!, 1, 'changed');
    for (let i = 0; i < 30; i++) ticker.tick();

    const during = screen.text();
    expect(during[0]).to.match(/^PLAY \[fleet\]/);
    const frame = during.slice(1);
    expect(frame.length).to.be.at.most(11);
    expect(frame[0]).to.match(/ 100\/300 done, 51 working, 148 waiting, 1 failed, 0 unreachable, 1 changed$/);
    expect(frame[1]).to.equal('  ✖ node001  failed: base : Task 2: exit 1: no space left');
    expect(frame.slice(2, -1).every((l) => l.startsWith('  › '))).to.equal(true);
    expect(frame.at(-1)).to.match(/^ {2}… and \d+ more working$/);

    rest.slice(100).forEach((h) => reporter.hostEnd(h));
    reporter.hostEnd(second!);
    await reporter.playEnd(play);
    ticker.tick(); // a tick after the end draws nothing
    finish();
    const after = screen.text();
    expect(after.slice(1, 3)).to.deep.equal([
      '✖ 299/300 done, 0 working, 1 failed, 0 unreachable, 1 changed',
      '  ✖ node001  failed: base : Task 2: exit 1: no space left',
    ]);
    expect(after[3]).to.equal('fatal: [node001] base : Task 2 => exit 1: no space left');
    expect(after[4]).to.equal('changed: [node002] base : Task 1');
    expect(after.filter((l) => l.startsWith('PLAY RECAP'))).to.have.length(1);
    expect(after.filter((l) => / : ok=/.test(l))).to.have.length(300);
  });

  it('with few hosts, the last frame lists every host, as a line per host did before', async () => {
    const { screen, ticker, reporter, play, task } = setup(24, 3);
    reporter.playStart(play);
    play.hosts.forEach((h) => (task(h, 1, 'ok'), task(h, 2, h === 'node002' ? 'changed' : 'ok'), reporter.hostEnd(h)));
    ticker.tick();
    await reporter.playEnd(play);
    expect(screen.text().slice(1)).to.deep.equal([
      '✔ 3/3 done, 0 working, 0 failed, 0 unreachable, 1 changed',
      '  ✔ node001  ok=2 changed=0',
      '  ✔ node002  ok=2 changed=1',
      '  ✔ node003  ok=2 changed=0',
      'changed: [node002] base : Task 2',
    ]);
  });

  it('prints a warning above the frame, which the next tick draws again below it', () => {
    const { screen, ticker, reporter, play, task } = setup(24, 2);
    reporter.playStart(play);
    task('node001', 1, 'ok');
    ticker.tick();
    reporter.warn('node001: notified handler(s) not defined in role base: restart');
    ticker.tick();
    const shown = screen.text();
    expect(shown[1]).to.equal('[WARNING]: node001: notified handler(s) not defined in role base: restart');
    expect(shown.slice(2)).to.have.length(3);
    expect(shown[2]).to.match(/ 0\/2 done, 1 working, 1 waiting/);
  });
});
