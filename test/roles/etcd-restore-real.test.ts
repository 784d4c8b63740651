/**
 * The restore's etcd commands against Debian's real etcd (the binary test/standins' etcd store
 * test uses; skipped loudly without it, a failure under CI): three members restored from the
 * snapshot fixture with restoreCommand (its --name, the same --initial-cluster and token), then
 * started as kubeadm's static pods start them (their manifests' own --initial-cluster and
 * --initial-cluster-state=existing, which a restored data dir makes etcd ignore) on loopback. They
 * form one healthy cluster of exactly those members holding the snapshot's keys, and
 * statusCommand reads the snapshot as the controller's reader does. No lab host is touched.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreCommand, statusCommand, initialCluster, memberNames } from '../../roles/etcd-restore/plan.js';
import { readSnapshotStatus } from '../../roles/etcd-restore/bbolt.js';
import { findEtcdDir, LOOPBACK as HOST, unusedPort } from '../helpers/real-etcd.js';
import { requirePrerequisite } from '../helpers/skip.js';
import { REPO_ROOT } from '../helpers/run-play.js';

describe('etcd restore: the commands against the real etcd (three members on loopback)', function () {
  this.timeout(120_000);
  const etcdDir = findEtcdDir();
  let work: string;
  const children: ChildProcess[] = [];
  const sh = (script: string) => spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${etcdDir}:${process.env['PATH']}` } });

  before(function () {
    requirePrerequisite(this, etcdDir ? undefined : "no etcd and etcdctl (.ci/run extracts bookworm's etcd-server and etcd-client into /var/cache/play-lab/etcd; or set PLAY_ETCD_BIN)");
    work = mkdtempSync(join(tmpdir(), 'play-etcd-restore-real-'));
  });
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('restored members form one healthy cluster of exactly themselves, holding the snapshot\'s keys', async () => {
    const snapshot = join(work, 'snapshot.db');
    writeFileSync(snapshot, readFileSync(join(REPO_ROOT, 'test/fixtures/etcd-snapshots/small.db')), { mode: 0o600 });
    const status = sh(statusCommand(snapshot));
    expect(status.status, status.stderr).to.equal(0);
    const fromEtcdctl = JSON.parse(status.stdout) as { revision: number; totalKey: number };
    expect(readSnapshotStatus(readFileSync(snapshot))).to.include({ revision: fromEtcdctl.revision, totalKey: fromEtcdctl.totalKey });

    const members: { name: string; peerUrl: string; clientUrl: string; dataDir: string }[] = [];
    for (const name of ['master1', 'master2', 'master3']) {
      const [peer, client] = [await unusedPort(), await unusedPort()];
      members.push({ name, peerUrl: `http://${HOST}:${peer}`, clientUrl: `http://${HOST}:${client}`, dataDir: join(work, name) });
    }
    const cluster = initialCluster(members);
    for (const m of members) {
      const restored = sh(restoreCommand(snapshot, m, cluster, 'play-etcd-restore-20261206T000000Z', `${m.dataDir}.play-restore`) + ` && mkdir -m 700 ${m.dataDir} && mv ${m.dataDir}.play-restore/member ${m.dataDir}/member`);
      expect(restored.status, restored.stderr).to.equal(0);
    }
    for (const m of members) {
      // As kubeadm's etcd.yaml of a joined member: its own idea of the cluster, state existing.
      const child = spawn(join(etcdDir!, 'etcd'), [
        `--name=${m.name}`, `--data-dir=${m.dataDir}`, `--listen-client-urls=${m.clientUrl}`, `--advertise-client-urls=${m.clientUrl}`,
        `--listen-peer-urls=${m.peerUrl}`, `--initial-advertise-peer-urls=${m.peerUrl}`, `--initial-cluster=master1=${members[0]!.peerUrl},${m.name}=${m.peerUrl}`,
        '--initial-cluster-state=existing',
      ], { stdio: ['ignore', 'ignore', openSync(join(work, `${m.name}.log`), 'w')] });
      children.push(child);
    }
    const endpoints = members.map((m) => m.clientUrl).join(',');
    const etcdctl = `ETCDCTL_API=3 etcdctl --dial-timeout=1s --command-timeout=2s --endpoints ${endpoints}`;
    let health = sh(`${etcdctl} endpoint health`);
    for (const deadline = Date.now() + 45_000; health.status !== 0 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 500));
      health = sh(`${etcdctl} endpoint health`);
    }
    const logs = () => members.map((m) => `${m.name}: ${readFileSync(join(work, `${m.name}.log`), 'utf8').trim().split('\n').slice(-3).join('\n')}`).join('\n');
    expect(health.status, `${health.stdout}${health.stderr}\n${logs()}`).to.equal(0);
    const list = sh(`${etcdctl} member list`);
    expect(memberNames(list.stdout).sort(), list.stdout).to.deep.equal(['master1', 'master2', 'master3']);
    const got = sh(`${etcdctl} get /registry/configmaps/default/k3 --print-value-only`);
    expect(got.stdout.trim(), got.stderr).to.equal('v3');
    const keys = sh(`${etcdctl} get /registry --prefix --keys-only`);
    expect(keys.stdout.split('\n').filter(Boolean)).to.have.length(5);
  });
});
