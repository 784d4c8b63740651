/** Issue 16 item 3 (restore): the documented kubeadm restore of the stacked etcd on every master, in step. */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ExecResult } from '../../engine/types.js';
import etcdRestore, { HOST_DIR, SNAPSHOT_KEY, type EtcdRestoreVars } from '../../roles/etcd-restore/index.js';
import { readSnapshotStatus } from '../../roles/etcd-restore/bbolt.js';
import {
  apiserverEndpoint,
  initialCluster,
  judgeRestore,
  memberNames,
  parseEtcdManifest,
  parseProbe,
  probeScript,
  restoreCommand,
  stillRunning,
} from '../../roles/etcd-restore/plan.js';
import { REPO_ROOT, runPlay } from '../helpers/run-play.js';
import { expectVarsError } from './helpers/expect-error.js';
import { converge } from './helpers/fake-cluster.js';
import { resolveRole } from './helpers/resolve.js';
import { clusterInventory, fakeCluster, K8S, NODES, resolvedVars } from './kubeadm-fixtures.js';

const fixture = (name: string): Buffer => readFileSync(join(REPO_ROOT, 'test/fixtures/etcd-snapshots', name));
const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
const MARK = '==play-etcd-restore==';
const MASTERS = ['master1', 'master2', 'master3'] as const;
const IPS: Record<string, string> = { master1: '10.0.0.21', master2: '10.0.0.22', master3: '10.0.0.23' };

/** kubeadm's etcd.yaml, as the stand-in (and kubeadm's GetEtcdPodSpec) writes it. */
function etcdManifest(name: string, ip: string): string {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  annotations:',
    `    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://${ip}:2379`,
    '  name: etcd',
    'spec:',
    '  containers:',
    '  - command:',
    '    - etcd',
    `    - --advertise-client-urls=https://${ip}:2379`,
    '    - --data-dir=/var/lib/etcd',
    `    - --initial-advertise-peer-urls=https://${ip}:2380`,
    `    - --initial-cluster=master1=https://10.0.0.21:2380,${name}=https://${ip}:2380`,
    '    - --initial-cluster-state=existing',
    `    - --listen-peer-urls=https://${ip}:2380`,
    `    - --name=${name}`,
    '    image: registry.k8s.io/etcd:3.5.12-0',
    '',
  ].join('\n');
}

function apiserverManifest(ip: string): string {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  annotations:',
    `    kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: ${ip}:6443`,
    '  name: kube-apiserver',
    'spec:',
    '  containers:',
    '  - command:',
    '    - kube-apiserver',
    `    - --advertise-address=${ip}`,
    '    - --secure-port=6443',
    '',
  ].join('\n');
}

function probeOutput(host: string, healthy: boolean, place: 'in-place' | 'staged' = 'in-place', etcd = etcdManifest(host, IPS[host]!)): string {
  return [
    `${MARK} health`,
    healthy ? 'https://127.0.0.1:2379 is healthy: successfully committed proposal: took = 2ms' : 'https://127.0.0.1:2379 is unhealthy: failed to commit proposal: context deadline exceeded',
    `${MARK} exit ${healthy ? 0 : 1}`,
    `${MARK} etcd ${place}`,
    etcd,
    `${MARK} kube-apiserver ${place}`,
    apiserverManifest(IPS[host]!),
    `${MARK} kube-controller-manager in-place`,
    'kind: Pod',
    `${MARK} kube-scheduler missing`,
    '',
  ].join('\n');
}

const STATUS_SMALL = '{"hash":934607624,"revision":6,"totalKey":9,"totalSize":20480}\n';
const MEMBER_LIST = MASTERS.map((m, i) => `${(i + 10).toString(16)}aa, started, ${m}, https://${IPS[m]}:2380, https://${IPS[m]}:2379, false`).join('\n');

