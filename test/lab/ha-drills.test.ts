// Issue 16 item 2 on the lab, the dedicated topology (inventories/lab: VIP .10 on the LB pair):
// HA drills with their figures printed as [measure] lines (never asserted: the bench measures).
//   - the LB holding the VIP goes, by a clean poweroff and by a power cut (drill-helpers.ts): the
//     VIP moves to the other LB, `kubectl get nodes` and a `kubectl apply` through the endpoint
//     succeed again (figures: seconds from the power-off); once it is back, a site.yml run
//     changes nothing;
//   - a master's etcd data removed (kubelet and etcd stopped, /var/lib/etcd emptied):
//     remove-node.yml and site.yml bring the member back (figure: the recovery's seconds);
//   - two of three masters down: a write through master1 fails with etcd's error, a read too (the
//     stand-in apiserver keeps its objects in the stacked etcd, as the real one: checked first);
//     once both are back, writes succeed again (figure) and site.yml changes nothing.
// The stacked topology's drill is ha-drills-stacked.test.ts.
//
// State: runs on the cluster etcd-restore.test leaves (or builds it with inventories/lab when the
// cluster is not all there) and leaves it built, every host powered on, master3 re-joined.
import { expect } from 'chai';
import { expectReady, nodes } from './cluster-helpers.js';
import { ETCDCTL, expectEtcdMembers } from './etcd-helpers.js';
import { describeLab } from './harness.js';
import { LAB, labStartHost, labStopHost } from './lab.js';
import { changedByHost, measure, playJson, playOutput, pollUntil, sh } from './lb-helpers.js';
import { applyConfigMap, DRILL_BOUND_MS, expectNoChange, healthyEndpoints, powerOffVipHolder, powerOnAndWaitHome, printFailover, site, WRITE_PROBE } from './drill-helpers.js';

const INVENTORY = 'inventories/lab';
const LB = ['lb1', 'lb2'];
const MASTERS = ['master1', 'master2', 'master3'];
const NODES = [...MASTERS, 'worker1', 'worker2'];
/**
 * What the real kube-apiserver answers when its etcd lost quorum: etcd's own errors passed on, or
 * its request timeout (504) when etcd never answers.
 */
const NO_QUORUM = /etcdserver: (no leader|request timed out|leader changed)|context deadline exceeded|unable to return a response in the time allotted/;
/** master1's own apiserver (its certificate names its advertise address). */
const MASTER1_API = 'https://172.29.10.21:6443';
/** The LB that holds the VIP while both are up (priority 150: the first of the lb group). */
const HOME = 'lb1';

/** Is the whole cluster there (every node Ready, three etcd members)? Else build it. */
async function ensureCluster(): Promise<void> {
  try {
    await expectReady(NODES, 'containerd://');
    await expectEtcdMembers(MASTERS);
  } catch (err) {
    console.log(`      [info] building the cluster first: ${(err as Error).message.split('\n')[0]}`);
    await site(INVENTORY, 'ha-drills: the cluster to drill (site.yml)');
  }
}

/** Does the apiserver keep the cluster's objects in etcd (keys under /registry)? */
async function apiserverStoresInEtcd(): Promise<boolean> {
  const keys = await sh('master1', `${ETCDCTL} get /registry/ --prefix --keys-only --limit 1 2>/dev/null || true`);
  return keys.trim() !== '';
}

