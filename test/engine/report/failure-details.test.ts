/**
 * A failed command's details reach every reporter (issue 14, item 2): its label, exit code and
 * stderr tail, redacted, in --json and under the failed task with -v, for tasks and handlers.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASK } from '../../../engine/secrets.js';
import { FIXTURE_ROLES, parseJsonReport, runPlay, type PlayRun } from '../../helpers/run-play.js';

const SECRET = 'Details-Secret-9182';
const TAIL = [...Array.from({ length: 9 }, (_, i) => `line ${i + 3}`), `denied for ${MASK}`].join('\n');

describe('failure details in the reports', function () {
  this.timeout(60000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-details-'));
    writeFileSync(join(dir, 'hosts.ini'), `[boxes]\nbox ansible_connection=local\n\n[boxes:vars]\nfailing_password=${SECRET}\n`);
    writeFileSync(join(dir, 'p.yml'), '- hosts: boxes\n  roles: [failing]\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const play = (args: string[]): Promise<PlayRun> => runPlay(['p.yml', '-i', 'hosts.ini', ...args], { cwd: dir, env: { PLAY_ROLES_PATH: FIXTURE_ROLES } });

  for (const [where, label] of [
    ['task', 'the failing command'],
    ['handler', 'the failing handler command'],
  ] as const) {
    it(`--json carries the ${where}'s command label, exit code and the last ten stderr lines, masked`, async () => {
      const run = await play(['--json', '-e', `failing_where=${where}`]);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stdout + run.stderr).not.to.include(SECRET);
      const failed = parseJsonReport(run).hosts.box!.tasks.find((t) => t.status === 'failed');
      expect(failed?.handler).to.equal(where === 'handler');
      expect(failed?.details).to.deep.equal({ command: label, exit_code: 3, stderr: TAIL });
    });
  }

  it('-v prints them under the failed task; without -v only the error line', async () => {
    const verbose = await play(['-v']);
    expect(verbose.code).to.equal(2);
    expect(verbose.stdout + verbose.stderr).not.to.include(SECRET);
    expect(verbose.stdout).to.include('fatal: [box] failing : Run a command that fails => the failing command failed (exit 3)');
    const block = ['    command: the failing command, exit code: 3', '    stderr:', ...TAIL.split('\n').map((l) => `      ${l}`)].join('\n');
    expect(verbose.stdout, verbose.stdout).to.include(` ms)\n${block}\n`);

    const quiet = await play([]);
    expect(quiet.stdout).not.to.include('exit code: 3');
  });
});