describe('etcd restore: the pure parts', () => {
  it('reads the member an etcd static pod runs (name, peer URL, data dir), and refuses one it cannot use', () => {
    expect(parseEtcdManifest(etcdManifest('master2', '10.0.0.22'))).to.deep.equal({ name: 'master2', peerUrl: 'https://10.0.0.22:2380', dataDir: '/var/lib/etcd' });
    expect(() => parseEtcdManifest(etcdManifest('master2', '10.0.0.22').replace(/--initial-advertise-peer-urls=\S+/, '--initial-advertise-peer-urls=https://a:2380,https://b:2380'))).to.throw(/single https --initial-advertise-peer-urls/);
    expect(() => parseEtcdManifest(etcdManifest('master2', '10.0.0.22').replace('--data-dir=/var/lib/etcd', '--data-dir=/var/lib/../etc'))).to.throw(/unusable --data-dir/);
    expect(() => parseEtcdManifest('kind: Pod\n')).to.throw(/no usable --name/);
    expect(apiserverEndpoint(apiserverManifest('10.0.0.21'))).to.equal('10.0.0.21:6443');
  });

  it('builds --initial-cluster from every member in inventory order, refusing a name or URL twice', () => {
    const m = (name: string, ip: string) => ({ name, peerUrl: `https://${ip}:2380`, dataDir: '/var/lib/etcd' });
    expect(initialCluster([m('master1', '10.0.0.21'), m('master2', '10.0.0.22'), m('master3', '10.0.0.23')])).to.equal(
      'master1=https://10.0.0.21:2380,master2=https://10.0.0.22:2380,master3=https://10.0.0.23:2380',
    );
    expect(() => initialCluster([m('master1', '10.0.0.21'), m('master1', '10.0.0.22')])).to.throw(/two masters run an etcd member named master1/);
    expect(() => initialCluster([m('master1', '10.0.0.21'), m('master2', '10.0.0.21')])).to.throw(/peer URL https:\/\/10.0.0.21:2380/);
  });

  it('restores a member with its name, the cluster, a new token and its peer URL into a fresh data dir', () => {
    const member = { name: 'master2', peerUrl: 'https://10.0.0.22:2380', dataDir: '/var/lib/etcd' };
    expect(restoreCommand('/var/lib/play-etcd-restore/snapshot.db', member, 'master1=https://10.0.0.21:2380,master2=https://10.0.0.22:2380', 'play-etcd-restore-T', '/var/lib/etcd.play-restore-T')).to.equal(
      'etcd_snapshot() { if command -v etcdutl >/dev/null 2>&1; then etcdutl snapshot "$@"; else ETCDCTL_API=3 etcdctl snapshot "$@"; fi; }; ' +
        'etcd_snapshot restore /var/lib/play-etcd-restore/snapshot.db --name master2 --initial-cluster master1=https://10.0.0.21:2380,master2=https://10.0.0.22:2380 ' +
        '--initial-cluster-token play-etcd-restore-T --initial-advertise-peer-urls https://10.0.0.22:2380 --data-dir /var/lib/etcd.play-restore-T',
    );
  });

  it('refuses while any member is healthy (quorum), unless forced; restores when none is', () => {
    const down = { healthy: false, detail: 'unhealthy' };
    const lost = judgeRestore([{ host: 'master1', ...down }, { host: 'master2', ...down }], false);
    expect(lost).to.deep.equal({ restore: true, why: 'etcd has lost its quorum (master1: unhealthy; master2: unhealthy)' });
    const up = [{ host: 'master1', ...down }, { host: 'master2', healthy: true, detail: 'ok' }];
    expect(judgeRestore(up, false)).to.deep.equal({
      restore: false,
      why: 'etcd has quorum (1 of 2 members healthy: master2): not restored, a restore would throw away everything written since the snapshot (-e etcd_restore_force=true restores over it)',
    });
    expect(judgeRestore(up, true).restore).to.equal(true);
  });

  it('reads the probe: health, and each manifest where it is', () => {
    const probe = parseProbe(probeOutput('master1', false, 'staged'));
    expect(probe.healthy).to.equal(false);
    expect(probe.healthDetail).to.match(/context deadline exceeded/);
    expect(probe.manifests.etcd.place).to.equal('staged');
    expect(probe.manifests['kube-scheduler'].place).to.equal('missing');
    expect(parseEtcdManifest(probe.manifests.etcd.text).name).to.equal('master1');
    expect(() => parseProbe('sh: 1: etcdctl: not found\n')).to.throw(/no health section/);
    expect(probeScript('ETCDCTL')).to.include("elif [ -f /etc/kubernetes/manifests-etcd-restore/etcd.yaml ]; then echo '==play-etcd-restore== etcd staged'");
  });

  it('tells what still runs of the control plane', () => {
    const ss = 'LISTEN 0 4096 127.0.0.1:2379 0.0.0.0:*\nLISTEN 0 4096 10.0.0.21:2380 0.0.0.0:*\nLISTEN 0 4096 *:10250 *:*\nLISTEN 0 4096 [::]:6443 [::]:*\n';
    expect(stillRunning(`3f2a\n${MARK} ports\n${ss}`, [2379, 2380, 6443])).to.deep.equal(['1 control-plane pod(s) ready', 'port 2379 listening', 'port 2380 listening', 'port 6443 listening']);
    expect(stillRunning(`${MARK} ports\nLISTEN 0 4096 *:10250 *:*\n`, [2379, 2380, 6443])).to.deep.equal([]);
  });

  it('lists member names from etcdctl member list', () => {
    expect(memberNames(MEMBER_LIST)).to.deep.equal(['master1', 'master2', 'master3']);
  });

  it('reads revision and keys of a snapshot on the controller as etcdctl snapshot status does', () => {
    expect(readSnapshotStatus(fixture('small.db'))).to.deep.equal({ revision: 6, totalKey: 9, totalSize: 20480 });
    expect(readSnapshotStatus(gunzipSync(fixture('big.db.gz')))).to.deep.equal({ revision: 1506, totalKey: 1509, totalSize: 774144 });
    expect(readSnapshotStatus(Buffer.from('not a snapshot'))).to.equal(undefined);
    expect(readSnapshotStatus(fixture('small.db').subarray(0, 9000))).to.equal(undefined);
  });
});