describeLab('issue 16: HA drills, dedicated load balancers (inventories/lab)', function () {
  this.timeout(1_200_000);

  before(async function () {
    this.timeout(900_000);
    await ensureCluster();
  });

  for (const how of ['poweroff', 'cut'] as const) {
    it(`the LB holding the VIP goes (${how}): the VIP moves, reads and writes through it succeed again; back on, site.yml changes nothing`, async () => {
      const drill = await powerOffVipHolder(LB, LAB.vip, how, () => 'master1');
      try {
        printFailover('dedicated', drill);
        expect(drill.holder).to.equal(HOME);
        expect(drill.newHolder).to.equal('lb2');
      } finally {
        await powerOnAndWaitHome(drill.holder, LB, LAB.vip, HOME);
      }
      await expectNoChange(INVENTORY, `site.yml after the LB is back (${how})`);
    });
  }

  it("a master's etcd data removed: remove-node.yml and site.yml bring the member back", async () => {
    const victim = 'master3';
    const victimUrl = 'https://172.29.10.23:2379';
    expect((await healthyEndpoints('master1', ETCDCTL)).healthy).to.include(victimUrl);
    await sh(victim, 'systemctl stop kubelet && systemctl stop etcd-standin && rm -rf /var/lib/etcd/member && ls -A /var/lib/etcd');
    const broken = await healthyEndpoints('master1', ETCDCTL);
    expect(broken.healthy, broken.text).to.not.include(victimUrl);
    expect(broken.healthy, broken.text).to.have.length(2);
    const started = Date.now();
    const removed = await playJson(`remove-node.yml -e node=${victim}`, ['remove-node.yml', '-i', INVENTORY, '-e', `node=${victim}`]);
    expect(removed.run.code, playOutput(removed.run)).to.equal(0);
    await expectEtcdMembers(['master1', 'master2']);
    const readded = await site(INVENTORY, `site.yml re-adds ${victim}`);
    measure(`etcd member of ${victim} back (remove-node.yml + site.yml)`, (Date.now() - started) / 1000, 's');
    expect(changedByHost(readded.doc)[victim]).to.include('kubeadm : Join the cluster');
    await expectEtcdMembers(MASTERS);
    const health = await healthyEndpoints('master2', ETCDCTL);
    expect(health.healthy, health.text).to.have.length(3);
    expect((await nodes()).find((n) => n.name === victim)?.ready, `${victim} Ready`).to.equal(true);
    expect((await sh(victim, WRITE_PROBE)).trim(), 'a write through the endpoint from the re-added master').to.equal('ok');
  });

  it('two of three masters down: writes fail with etcd\'s error, reads as the real apiserver answers them; back up, site.yml changes nothing', async function () {
    expect(await apiserverStoresInEtcd(), 'the stand-in apiserver keeps its objects in the stacked etcd (keys under /registry/)').to.equal(true);
    const down = ['master2', 'master3'];
    for (const m of down) await labStopHost(m);
    try {
      // Straight to master1's apiserver: through the endpoint, the answer would depend on whether
      // haproxy's health check (its /healthz fails without quorum) has taken it out yet (an EOF).
      // The real apiserver gives up on etcd after its 60 s request timeout: kubectl may wait that long.
      const tried = Date.now();
      const write = await sh('master1', `${applyConfigMap(90, MASTER1_API)} 2>&1; echo "exit $?"`);
      measure('a write without etcd quorum fails after', (Date.now() - tried) / 1000, 's');
      expect(write, 'a write without etcd quorum').to.not.match(/exit 0\s*$/);
      expect(write, `a write without etcd quorum answered: ${write}`).to.match(NO_QUORUM);
      // The real apiserver's list is a quorum read too: it fails the same way, it does not answer stale data.
      const read = await sh('master1', `timeout 90 kubectl --server ${MASTER1_API} get nodes 2>&1; echo "exit $?"`);
      expect(read, `a read without etcd quorum answered: ${read}`).to.match(NO_QUORUM);
    } finally {
      for (const m of down) await labStartHost(m);
    }
    const { ms } = await pollUntil('a write once both masters are back', async () => ((await sh('master1', WRITE_PROBE)).trim() === 'ok' ? true : undefined), {
      timeoutMs: DRILL_BOUND_MS,
      intervalMs: 500,
    });
    measure('writes back after two masters booted again', ms / 1000, 's');
    // quorum (two members) is back before the last member to boot serves: wait for all three
    const all = await pollUntil('every master\'s etcd member healthy again', async () => {
      const health = await healthyEndpoints('master1', ETCDCTL);
      return health.healthy.length === MASTERS.length ? true : undefined;
    }, { timeoutMs: DRILL_BOUND_MS, intervalMs: 1000 });
    measure('every etcd member healthy after two masters booted again', (ms + all.ms) / 1000, 's');
    await expectEtcdMembers(MASTERS);
    await expectNoChange(INVENTORY, 'site.yml after quorum is back');
  });
});
