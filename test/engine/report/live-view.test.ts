import { expect } from 'chai';
import type { TaskResult, TaskStatus } from '../../../engine/runner/events.js';
import { FRAME_CHROME_ROWS, FRAME_INDENT_COLUMNS, fit, layoutFrame, LiveHosts, splitRows, type Frame } from '../../../engine/report/live-view.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `h${String(i + 1).padStart(3, '0')}`);

function result(host: string, status: TaskStatus, task = 'Write config', error?: string): TaskResult {
  return { host, play: 'p', role: 'web', task, status, durationMs: 1, ...(error ? { error } : {}) };
}

/** A host through whole tasks: started, ended with `status`, and (unless it failed) finished. */
function run(view: LiveHosts, host: string, statuses: TaskStatus[], finish = true): void {
  statuses.forEach((status, i) => {
    view.taskStarted(host, 'web', `Task ${i + 1}`);
    view.taskEnded(result(host, status, `Task ${i + 1}`, status === 'failed' ? 'exit 1: boom\nstderr tail' : status === 'unreachable' ? 'ssh: no route' : undefined));
  });
  if (finish) view.hostEnded(host);
}

const hostsOf = (frame: Frame): string[] => frame.lines.filter((l) => l.kind !== 'more').map((l) => l.text.split(/\s+/)[0]!);
const kindsOf = (frame: Frame): string[] => frame.lines.map((l) => l.kind);

