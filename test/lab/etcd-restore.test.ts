// Issue 16 item 3 (restore) on the lab: playbooks/etcd-restore.yml brings the real stacked etcd
// (Debian's etcd 3.4) back from a snapshot etcd-backup.yml made, after two of three masters lost
// their etcd data (a corrupt database: their etcd crash-loops, master1's member alone has no
// quorum). A ConfigMap made with kubectl before the backup is back (kubectl get through the real
// client), one made after it is gone, and so are raw etcd keys written with etcdctl, on every
// master; `etcdctl member list` names exactly the masters, a second restore is a no-op that says
// why, and site.yml then changes nothing. The stand-in apiserver keeps its objects in this etcd
// (the lab's stand-in settings: "apiserver_storage": "etcd").
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
/** ConfigMaps in the default namespace, made with kubectl before and after the backup. */
const [CM_BEFORE, CM_AFTER] = ['restore-before-backup', 'restore-after-backup'];
const KUBECTL = 'kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=20s';
/** `kubectl apply` of a ConfigMap in the default namespace, on stdin (as the roles apply). */
const applyConfigMap = (name: string, made: string): string =>
  `printf '%s' '${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { made } })}' | ${KUBECTL} apply -f -`;
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
  /** The ConfigMaps of ours that `kubectl get` on this master shows. */
  const configMaps = async (host: string): Promise<string[]> =>
    (await sh(host, `${KUBECTL} get configmaps -n default -o name`)).split('\n').map((l) => l.replace(/^configmap\//, '')).filter((n) => n === CM_BEFORE || n === CM_AFTER).sort();

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'play-etcd-restore-'));
    const { run } = await playText('etcd-restore: the cluster (site.yml)', ['site.yml', '-i', INVENTORY]);
    expect(run.code, playOutput(run)).to.equal(0);
    await sh('master1', `${ETCDCTL} put ${BEFORE} in-the-snapshot`);
    await sh('master1', `${KUBECTL} delete configmap -n default ${CM_BEFORE} ${CM_AFTER} --ignore-not-found && ${applyConfigMap(CM_BEFORE, 'before-the-backup')}`);
    const backup = await playText('etcd-backup.yml', ['etcd-backup.yml', '-i', INVENTORY, '-e', `etcd_backup_dir=${dir}`]);
    expect(backup.run.code, playOutput(backup.run)).to.equal(0);
    const [name] = readdirSync(dir);
    snapshot = join(dir, name!);
    await sh('master1', `${ETCDCTL} put ${AFTER} written-after-the-backup`);
    await sh('master1', applyConfigMap(CM_AFTER, 'after-the-backup'));
    expect(await configMaps('master2'), 'both ConfigMaps, through master2').to.deep.equal([CM_AFTER, CM_BEFORE]);
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
    // the apiserver answers from the restored etcd: the snapshot's objects, through each master
    for (const m of MASTERS) {
      const { value: shown } = await pollUntil(`kubectl get configmaps on ${m} after the restore`, async () => {
        try {
          return await configMaps(m);
        } catch {
          return undefined;   // the apiserver may still be reconnecting to its etcd
        }
      }, { timeoutMs: 120_000, intervalMs: 2000 });
      expect(shown, `kubectl get configmaps on ${m}`).to.deep.equal([CM_BEFORE]);
    }
    expect(await sh('master1', `${KUBECTL} get configmap -n default ${CM_BEFORE} -o jsonpath='{.data.made}'`)).to.equal('before-the-backup');
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
    await sh('master1', `${KUBECTL} delete configmap -n default ${CM_BEFORE} --ignore-not-found`);
  });
});
