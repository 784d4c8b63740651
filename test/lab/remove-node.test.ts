// Issue 15 item 2 on the lab: playbooks/remove-node.yml takes a worker and a control plane out of
// a built cluster (the node is gone from `kubectl get nodes`, a control plane's etcd member too,
// the host is reset; a second run changes nothing), and after the hosts are deleted from the
// inventory the next site.yml run changes only the load balancers, /etc/hosts and the masters'
// SSH trust that named them.
//
// State: runs on the cluster upgrade.test leaves (or builds it with inventories/lab); leaves
// master3 and worker2 reset and out of the cluster, and the LB layer without them: cluster.test,
// next, resets every node and builds the whole cluster again.
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/run-play.js';
import { expectEtcdMembers } from './etcd-helpers.js';
import { describeLab } from './harness.js';
import { changedByHost, playJson, playOutput, sh } from './lb-helpers.js';

const INVENTORY = 'inventories/lab';
const MASTERS = ['master1', 'master2', 'master3'];

async function nodeNames(): Promise<string[]> {
  return (await sh('master1', 'kubectl get nodes -o name')).split('\n').filter(Boolean).map((n) => n.replace(/^node\//, '')).sort();
}

async function removeNode(node: string): Promise<{ changed: number; out: string }> {
  const { run, doc } = await playJson(`remove-node.yml -e node=${node}`, ['remove-node.yml', '-i', INVENTORY, '-e', `node=${node}`]);
  expect(run.code, playOutput(run)).to.equal(0);
  return { changed: Object.values(doc.hosts).reduce((n, h) => n + (h.stats.changed ?? 0), 0), out: run.stdout };
}

/** inventories/lab without some hosts (its group_vars copied along). */
function inventoryWithout(hosts: readonly string[]): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'play-remove-inv-'));
  cpSync(join(REPO_ROOT, INVENTORY, 'group_vars'), join(dir, 'group_vars'), { recursive: true });
  const ini = readFileSync(join(REPO_ROOT, INVENTORY, 'hosts'), 'utf8')
    .split('\n')
    .filter((line) => !hosts.some((h) => line.startsWith(`${h} `)))
    .join('\n');
  writeFileSync(join(dir, 'hosts'), ini);
  return { path: dir, dir };
}

describeLab('issue 15: remove-node.yml takes a node out of the cluster', function () {
  this.timeout(1_200_000);

  before(async function () {
    this.timeout(900_000);
    for (const m of MASTERS) await sh(m, 'systemctl stop fake-apiserver 2>/dev/null; systemctl reset-failed fake-apiserver 2>/dev/null; true');
    const { run } = await playJson('remove-node: the cluster to start from (site.yml)', ['site.yml', '-i', INVENTORY]);
    expect(run.code, playOutput(run)).to.equal(0);
    expect(await nodeNames()).to.deep.equal(['master1', 'master2', 'master3', 'worker1', 'worker2']);
  });

  it('removes worker2: gone from kubectl get nodes, its host reset; a second run changes nothing', async () => {
    await removeNode('worker2');
    expect(await nodeNames()).to.deep.equal(['master1', 'master2', 'master3', 'worker1']);
    expect(await sh('worker2', 'ls /etc/kubernetes/kubelet.conf 2>&1 || true')).to.match(/No such file/);
    const again = await removeNode('worker2');
    expect(again.changed, again.out).to.equal(0);
  });

  it('removes master3: gone from the nodes and from etcd\'s members (seen from every master that stays)', async () => {
    await expectEtcdMembers(MASTERS);
    await removeNode('master3');
    expect(await nodeNames()).to.deep.equal(['master1', 'master2', 'worker1']);
    await expectEtcdMembers(['master1', 'master2']);
    expect(await sh('master3', 'ls /etc/kubernetes/manifests 2>&1 || true')).to.match(/No such file/);
  });

  it('after deleting them from the inventory, site.yml changes only the LB, /etc/hosts and the trust entries that named them', async () => {
    const reduced = inventoryWithout(['master3', 'worker2']);
    try {
      const { run, doc } = await playJson('site.yml without master3 and worker2', ['site.yml', '-i', reduced.path]);
      expect(run.code, playOutput(run)).to.equal(0);
      const changed = Object.entries(changedByHost(doc)).flatMap(([host, tasks]) => tasks.map((t) => `${host}: ${t}`));
      const allowed = /^(lb\d|master\d|worker\d): (haproxy|keepalived|common|ssh-trust) : /;
      expect(changed.filter((c) => !allowed.test(c)), changed.join('\n')).to.deep.equal([]);
      expect(changed.some((c) => c.includes('haproxy')), changed.join('\n')).to.equal(true);
      expect(changed.some((c) => c.includes('ssh-trust')), changed.join('\n')).to.equal(true);
      expect(await sh('lb1', 'cat /etc/haproxy/haproxy.cfg')).to.not.match(/172\.29\.10\.23/);
      expect(await sh('master1', 'cat /etc/hosts')).to.not.match(/\bworker2\b|\bmaster3\b/);
      const master3Key = (await sh('master3', 'cat /root/.ssh/id_ed25519.pub 2>/dev/null || true')).trim().split(' ')[1] ?? 'no key';
      expect(await sh('master1', 'cat /root/.ssh/authorized_keys')).to.not.contain(master3Key);
      const { run: again, doc: second } = await playJson('site.yml without master3 and worker2, again', ['site.yml', '-i', reduced.path]);
      expect(again.code, playOutput(again)).to.equal(0);
      expect(Object.values(second.hosts).every((h) => (h.stats.changed ?? 0) === 0), playOutput(again)).to.equal(true);
    } finally {
      rmSync(reduced.dir, { recursive: true, force: true });
    }
  });
});
