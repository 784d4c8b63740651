// Issue 16 item 3 (restore) on the lab: playbooks/etcd-restore.yml brings the real stacked etcd
// (Debian's etcd 3.4) back from a snapshot etcd-backup.yml made, after two of three masters lost
// their etcd data (a corrupt database: their etcd crash-loops, master1's member alone has no
// quorum). A key written before the backup is back on every master, one written after it is gone,
// `etcdctl member list` names exactly the masters, a second restore is a no-op that says why, and
// site.yml then changes nothing. The stand-in apiserver does not keep its objects in etcd yet
// (issue 16 item 1): the objects checked are etcd keys written with etcdctl.
//
// State: runs on the cluster etcd-backup.test leaves (or builds it with inventories/lab: a no-op
// when it is built), and leaves it built, healthy, its etcd restored from the snapshot it made
// (the keys the suites after it write are written anew), the old data dirs removed.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ETCDCTL, expectEtcdMembers } from './etcd-helpers.js';
import { describeLab } from './harness.js';
import { expectNoChange, healthyEndpoints } from './drill-helpers.js';
import { measure, playOutput, playText, pollUntil, sh, shAll } from './lb-helpers.js';

const INVENTORY = 'inventories/lab';
const MASTERS = ['master1', 'master2', 'master3'];
const LOST = ['master2', 'master3'];
const BEFORE = '/play-lab/etcd-restore/before-backup';
const AFTER = '/play-lab/etcd-restore/after-backup';
/** Two masters' etcd database replaced by garbage: their etcd cannot open it and crash-loops. */
const CORRUPT =
  'systemctl stop kubelet && systemctl stop etcd-standin; rm -rf /var/lib/etcd/member && mkdir -p -m 700 /var/lib/etcd/member/snap' +
  ' && head -c 65536 /dev/urandom > /var/lib/etcd/member/snap/db && systemctl start kubelet';

describeLab('issue 16: etcd-restore.yml brings etcd back from a snapshot after the quorum is lost', function () {
  this.timeout(900_000);
  let dir: string;
  let snapshot: string;

  const restore = (extra: string[] = []) => playText('etcd-restore.yml', ['etcd-restore.yml', '-i', INVENTORY, '-e', `snapshot=${snapshot}`, ...extra]);
  const get = (host: string, key: string) => sh(host, `${ETCDCTL} get ${key} --print-value-only`);

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'play-etcd-restore-'));
    const { run } = await playText('etcd-restore: the cluster (site.yml)', ['site.yml', '-i', INVENTORY]);
    expect(run.code, playOutput(run)).to.equal(0);
    await sh('master1', `${ETCDCTL} put ${BEFORE} in-the-snapshot`);
    const backup = await playText('etcd-backup.yml', ['etcd-backup.yml', '-i', INVENTORY, '-e', `etcd_backup_dir=${dir}`]);
    expect(backup.run.code, playOutput(backup.run)).to.equal(0);
    const [name] = readdirSync(dir);
    snapshot = join(dir, name!);
    await sh('master1', `${ETCDCTL} put ${AFTER} written-after-the-backup`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses, as a no-op that says why, while etcd has quorum', async () => {
    const { run } = await restore();
    expect(run.code, playOutput(run)).to.equal(0);
    expect(run.stdout).to.match(/etcd has quorum \(3 of 3 members healthy: master1, master2, master3\): not restored/);
    expect(run.stdout).to.not.match(/changed=[1-9]/);
    expect((await get('master2', AFTER)).trim()).to.equal('written-after-the-backup');
  });

  it('two masters lose their etcd data: --check says what it would restore and touches nothing', async () => {
    await shAll(LOST, CORRUPT);
    await pollUntil('etcd without quorum (no member healthy)', async () => ((await healthyEndpoints('master1', ETCDCTL)).healthy.length === 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 2000 });
    const { run } = await restore(['--check']);
    expect(run.code, playOutput(run)).to.equal(0);
    expect(run.stdout).to.match(/changed: \[master1\] etcd-restore : Restore etcd from the snapshot on every master => would change: etcd has lost its quorum .*; restore master1 of master1, master2, master3 from the snapshot \(revision \d+, \d+ keys, \d+ bytes, sha256 [0-9a-f]{12}…\) with --initial-cluster master1=https:\/\/172\.29\.10\.21:2380,master2=https:\/\/172\.29\.10\.22:2380,master3=https:\/\/172\.29\.10\.23:2380/);
    const touched = await shAll(MASTERS, 'ls -d /var/lib/etcd.* /var/lib/play-etcd-restore /etc/kubernetes/manifests-etcd-restore 2>/dev/null || true');
    for (const m of MASTERS) expect(touched[m]!.trim(), m).to.equal('');
  });

  it('restores every master: the snapshot\'s keys are back, the later one is gone, the members are the masters', async () => {
    const { run, seconds } = await restore();
    expect(run.code, playOutput(run)).to.equal(0);
    measure('etcd restore (three masters)', seconds, 's');
    for (const m of MASTERS) {
      expect((await get(m, BEFORE)).trim(), `${BEFORE} on ${m}`).to.equal('in-the-snapshot');
      expect((await get(m, AFTER)).trim(), `${AFTER} on ${m}`).to.equal('');
    }
    await expectEtcdMembers(MASTERS);
    const health = await healthyEndpoints('master2', ETCDCTL);
    expect(health.healthy, health.text).to.have.length(3);
    const left = await shAll(MASTERS, 'ls -A /var/lib/play-etcd-restore 2>/dev/null; ls -d /etc/kubernetes/manifests-etcd-restore 2>/dev/null; ls -d /var/lib/etcd.before-restore-* | wc -l');
    for (const m of MASTERS) expect(left[m]!.trim(), `${m}: no snapshot, no manifests aside, one old data dir`).to.equal('1');
  });

  it('a second restore is a no-op that says why, and site.yml changes nothing', async () => {
    const { run } = await restore();
    expect(run.code, playOutput(run)).to.equal(0);
    expect(run.stdout).to.match(/etcd has quorum \(3 of 3 members healthy/);
    expect(run.stdout).to.not.match(/changed=[1-9]/);
    await expectNoChange(INVENTORY, 'site.yml after the restore');
    await shAll(MASTERS, 'rm -rf /var/lib/etcd.before-restore-*');
  });
});
