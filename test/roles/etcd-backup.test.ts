/** Issue 16 item 3 (backup): an etcd snapshot from one healthy master, checked, fetched 0600, rotated. */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecResult } from '../../engine/types.js';
import etcdBackup, { type EtcdBackupVars } from '../../roles/etcd-backup/index.js';
import { snapshotName, snapshotsToPrune } from '../../roles/etcd-backup/snapshot.js';
import { parseSnapshotStatus } from '../../roles/kube-shared/etcd-snapshot.js';
import { converge } from './helpers/fake-cluster.js';
import { clusterInventory, fakeCluster, NODES, resolvedVars } from './kubeadm-fixtures.js';

const STATUS = '{"hash":3412856342,"revision":1207,"totalKey":431,"totalSize":2342912}\n';
const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });

describe('etcd backup: the pure parts', () => {
  it('names a snapshot by its UTC time, so names sort by age', () => {
    expect(snapshotName(new Date(Date.UTC(2026, 11, 5, 9, 3, 7, 450)))).to.equal('etcd-snapshot-20261205T090307Z.db');
  });

  it('reads etcdctl snapshot status -w json, and refuses anything else', () => {
    expect(parseSnapshotStatus(STATUS)).to.deep.equal({ hash: 3412856342, revision: 1207, totalKey: 431, totalSize: 2342912 });
    expect(() => parseSnapshotStatus('Error: snapshot file has wrong size')).to.throw(/did not print JSON/);
    expect(() => parseSnapshotStatus('{"hash":1}')).to.throw(/no revision/);
  });

  it('keeps the newest N of its own snapshots and never touches other files', () => {
    const names = ['etcd-snapshot-20261203T010000Z.db', 'notes.txt', 'etcd-snapshot-20261205T010000Z.db', 'etcd-snapshot-20261204T010000Z.db', 'etcd-snapshot-x.db'];
    expect(snapshotsToPrune(names, 2)).to.deep.equal(['etcd-snapshot-20261203T010000Z.db']);
    expect(snapshotsToPrune(names, 7)).to.deep.equal([]);
  });
});

describe('etcd backup on the masters', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'play-etcd-backup-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const SNAPSHOT = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13, 0]);
  /** master1's etcd is down; master2's answers and holds SNAPSHOT. */
  function cluster(tamper = false) {
    const varsOf = resolvedVars(etcdBackup, clusterInventory({ etcd_backup_dir: join(dir, 'backups'), etcd_backup_keep: 2 }));
    const run = (host: string) => (script: string): ExecResult => {
      if (script.includes('endpoint health')) {
        return host === 'master1' ? { code: 1, stdout: '', stderr: 'https://127.0.0.1:2379 is unhealthy: failed to commit proposal: context deadline exceeded\nError: unhealthy cluster' } : ok('https://127.0.0.1:2379 is healthy: successfully committed proposal: took = 2ms\n');
      }
      if (script.includes('snapshot status')) return ok(STATUS);
      if (script.startsWith('sha256sum')) {
        const sum = createHash('sha256').update(tamper ? Buffer.from('other') : SNAPSHOT).digest('hex');
        return ok(`${sum}\n${SNAPSHOT.toString('base64')}`);
      }
      return ok();
    };
    const hosts = Object.fromEntries(NODES.map((h) => [h, { facts: {}, run: run(h) }]));
    return fakeCluster<EtcdBackupVars>(clusterInventory(), varsOf, hosts);
  }
  const task = etcdBackup.tasks[0]!;
  const masters = NODES.filter((h) => h.startsWith('master'));

  it('snapshots the first healthy member only, fetches it 0600 into a 0700 folder, rotates, and removes it from the master', async () => {
    const c = cluster();
    const changes = await Promise.all(masters.map((h) => converge(task, c.ctx(h))));
    expect(changes.map((ch) => (ch ? ch.summary.replace(/etcd-snapshot-\d{8}T\d{6}Z/, 'etcd-snapshot-T') : null))).to.deep.equal([
      null,
      `snapshot master2's etcd member to ${join(dir, 'backups', 'etcd-snapshot-T.db')} on the controller, keep the newest 2`,
      null,
    ]);
    const files = readdirSync(join(dir, 'backups'));
    expect(files).to.have.length(1);
    expect(readFileSync(join(dir, 'backups', files[0]!)).equals(SNAPSHOT)).to.equal(true);
    expect(statSync(join(dir, 'backups', files[0]!)).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'backups')).mode & 0o777).to.equal(0o700);
    const m2 = c.scripts('master2');
    expect(m2.some((s) => / snapshot save \/var\/lib\/play-etcd-backup\/snapshot\.db/.test(s) && s.startsWith('umask 077'))).to.equal(true);
    expect(m2.at(-1)).to.equal('rm -f -- /var/lib/play-etcd-backup/snapshot.db');
    expect(c.scripts('master3').filter((s) => !s.includes('endpoint health'))).to.deep.equal([]);
  });

  it('keeps only the newest etcd_backup_keep of its snapshots', async () => {
    const backups = join(dir, 'backups');
    const c = cluster();
    await converge(task, c.ctx('master2')); // makes the folder (0700)
    for (const old of ['etcd-snapshot-20200101T000000Z.db', 'etcd-snapshot-20200102T000000Z.db']) writeFileSync(join(backups, old), 'old', { mode: 0o600 });
    writeFileSync(join(backups, 'notes.txt'), 'mine');
    await new Promise((r) => setTimeout(r, 1100)); // a new name: names have seconds
    await converge(task, cluster().ctx('master2'));
    const left = readdirSync(backups).sort();
    expect(left.filter((f) => f.startsWith('etcd-snapshot-2020'))).to.deep.equal([]);
    expect(left.filter((f) => f.startsWith('etcd-snapshot-'))).to.have.length(2);
    expect(left).to.include('notes.txt');
  });

  it('a snapshot that changed on the way is not kept, and leaves the master all the same', async () => {
    const c = cluster(true);
    const err = await converge(task, c.ctx('master2')).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/sha256 differs/);
    expect(c.scripts('master2').at(-1)).to.equal('rm -f -- /var/lib/play-etcd-backup/snapshot.db');
  });

  it('without a healthy member it fails naming each master\'s answer', async () => {
    const varsOf = resolvedVars(etcdBackup, clusterInventory({ etcd_backup_dir: join(dir, 'b') }));
    const down = (): ExecResult => ({ code: 1, stdout: '', stderr: 'Error: unhealthy cluster' });
    const c = fakeCluster<EtcdBackupVars>(clusterInventory(), varsOf, Object.fromEntries(NODES.map((h) => [h, { facts: {}, run: down }])));
    const err = await task.check(c.ctx('master1')).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal('no healthy etcd member to snapshot (master1: Error: unhealthy cluster; master2: Error: unhealthy cluster; master3: Error: unhealthy cluster)');
  });
});