describe('terminal view layout (live-view)', () => {
  it('counts hosts done, working, waiting, failed, unreachable and the changes so far', () => {
    const view = new LiveHosts(names(10));
    run(view, 'h001', ['ok', 'changed']);
    run(view, 'h002', ['changed', 'changed']);
    run(view, 'h003', ['ok', 'failed']);
    run(view, 'h004', ['unreachable']);
    view.taskStarted('h005', 'web', 'Task 1');
    view.taskStarted('h006', 'web', 'Task 1');
    const frame = layoutFrame(view.all(), view.changed, { rows: 50, columns: 120 });
    expect(frame.summary).to.equal('2/10 done, 2 working, 4 waiting, 1 failed, 1 unreachable, 3 changed');
  });

  it('with few hosts, shows every host in inventory order, whatever its state', () => {
    const view = new LiveHosts(names(5));
    run(view, 'h004', ['ok', 'changed']);
    run(view, 'h002', ['failed']);
    view.taskStarted('h001', 'web', 'Install nginx');
    const frame = layoutFrame(view.all(), view.changed, { rows: 24, columns: 100 });
    expect(hostsOf(frame)).to.deep.equal(['h001', 'h002', 'h003', 'h004', 'h005']);
    expect(kindsOf(frame)).to.deep.equal(['working', 'failed', 'waiting', 'done', 'waiting']);
    expect(frame.lines[0]!.text).to.equal('h001  ok=0 changed=0  web : Install nginx');
    expect(frame.lines[1]!.text).to.equal('h002  failed: web : Task 1: exit 1: boom');
    expect(frame.lines[3]!.text).to.equal('h004  ok=2 changed=1');
  });

  it('with more hosts than rows, shows only the working hosts (oldest first) and fits the height', () => {
    const view = new LiveHosts(names(200));
    names(200).slice(0, 120).forEach((h) => run(view, h, ['ok', 'ok']));
    names(200).slice(120, 170).forEach((h) => view.taskStarted(h, 'web', 'Task 1'));
    view.taskStarted('h121', 'web', 'Task 2'); // still the oldest: it started working first
    const rows = 20;
    const frame = layoutFrame(view.all(), view.changed, { rows, columns: 80 });
    expect(frame.lines.length).to.equal(rows - FRAME_CHROME_ROWS);
    expect(kindsOf(frame).slice(0, -1).every((k) => k === 'working')).to.equal(true);
    expect(hostsOf(frame).slice(0, 3)).to.deep.equal(['h121', 'h122', 'h123']);
    expect(frame.lines.at(-1)).to.deep.equal({ kind: 'more', text: `and ${50 - (rows - FRAME_CHROME_ROWS - 1)} more working` });
    expect(frame.summary).to.match(/^120\/200 done, 50 working, 30 waiting/);
  });

  it('keeps failures in view while hundreds of hosts work, in the order they failed', () => {
    const view = new LiveHosts(names(300));
    names(300).forEach((h) => view.taskStarted(h, 'web', 'Task 1'));
    run(view, 'h250', ['failed']);
    run(view, 'h007', ['unreachable']);
    run(view, 'h100', ['ok', 'failed']);
    const frame = layoutFrame(view.all(), view.changed, { rows: 12, columns: 80 });
    expect(frame.lines.length).to.equal(10);
    expect(kindsOf(frame).slice(0, 3)).to.deep.equal(['failed', 'unreachable', 'failed']);
    expect(hostsOf(frame).slice(0, 3)).to.deep.equal(['h250', 'h007', 'h100']);
    expect(frame.lines[1]!.text).to.equal('h007  unreachable: web : Task 1: ssh: no route');
    expect(frame.lines.at(-1)!.text).to.equal('and 291 more working');
  });

  it('gives failures at most half the rows while hosts work, all of them once none does', () => {
    const view = new LiveHosts(names(100));
    names(100).slice(0, 40).forEach((h) => run(view, h, ['failed']));
    names(100).slice(40).forEach((h) => view.taskStarted(h, 'web', 'Task 1'));
    const during = layoutFrame(view.all(), view.changed, { rows: 22, columns: 80 });
    expect(during.lines.length).to.equal(20);
    expect(during.lines.filter((l) => l.kind === 'failed')).to.have.length(9);
    expect(during.lines[9]).to.deep.equal({ kind: 'more', text: 'and 31 more failed or unreachable' });
    expect(during.lines.filter((l) => l.kind === 'working')).to.have.length(9);

    names(100).slice(40).forEach((h) => view.hostEnded(h));
    const after = layoutFrame(view.all(), view.changed, { rows: 22, columns: 80 });
    expect(after.lines.filter((l) => l.kind === 'failed')).to.have.length(19);
    expect(after.lines.filter((l) => l.kind === 'working')).to.have.length(0);
    expect(after.summary).to.equal('60/100 done, 0 working, 40 failed, 0 unreachable, 0 changed');
  });

  it('splits the rows between failures and working hosts without wasting any', () => {
    expect(splitRows(20, 3, 200)).to.deep.equal([3, 17]);
    expect(splitRows(20, 40, 200)).to.deep.equal([10, 10]);
    expect(splitRows(20, 40, 2)).to.deep.equal([18, 2]);
    expect(splitRows(20, 40, 0)).to.deep.equal([20, 0]);
    expect(splitRows(0, 5, 5)).to.deep.equal([0, 0]);
  });

  it('never draws more lines than the terminal has, nor wider than it', () => {
    const view = new LiveHosts(names(50));
    names(50).forEach((h) => view.taskStarted(h, 'a-role-with-a-long-name', 'A task whose name is longer than any terminal is wide'.repeat(3)));
    for (const rows of [1, 2, 3, 4, 10]) {
      const frame = layoutFrame(view.all(), view.changed, { rows, columns: 40 });
      expect(frame.lines.length, `rows ${rows}`).to.be.at.most(Math.max(0, rows - FRAME_CHROME_ROWS));
      for (const l of [frame.summary, ...frame.lines.map((x) => x.text)]) expect([...l].length).to.be.at.most(40 - FRAME_INDENT_COLUMNS);
    }
    expect(fit('abcdef', 4)).to.equal('abc…');
    expect(fit('abcd', 4)).to.equal('abcd');
    // wide characters take two columns: 日本 (4) + … (1) fits 6, 日本語 + … would take 7
    expect(fit('日本語テキスト', 6)).to.equal('日本…');
    expect(fit('日本語', 6)).to.equal('日本語');
  });

  it('a failed host stays failed: later events for it do not make it working or done again', () => {
    const view = new LiveHosts(names(2));
    run(view, 'h001', ['failed'], false);
    view.taskStarted('h001', 'web', 'RUNNING HANDLER');
    view.hostEnded('h001');
    expect(view.all()[0]!.phase).to.equal('failed');
  });
});
