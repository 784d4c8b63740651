import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedTasks, FIXTURE_ROLES, parseJsonReport, runPlay, type JsonReportDoc } from '../../helpers/run-play.js';

/** Checks asked ahead across plays, on two local hosts with their own directories. */
describe('checks prefetched across the plays of a run', function () {
  this.timeout(60000);
  let dir: string;
  const env = { PLAY_ROLES_PATH: FIXTURE_ROLES };

  const inventory = (): string =>
    ['[boxes]', ...['a', 'b'].map((h) => `${h} ansible_connection=local demo_dir=${join(dir, h, 'demo')} relay_dir=${join(dir, 'shared')}`), '', '[boxes:vars]', 'demo_password=pw', ''].join('\n');

  const execsOf = (doc: JsonReportDoc): number[] => Object.values(doc.hosts).map((h) => h.connection.execs);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-prefetch-'));
    writeFileSync(join(dir, 'hosts.ini'), inventory());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a no-op run of three plays costs each host as many execs as a run of one play', async () => {
    const plays = (count: number): string =>
      Array.from({ length: count }, (_, i) => `- name: demo ${i}\n  hosts: ${i === 1 ? 'a' : 'boxes'}\n  roles:\n    - { role: demo, tags: [t${i}] }\n`).join('');
    writeFileSync(join(dir, 'one.yml'), plays(1));
    writeFileSync(join(dir, 'three.yml'), plays(3));
    const converge = await runPlay(['three.yml', '-i', 'hosts.ini'], { cwd: dir, env });
    expect(converge.code, converge.stderr).to.equal(0);

    const one = parseJsonReport(await runPlay(['one.yml', '-i', 'hosts.ini', '--json'], { cwd: dir, env }));
    const three = parseJsonReport(await runPlay(['three.yml', '-i', 'hosts.ini', '--json'], { cwd: dir, env }));
    expect(Object.values(three.hosts).every((h) => h.stats.changed === 0)).to.equal(true);
    expect(execsOf(three)).to.deep.equal(execsOf(one));
    // Issue 17 item 1: the lock session carries the only batch of a no-op run.
    expect(execsOf(three)).to.deep.equal([1, 1]);
  });

  it('a first apply reads the facts of the checks still to come in the exec of each command (issue 17 item 2)', async () => {
    writeFileSync(join(dir, 'one.yml'), '- name: demo\n  hosts: a\n  roles: [demo]\n');
    const run = await runPlay(['one.yml', '-i', 'hosts.ini', '-vvv'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
    const out = run.stdout + run.stderr;
    const commands = out.match(/^\[a\] exec: /gm) ?? [];
    const execs = Number(/execs=(\d+)/.exec(out)?.[1]);
    // Three tasks change and a handler runs: four commands; the first batch is the only read of its own.
    expect(commands.length).to.equal(4);
    expect(execs).to.equal(commands.length + 1);
    expect(out.match(/facts: \d+ in one exec/g)).to.have.length(1);
    expect(out).to.match(/facts: \d+ read after a command, in its exec/);
    expect(readFileSync(join(dir, 'a', 'demo', 'config.txt'), 'utf8')).to.equal('message=hello\n');

    // What the reads along saw is what the host holds: the next run changes nothing.
    const again = parseJsonReport(await runPlay(['one.yml', '-i', 'hosts.ini', '--json'], { cwd: dir, env }));
    expect(again.hosts.a!.stats.changed).to.equal(0);
  });

  it('a check that read another host is asked again once that host changed', async () => {
    writeFileSync(
      join(dir, 'relay.yml'),
      '- name: write\n  hosts: boxes\n  roles:\n    - { role: relay, vars: { relay_step: write } }\n' +
        '- name: copy\n  hosts: b\n  roles:\n    - { role: relay, vars: { relay_step: copy } }\n',
    );
    const first = await runPlay(['relay.yml', '-i', 'hosts.ini', '--json'], { cwd: dir, env });
    expect(first.code, first.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'shared', 'b.copy'), 'utf8')).to.equal('made on a\n');
    expect(changedTasks(parseJsonReport(first), 'b')).to.deep.equal(["relay : Copy the source's original"]);

    const second = parseJsonReport(await runPlay(['relay.yml', '-i', 'hosts.ini', '--json'], { cwd: dir, env }));
    expect(changedTasks(second, 'b')).to.deep.equal([]);
    expect(second.hosts.b!.connection.execs).to.equal(1);
  });

  it('a drift found by a prefetched check of a later play is corrected', async () => {
    writeFileSync(join(dir, 'relay.yml'), '- name: write\n  hosts: boxes\n  roles: [demo]\n- name: again\n  hosts: boxes\n  roles:\n    - { role: relay, vars: { relay_step: write } }\n');
    expect((await runPlay(['relay.yml', '-i', 'hosts.ini'], { cwd: dir, env })).code).to.equal(0);
    writeFileSync(join(dir, 'shared', 'a.orig'), 'edited\n');
    const fix = parseJsonReport(await runPlay(['relay.yml', '-i', 'hosts.ini', '--json'], { cwd: dir, env }));
    expect(changedTasks(fix, 'a')).to.deep.equal(['relay : Write the original']);
    expect(readFileSync(join(dir, 'shared', 'a.orig'), 'utf8')).to.equal('made on a\n');
  });

  it('a task that only waits is reported ok with its summary and notifies nothing', async () => {
    writeFileSync(join(dir, 'wait.yml'), '- name: wait\n  hosts: a\n  roles:\n    - { role: relay, vars: { relay_step: wait } }\n');
    const doc = parseJsonReport(await runPlay(['wait.yml', '-i', 'hosts.ini', '--json'], { cwd: dir, env }));
    const wait = doc.hosts.a!.tasks.find((t) => t.task === 'Wait for something');
    expect(wait).to.deep.include({ status: 'ok', summary: 'waited for the thing' });
    expect(doc.hosts.a!.stats.changed).to.equal(0);
    expect(doc.hosts.a!.tasks.some((t) => t.handler)).to.equal(false);
  });
});
