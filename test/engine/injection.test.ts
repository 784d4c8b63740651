import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, runPlay } from '../helpers/run-play.js';

/** Variable values reach the host as literal data, never as shell syntax. */
describe('injection: hostile variable values arrive literally', function () {
  this.timeout(30000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'play-inj-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("quotes, $(...), backticks, ; and newlines in vars and paths are data", async () => {
    const marker = join(dir, 'pwned');
    const hostile = `it's "quoted" $(touch ${marker}) \`touch ${marker}\`; touch ${marker}\nsecond line $HOME`;
    const target = join(dir, `odd dir $(touch ${marker}); 'x'`);
    writeFileSync(join(dir, 'hosts.ini'), '[box]\nlocalbox ansible_connection=local\n');
    writeFileSync(join(dir, 'p.yml'), '- hosts: box\n  roles: [demo]\n');
    writeFileSync(join(dir, 'vars.json'), JSON.stringify({ demo_dir: target, demo_message: hostile, demo_password: 'not-a-secret-1' }));
    const run = await runPlay(['p.yml', '-i', 'hosts.ini', '-e', `@${join(dir, 'vars.json')}`], { cwd: dir, env: { PLAY_ROLES_PATH: FIXTURE_ROLES } });
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal(`message=${hostile}\n`);
    expect(existsSync(marker), 'an injected command ran').to.equal(false);
  });
});
