import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, parseJsonReport, runPlay } from '../../helpers/run-play.js';

/** Runner semantics through the real CLI, on three local hosts that share a log file. */
describe('runner semantics', function () {
  this.timeout(30000);
  let dir: string;
  let log: string;
  const env = { PLAY_ROLES_PATH: FIXTURE_ROLES };

  const inventory = (failing: string[] = [], delayMs = 0): string =>
    ['[boxes]', ...['a', 'b', 'c'].map((h) => `${h} ansible_connection=local probe_fail=${failing.includes(h)}`), '', '[boxes:vars]', `probe_log=${log}`, `probe_delay_ms=${delayMs}`, ''].join('\n');

  const play = (extra = ''): string => `- name: probe\n  hosts: boxes\n${extra}  roles: [probe]\n`;

  const lines = (): string[] => readFileSync(log, 'utf8').trim().split('\n');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-sem-'));
    log = join(dir, 'log');
    writeFileSync(log, '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a failed task stops that host only; exit 2', async () => {
    writeFileSync(join(dir, 'hosts.ini'), inventory(['b']));
    writeFileSync(join(dir, 'p.yml'), play());
    const run = await runPlay(['p.yml', '-i', 'hosts.ini', '--json'], { cwd: dir, env });
    expect(run.code).to.equal(2);
    const doc = parseJsonReport(run);
    expect(doc.hosts.b!.stats.failed).to.equal(1);
    expect(doc.hosts.b!.tasks.find((t) => t.status === 'failed')?.error).to.match(/probe failure as asked/);
    expect(lines()).to.include.members(['a end', 'c end', 'b start']);
    expect(lines()).to.not.include('b end');
  });

  it('any_errors_fatal stops the play on every host', async () => {
    writeFileSync(join(dir, 'hosts.ini'), inventory(['b'], 800));
    writeFileSync(join(dir, 'p.yml'), play('  any_errors_fatal: true\n'));
    const run = await runPlay(['p.yml', '-i', 'hosts.ini'], { cwd: dir, env });
    expect(run.code).to.equal(2);
    expect(lines().filter((l) => l.endsWith(' end'))).to.deep.equal([]);
  });

  it('once is computed by one host and shared by all', async () => {
    writeFileSync(join(dir, 'hosts.ini'), inventory());
    writeFileSync(join(dir, 'p.yml'), play());
    const run = await runPlay(['p.yml', '-i', 'hosts.ini'], { cwd: dir, env });
    expect(run.code, run.stdout).to.equal(0);
    const got = lines().filter((l) => l.includes(' got '));
    expect(lines().filter((l) => l === 'once computed')).to.have.length(1);
    expect(new Set(got.map((l) => l.split(' got ')[1])).size).to.equal(1);
    expect(got).to.have.length(3);
  });

  it('serial runs hosts in batches', async () => {
    writeFileSync(join(dir, 'hosts.ini'), inventory());
    writeFileSync(join(dir, 'p.yml'), play('  serial: 1\n'));
    const run = await runPlay(['p.yml', '-i', 'hosts.ini'], { cwd: dir, env });
    expect(run.code, run.stdout).to.equal(0);
    const order = lines().filter((l) => / (start|end)$/.test(l));
    expect(order).to.deep.equal(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('--limit runs the play on matching hosts only', async () => {
    writeFileSync(join(dir, 'hosts.ini'), inventory());
    writeFileSync(join(dir, 'p.yml'), play());
    const run = await runPlay(['p.yml', '-i', 'hosts.ini', '-l', 'boxes:!b', '--json'], { cwd: dir, env });
    expect(run.code).to.equal(0);
    expect(Object.keys(parseJsonReport(run).hosts).sort()).to.deep.equal(['a', 'c']);
  });
});
