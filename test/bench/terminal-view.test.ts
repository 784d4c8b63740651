// The terminal-view harness (lib/terminal-view.ts): a synthetic run through each view on a real
// pseudo-terminal (util-linux script). No lab, no root.
import { expect } from 'chai';
import { stripVTControlCharacters } from 'node:util';
import { compareTerminalViews, measureSyntheticView, viewEnv } from './lib/terminal-view.js';
import { hostName, type SyntheticRun } from './lib/synthetic-run.js';

const RUN: SyntheticRun = { hosts: 12, tasks: 4, forks: 5, hostSeconds: 0.05, failed: 1, unreachable: 1, changeEvery: 5 };
const SIZE = { rows: 10, columns: 80 };

function recapOf(output: string): string[] {
  const text = stripVTControlCharacters(output).replace(/\r/g, '');
  return text.slice(text.lastIndexOf('PLAY RECAP')).split('\n').filter((l) => / : ok=/.test(l));
}

describe('terminal view harness', function () {
  this.timeout(60_000);

  it('picks the view through the environment, as the CLI does', () => {
    expect(viewEnv('plain', { CI: '', PATH: '/bin' })).to.deep.equal({ PATH: '/bin', CI: 'true', NO_COLOR: '1' });
    expect(viewEnv('live', { CI: 'true', NO_COLOR: '1', PATH: '/bin', TERM: 'xterm' })).to.deep.equal({ PATH: '/bin', TERM: 'xterm' });
  });

  it('the live view redraws in place, every frame within the terminal it reads the size of', async () => {
    const cost = await measureSyntheticView('live', { ...RUN, forks: RUN.hosts, hostSeconds: 1 }, SIZE); // a few frames long, more hosts working than rows
    // each redraw starts by erasing the frame before it (ansi-escapes eraseLines: erase line, cursor up...)
    const frames = cost.output.replace(/\r/g, '').split(/(?:\x1b\[2K\x1b\[1A)+\x1b\[2K\x1b\[G/).slice(1, -1);
    expect(frames.length).to.be.at.least(1); // not vacuous: the run lasts several ticks
    for (const frame of frames) {
      const lines = stripVTControlCharacters(frame).split('\n').slice(0, -1);
      expect(lines.length, frame).to.be.at.most(SIZE.rows - 1).and.at.least(2);
      expect(lines[0]).to.match(/^\S \d+\/12 done, /);
      for (const l of lines) expect(l.length).to.be.at.most(SIZE.columns);
    }
  });

  it('compares the two views as `npm run bench -- --only terminal` does: medians per size', async () => {
    const logged: string[] = [];
    const rows = await compareTerminalViews([3, 12], 1, (l) => logged.push(l), SIZE, { ...RUN, failed: 0, unreachable: 0 });
    expect(rows.map((r) => r.hosts)).to.deep.equal([3, 12]);
    for (const r of rows) {
      expect(r.live_cpu_s).to.be.greaterThan(0);
      expect(r.plain_cpu_s).to.be.greaterThan(0);
      expect(r.cpu_ratio).to.be.closeTo(r.live_cpu_s / r.plain_cpu_s, 0.05);
      expect(r.plain_terminal_kb).to.be.greaterThan(0);
    }
    expect(logged).to.have.length(4);
  });

  for (const view of ['plain', 'live'] as const) {
    it(`runs a synthetic run through the ${view} view on a pseudo-terminal and measures it`, async () => {
      const cost = await measureSyntheticView(view, RUN, SIZE);
      expect(cost.code, stripVTControlCharacters(cost.output).slice(-1500)).to.equal(2); // one host failed
      expect(cost.cpuS).to.be.greaterThan(0);
      expect(cost.terminalBytes).to.equal(Buffer.byteLength(cost.output));
      const recap = recapOf(cost.output);
      expect(recap).to.have.length(RUN.hosts);
      expect(recap[0]).to.match(new RegExp(`^${hostName(0)} +: ok=0 +changed=0 +unreachable=1 +failed=0`));
      expect(recap[1]).to.match(new RegExp(`^${hostName(1)} +: ok=3 +changed=0 +unreachable=0 +failed=1`));
    });
  }
});
