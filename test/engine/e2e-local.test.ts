import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedTasks, FIXTURE_ROLES, parseJsonReport, runPlay } from '../helpers/run-play.js';

const SECRET = 'Sup3r-Secret-Value';

describe('end to end on the local connection', function () {
  this.timeout(60000);
  let dir: string;
  let target: string;
  const env = { PLAY_ROLES_PATH: FIXTURE_ROLES };
  const base = (): string[] => ['site.yml', '-i', join(dir, 'hosts.ini')];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-e2e-'));
    target = join(dir, 'target');
    writeFileSync(join(dir, 'hosts.ini'), `[box]\nlocalbox ansible_connection=local demo_dir=${target}\n\n[box:vars]\ndemo_password=${SECRET}\n`);
    writeFileSync(join(dir, 'site.yml'), '- name: Demo play\n  hosts: box\n  roles:\n    - { role: demo, tags: [demo] }\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('converges on the first run and reports changed=0 on the second', async () => {
    const first = await runPlay([...base(), '--json'], { cwd: dir, env });
    expect(first.code, first.stderr).to.equal(0);
    const doc1 = parseJsonReport(first);
    expect(changedTasks(doc1, 'localbox')).to.deep.equal(['demo : Write config', 'demo : Write secret', 'demo : Stamp once', 'demo : record handler']);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal('message=hello\n');
    expect(statSync(join(target, 'secret.conf')).mode & 0o777).to.equal(0o600);
    expect(existsSync(join(target, 'optional.txt')), 'never-tagged task ran').to.equal(false);

    const second = await runPlay([...base(), '--json'], { cwd: dir, env });
    expect(second.code, second.stderr).to.equal(0);
    const doc2 = parseJsonReport(second);
    expect(doc2.hosts.localbox!.stats.changed).to.equal(0);
    expect(doc2.hosts.localbox!.stats.ok).to.equal(3);
    expect(readFileSync(join(target, 'handler.log'), 'utf8')).to.equal('ran\n');
  });

  it('--check after a manual change reports exactly that task and changes nothing', async () => {
    writeFileSync(join(target, 'config.txt'), 'message=edited by hand\n');
    const check = await runPlay([...base(), '--check', '--json'], { cwd: dir, env });
    expect(check.code, check.stderr).to.equal(0);
    expect(changedTasks(parseJsonReport(check), 'localbox')).to.deep.equal(['demo : Write config', 'demo : record handler']);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal('message=edited by hand\n');
    expect(readFileSync(join(target, 'handler.log'), 'utf8')).to.equal('ran\n');

    const diff = await runPlay([...base(), '--check', '--diff'], { cwd: dir, env });
    expect(diff.stdout).to.match(/^-message=edited by hand$/m);
    expect(diff.stdout).to.match(/^\+message=hello$/m);
    expect(diff.stdout).to.match(/ok=\d+\s+changed=2\s/);
  });

  it('a re-run restores the file and runs the handler once', async () => {
    const fix = await runPlay([...base(), '--json'], { cwd: dir, env });
    expect(changedTasks(parseJsonReport(fix), 'localbox')).to.deep.equal(['demo : Write config', 'demo : record handler']);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal('message=hello\n');
    expect(readFileSync(join(target, 'handler.log'), 'utf8')).to.equal('ran\nran\n');
  });

  it('never prints the secret, even with -vvv and --diff', async () => {
    writeFileSync(join(target, 'secret.conf'), 'password=old\n');
    const run = await runPlay([...base(), '-vvv', '--diff'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout + run.stderr).to.not.include(SECRET);
    // Issue 13 row 7: the write of a small secret file is a secret command, not a short base64 blob.
    expect(run.stdout + run.stderr).to.not.include(Buffer.from(`password=${SECRET}\n`).toString('base64'));
    expect(run.stdout + run.stderr).to.include('write ' + join(target, 'secret.conf') + ': hidden, holds secrets');
    expect(run.stdout).to.include('content hidden');
    const json = await runPlay([...base(), '--json', '-e', `demo_password=${SECRET}`], { cwd: dir, env });
    expect(json.stdout + json.stderr).to.not.include(SECRET);
  });

  it('--tags selects tasks; never-tagged tasks run only when asked', async () => {
    const run = await runPlay([...base(), '--tags', 'optional', '--json'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
    expect(changedTasks(parseJsonReport(run), 'localbox')).to.deep.equal(['demo : Write optional']);
    expect(existsSync(join(target, 'optional.txt'))).to.equal(true);
  });

  it('--json with two playbooks prints one document holding both runs', async () => {
    writeFileSync(join(dir, 'second.yml'), '- name: Second play\n  hosts: box\n  roles:\n    - demo\n');
    const run = await runPlay(['site.yml', 'second.yml', '-i', join(dir, 'hosts.ini'), '--json'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
    const host = parseJsonReport(run).hosts.localbox!;
    expect([...new Set(host.tasks.map((t) => t.play))]).to.deep.equal(['Demo play', 'Second play']);
    expect(host.stats.ok, 'stats added over both playbooks').to.equal(host.tasks.filter((t) => t.status === 'ok').length);
    expect(host.stats.ok).to.be.greaterThan(3);
  });

  it('a failed task fails the host with exit 2 and names host and task', async () => {
    const run = await runPlay([...base(), '-e', 'demo_dir=/proc/play-cannot-write-here'], { cwd: dir, env });
    expect(run.code).to.equal(2);
    expect(run.stdout).to.match(/fatal: \[localbox\] demo : Write config/);
    expect(run.stdout).to.match(/localbox\s+: ok=0\s+changed=0\s+unreachable=0\s+failed=1/);
  });
});
