/**
 * Checks run ahead of their turn only while they just read facts (issue 14, item 6): a check that
 * reads ctx.registered or a ctx.once value is noticed and run at its turn, without the role
 * saying `prefetch: false`; what a check warns is told once, from the answer that is used.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, parseJsonReport, runPlay, type PlayRun } from '../../helpers/run-play.js';

describe('checks that cannot run ahead', function () {
  this.timeout(60000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-ahead-'));
    writeFileSync(join(dir, 'hosts.ini'), '[boxes]\nbox ansible_connection=local\n');
    writeFileSync(join(dir, 'p.yml'), '- hosts: boxes\n  roles: [ahead]\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const play = (aheadCase: string, args: string[] = []): Promise<PlayRun> =>
    runPlay(['p.yml', '-i', 'hosts.ini', '-e', `ahead_case=${aheadCase}`, ...args], { cwd: dir, env: { PLAY_ROLES_PATH: FIXTURE_ROLES } });
  const summaryOf = (run: PlayRun, task: string): string | undefined => parseJsonReport(run).hosts.box!.tasks.find((t) => t.task === task)?.summary;

  it('a check reading ctx.registered sees what the earlier task registered at its turn', async () => {
    const run = await play('registered', ['--json']);
    expect(run.code, run.stderr).to.equal(0);
    expect(summaryOf(run, 'Read the registered value')).to.equal('read registered at its turn');
  });

  it('a check reading a ctx.once value gets the one the earlier apply made, and does not make it itself', async () => {
    const run = await play('once', ['--json']);
    expect(run.code, run.stderr).to.equal(0);
    expect(summaryOf(run, 'Read the shared value')).to.equal('read made by the apply');
  });

  it('says so at -vv', async () => {
    const run = await play('registered', ['-vv']);
    expect(run.stdout).to.include('[box] Read the registered value: its check reads ctx.registered, so it runs at its turn, not ahead');
  });

  it("a check's warning is told once, though its early answer went stale and it ran again", async () => {
    const run = await play('warn');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr.split('\n').filter((l) => l.includes('the check saw something'))).to.deep.equal(['[WARNING]: box: the check saw something']);
  });
});