describe('etcd restore on the masters', () => {
  let dir: string;
  let snapshot: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-etcd-restore-'));
    snapshot = join(dir, 'etcd-snapshot-20261205T010000Z.db');
    writeFileSync(snapshot, fixture('small.db'), { mode: 0o600 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const SHA = createHash('sha256').update(fixture('small.db')).digest('hex');
  const task = etcdRestore.tasks[0]!;

  interface Script {
    healthy?: readonly string[];
    /** A master whose step fails: the script's text includes `step`. */
    fail?: { host: string; step: string };
    tamper?: string;
    /** Hosts whose step (a script including the key) takes 50 ms more than the others'. */
    slow?: Record<string, string>;
    /** Hosts whose control plane is seen running by the first N probes after the manifests moved. */
    running?: Record<string, number>;
  }
  function cluster(s: Script = {}, extra: Record<string, unknown> = {}, checkMode = false) {
    const varsOf = resolvedVars(etcdRestore, clusterInventory(), { [SNAPSHOT_KEY]: snapshot, ...extra });
    const run = (host: string) => async (script: string): Promise<ExecResult> => {
      const slow = s.slow?.[host];
      if (slow && script.includes(slow)) await new Promise((r) => setTimeout(r, 50));
      if (script.includes(`echo '${MARK} health'`)) return ok(probeOutput(host, s.healthy?.includes(host) ?? false));
      if (s.fail?.host === host && script.includes(s.fail.step)) return { code: 1, stdout: '', stderr: `Error: ${s.fail.step} failed` };
      if (script.includes('sha256sum')) return ok(`${s.tamper === host ? 'f'.repeat(64) : SHA}\n`);
      if (script.includes('etcd_snapshot status')) return ok(STATUS_SMALL);
      if (script.includes('pods --namespace kube-system')) {
        const left = s.running?.[host] ?? 0;
        if (left > 0) s.running![host] = left - 1;
        return ok(`${left > 0 ? '3f2a\n' : ''}${MARK} ports\n${left > 0 ? 'LISTEN 0 4096 127.0.0.1:2379 0.0.0.0:*\n' : ''}LISTEN 0 4096 *:10250 *:*\n`);
      }
      if (script.endsWith('member list')) return ok(MEMBER_LIST);
      return ok();
    };
    const hosts = Object.fromEntries(NODES.map((h) => [h, { facts: {}, run: run(h) }]));
    return fakeCluster<EtcdRestoreVars>(clusterInventory(), varsOf, hosts, checkMode);
  }
  const all = (c: ReturnType<typeof cluster>) => Promise.all(MASTERS.map((h) => converge(task, c.ctx(h)).then(() => undefined, (e: Error) => e)));
  /** Index in the cluster-wide order of the first (or last) run of `host` whose label matches. */
  const at = (c: ReturnType<typeof cluster>, host: string, label: RegExp, last = false): number => {
    const idx = c.runs.map((r, i) => (r.host === host && label.test(r.options.label ?? '') ? i : -1)).filter((i) => i >= 0);
    return (last ? idx.at(-1) : idx[0]) ?? -1;
  };

  it('restores every master in step: all stopped before any restores, all restored before any starts', async () => {
    // master1 checks out its copy late, master3's control plane takes a probe more to stop, master2
    // restores late: the others wait for them.
    const c = cluster({ slow: { master1: 'etcd_snapshot status', master2: 'etcd_snapshot restore' }, running: { master3: 1 } });
    const errors = await all(c);
    expect(errors).to.deep.equal([undefined, undefined, undefined]);
    const stop = MASTERS.map((h) => at(c, h, /^control plane stopped\?$/, true));
    const restore = MASTERS.map((h) => at(c, h, /^etcdctl snapshot restore$/));
    const swap = MASTERS.map((h) => at(c, h, /^set the old etcd data aside/));
    const copied = MASTERS.map((h) => at(c, h, /^etcdctl snapshot status$/));
    for (const i of [...stop, ...restore, ...swap, ...copied]) expect(i).to.be.greaterThan(-1);
    expect(Math.max(...copied)).to.be.lessThan(Math.min(...stop));
    expect(Math.max(...stop)).to.be.lessThan(Math.min(...restore));
    expect(Math.max(...restore)).to.be.lessThan(Math.min(...swap));
    const m2 = c.scripts('master2');
    const restoreScript = m2.find((s) => s.includes('etcd_snapshot restore'))!;
    expect(restoreScript).to.match(/--name master2 --initial-cluster master1=https:\/\/10.0.0.21:2380,master2=https:\/\/10.0.0.22:2380,master3=https:\/\/10.0.0.23:2380 --initial-cluster-token play-etcd-restore-\d{8}T\d{6}Z --initial-advertise-peer-urls https:\/\/10.0.0.22:2380 --data-dir \/var\/lib\/etcd.play-restore-\d{8}T\d{6}Z$/);
    const token = /--initial-cluster-token (\S+)/.exec(restoreScript)![1];
    for (const h of MASTERS) expect(c.scripts(h).find((s) => s.includes('etcd_snapshot restore'))).to.include(`--initial-cluster-token ${token}`);
    expect(m2.find((s) => s.includes('.before-restore-'))).to.match(/mv -- \/var\/lib\/etcd\/member \/var\/lib\/etcd.before-restore-\d{8}T\d{6}Z\/member/);
    expect(m2.at(-1)).to.equal(`rm -rf -- ${HOST_DIR}`);
    expect(c.scripts('worker1')).to.deep.equal([]);
  }).timeout(10_000);

  it('copies the snapshot on stdin only, into a 0600 file in a 0700 folder, in commands that are never shown', async () => {
    const c = cluster();
    await all(c);
    const b64 = fixture('small.db').toString('base64');
    const carrying = c.runs.filter((r) => r.script.includes(b64.slice(0, 64)));
    expect(carrying.map((r) => r.host)).to.deep.equal([...MASTERS]);
    for (const r of carrying) expect(r.options).to.include({ secret: true, label: 'copy the snapshot' });
    const m1 = c.scripts('master1');
    expect(m1.some((s) => s.startsWith('umask 077') && s.includes(`mkdir -m 700 -- ${HOST_DIR}`))).to.equal(true);
    expect(m1.some((s) => s.includes('chmod 600 -- /var/lib/play-etcd-restore/snapshot.db'))).to.equal(true);
  });

  it('does nothing, and says why, while etcd has quorum', async () => {
    const c = cluster({ healthy: ['master2'] });
    const changes = await Promise.all(MASTERS.map((h) => converge(task, c.ctx(h))));
    for (const ch of changes) expect(ch).to.include({ waitOnly: true, summary: 'etcd has quorum (1 of 3 members healthy: master2): not restored, a restore would throw away everything written since the snapshot (-e etcd_restore_force=true restores over it)' });
    for (const h of MASTERS) expect(c.scripts(h).every((s) => s.includes(`${MARK} health`))).to.equal(true);
  });

  it('restores over a healthy etcd with etcd_restore_force', async () => {
    const c = cluster({ healthy: [...MASTERS] }, { etcd_restore_force: true });
    expect(await all(c)).to.deep.equal([undefined, undefined, undefined]);
    expect(c.scripts('master3').some((s) => s.includes('etcd_snapshot restore'))).to.equal(true);
  });

  it('--check says which masters and what the snapshot holds, and runs nothing but the probes', async () => {
    const c = cluster({}, {}, true);
    const change = await task.check(c.ctx('master1'));
    expect(change?.summary).to.match(/^etcd has lost its quorum \(master1: .*\); restore master1 of master1, master2, master3 from the snapshot \(revision 6, 9 keys, 20512 bytes, sha256 [0-9a-f]{12}…\) with --initial-cluster master1=https:\/\/10.0.0.21:2380,master2=https:\/\/10.0.0.22:2380,master3=https:\/\/10.0.0.23:2380; its data before the restore goes to \/var\/lib\/etcd.before-restore-\d{8}T\d{6}Z$/);
    for (const h of MASTERS) expect(c.scripts(h)).to.have.length(1);
  });

  it('a failed restore on one master puts every master back as it was, and removes the snapshot everywhere', async () => {
    const c = cluster({ fail: { host: 'master2', step: 'etcd_snapshot restore' } });
    const errors = await all(c);
    expect(errors[1]?.message).to.match(/etcdctl snapshot restore failed|Error: etcd_snapshot restore failed/);
    expect(errors[1]?.message).to.include('nothing changed on master2: its etcd data was not touched and its control-plane manifests are back in /etc/kubernetes/manifests');
    expect(errors[0]?.message).to.match(/^master2 failed before the etcd members were all restored/);
    for (const h of MASTERS) {
      const s = c.scripts(h);
      expect(s.some((x) => x.includes('.before-restore-')), `${h} swapped`).to.equal(false);
      expect(s.at(-2), h).to.match(/^rm -rf -- \/var\/lib\/etcd.play-restore-\d{8}T\d{6}Z; umask 077 && mkdir -p -m 700 -- \/etc\/kubernetes\/manifests && for p in etcd kube-apiserver kube-controller-manager kube-scheduler; do if \[ -f \/etc\/kubernetes\/manifests-etcd-restore\/\$p.yaml \]/);
      expect(s.at(-1), h).to.equal(`rm -rf -- ${HOST_DIR}`);
    }
  });

  it('a snapshot that changed on its way to one master stops everything before any master is stopped', async () => {
    const c = cluster({ tamper: 'master3' });
    const errors = await all(c);
    expect(errors[2]?.message).to.match(/^the snapshot changed on its way to master3 \(sha256 differs\)/);
    for (const h of MASTERS) {
      expect(at(c, h, /^move the control-plane manifests to/), h).to.equal(-1);
      expect(c.scripts(h).at(-1)).to.equal(`rm -rf -- ${HOST_DIR}`);
    }
  });

  it('a failure after the swap says how to get back to the old data', async () => {
    const c = cluster({ fail: { host: 'master1', step: 'endpoint health' } }, { etcd_restore_timeout: 10 });
    const errors = await all(c);
    expect(errors[0]?.message).to.include('the restored data is in place on master1; to go back to the data etcd had before the restore, on every master:');
    expect(errors[0]?.message).to.match(/mv \/var\/lib\/etcd.before-restore-\d{8}T\d{6}Z\/member \/var\/lib\/etcd\/member/);
  }).timeout(20_000);

  it('refuses a master without kubeadm manifests before any change', async () => {
    const c = cluster();
    const hosts = c.hosts as Record<string, { run: (s: string) => Promise<ExecResult> }>;
    const original = hosts['master3']!.run;
    hosts['master3'] = { ...hosts['master3']!, run: async (s) => (s.includes(`${MARK} health`) ? ok(probeOutput('master3', false).replace(`${MARK} etcd in-place`, `${MARK} etcd missing`).replace(/--name=master3/, '')) : original(s)) };
    const err = await task.check(c.ctx('master1')).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal('refused before any change: master3 has no etcd.yaml in /etc/kubernetes/manifests (nor in /etc/kubernetes/manifests-etcd-restore): not a kubeadm control plane; run site.yml first');
  });

  it('refuses before any change when a master has no etcdctl', async () => {
    const c = cluster();
    const hosts = c.hosts as Record<string, { run: (s: string) => Promise<ExecResult> }>;
    const original = hosts['master2']!.run;
    hosts['master2'] = { ...hosts['master2']!, run: async (s) => (s.includes(`${MARK} health`) ? ok(probeOutput('master2', false).replace(`${MARK} exit 1`, `${MARK} exit 127`)) : original(s)) };
    const err = await task.check(c.ctx('master1')).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal("refused before any change: no etcdctl on master2 (install Debian's etcd-client on the masters)");
  });

  it('under a refusal, warns about manifests an interrupted restore left aside', async () => {
    const c = cluster({ healthy: ['master1', 'master3'] });
    const hosts = c.hosts as Record<string, { run: (s: string) => Promise<ExecResult> }>;
    const original = hosts['master2']!.run;
    hosts['master2'] = { ...hosts['master2']!, run: async (s) => (s.includes(`${MARK} health`) ? ok(probeOutput('master2', false, 'staged')) : original(s)) };
    const changes = await Promise.all(MASTERS.map((h) => task.check(c.ctx(h))));
    expect(changes.every((ch) => ch?.waitOnly)).to.equal(true);
    expect(c.warnings).to.deep.equal(['master2: control-plane manifests are still in /etc/kubernetes/manifests-etcd-restore (an interrupted restore): move them back to /etc/kubernetes/manifests to start those pods again']);
  });

  it('through the CLI: no snapshot, or no such file, is exit 2 naming the playbook line and the key, no host contacted', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\necho "$@" >> ${join(dir, 'ssh-called')}\nexit 255\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env['PATH']}` };
    const missing = join(dir, 'no-such-snapshot.db');
    const cases = [[[], /says which snapshot to restore: pass -e snapshot=FILE/], [['-e', `snapshot=${missing}`], /names no file on the controller/]] as const;
    const runs = await Promise.all(cases.map(([extra]) => runPlay(['etcd-restore.yml', '-i', 'inventories/lab', ...extra], { cwd: REPO_ROOT, env })));
    for (const [i, [, why]] of cases.entries()) {
      const run = runs[i]!;
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stdout + run.stderr).to.match(/playbooks\/etcd-restore\.yml:\d+: key 'etcd_restore_snapshot': /);
      expect(run.stdout + run.stderr).to.match(why);
      expect(run.stdout + run.stderr).not.to.include(missing);
    }
    expect(existsSync(join(dir, 'ssh-called')), 'ssh was called').to.equal(false);
  }).timeout(120_000);

  describe('bad input: refused before any host is contacted, the value never echoed', () => {
    const resolve = (value: unknown, pattern = K8S) => () => resolveRole(etcdRestore, clusterInventory(), pattern, { [SNAPSHOT_KEY]: value });
    it('no snapshot', () => {
      expectVarsError(resolve(''), SNAPSHOT_KEY, '-e', /pass -e snapshot=FILE/);
    });
    it('a missing, empty, unreadable or non-file snapshot', () => {
      const missing = join(dir, 'nope.db');
      expect(expectVarsError(resolve(missing), SNAPSHOT_KEY, '-e', /names no file on the controller/)).not.to.include(missing);
      writeFileSync(join(dir, 'empty.db'), '');
      expectVarsError(resolve(join(dir, 'empty.db')), SNAPSHOT_KEY, '-e', /names an empty file/);
      mkdirSync(join(dir, 'folder.db'));
      expectVarsError(resolve(join(dir, 'folder.db')), SNAPSHOT_KEY, '-e', /names no regular file/);
    });
    it('a play limited to some masters', () => {
      expectVarsError(resolve(snapshot, 'master1:master2'), 'masters', '--limit', /leaves out master3: an etcd restore runs on every master/);
    });
  });
});
