// Issue 16 item 3 (backup) on the lab: playbooks/etcd-backup.yml saves a snapshot of the real
// stacked etcd (Debian's etcd 3.4) from a healthy master, checks it, fetches it to the controller
// (0600 in a 0700 folder, a dated name, the newest etcd_backup_keep kept) and leaves nothing on the
// master; the fetched file is a snapshot etcdctl reads (status: its revision and keys).
//
// State: runs on the cluster certs.test leaves (or builds it with inventories/lab: a no-op when
// it is built), and leaves it as it was.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSsh } from './lab.js';
import { describeLab } from './harness.js';
import { measure, playOutput, playText, sh } from './lb-helpers.js';

const INVENTORY = 'inventories/lab';

describeLab('issue 16: etcd-backup.yml saves etcd snapshots to the controller', function () {
  this.timeout(600_000);
  let dir: string;
  before(async function () {
    this.timeout(900_000);
    dir = mkdtempSync(join(tmpdir(), 'play-etcd-backups-'));
    const { run } = await playText('etcd-backup: the cluster to back up (site.yml)', ['site.yml', '-i', INVENTORY]);
    expect(run.code, playOutput(run)).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const backup = (extra: string[] = []) =>
    playText('etcd-backup.yml', ['etcd-backup.yml', '-i', INVENTORY, '-e', `etcd_backup_dir=${join(dir, 'etcd')}`, '-e', 'etcd_backup_keep=2', ...extra]);

  it('--check names the member and the file it would write, and writes nothing', async () => {
    const { run } = await backup(['--check']);
    expect(run.code, playOutput(run)).to.equal(0);
    expect(run.stdout).to.match(/changed: \[master1\] etcd-backup : Save an etcd snapshot to the controller => would change: snapshot master1's etcd member to \S+\/etcd-snapshot-\d{8}T\d{6}Z\.db on the controller, keep the newest 2/);
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('saves a snapshot etcdctl can read, 0600 in a 0700 folder, nothing left on the master; the newest two are kept', async () => {
    for (let i = 0; i < 3; i++) {
      const { run, seconds } = await backup();
      expect(run.code, playOutput(run)).to.equal(0);
      measure(`etcd backup ${i + 1}`, seconds, 's');
      await new Promise((r) => setTimeout(r, 1100)); // names carry seconds
    }
    const folder = join(dir, 'etcd');
    const files = readdirSync(folder).sort();
    expect(files).to.have.length(2);
    expect(statSync(folder).mode & 0o777).to.equal(0o700);
    for (const f of files) expect(statSync(join(folder, f)).mode & 0o777, f).to.equal(0o600);
    expect(await sh('master1', 'ls -A /var/lib/play-etcd-backup')).to.equal('');
    // The file read back by the real etcdctl on a master (the controller has none).
    const snapshot = readFileSync(join(folder, files[1]!));
    measure('etcd snapshot size (bytes)', snapshot.length);
    const copied = await labSsh('master2', 'umask 077; base64 -d > /tmp/play-check.db && ETCDCTL_API=3 etcdctl snapshot status /tmp/play-check.db -w json; rm -f /tmp/play-check.db', { input: snapshot.toString('base64') });
    expect(copied.code, copied.stderr).to.equal(0);
    const status = JSON.parse(copied.stdout) as { revision: number; totalKey: number; totalSize: number };
    expect(status.totalKey).to.be.above(0);
    // etcd appends the sha256 of the database to a saved snapshot (32 bytes): totalSize is the database.
    expect(status.totalSize).to.equal(snapshot.length - 32);
  });
});
