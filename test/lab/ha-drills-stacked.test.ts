// Issue 16 item 2 on the lab, the stacked topology (inventories/lab-stacked: keepalived and
// haproxy on the three masters, VIP .9, endpoint port 8443): site.yml builds that cluster, the
// master holding the VIP (with its apiserver and etcd member) is powered off while another master
// reads and writes through the endpoint; the figures are printed as [measure] lines, never
// asserted. The VIP must move to another master, reads and writes succeed again, and once the
// master is back a site.yml run changes nothing. The dedicated topology's drills are in
// ha-drills.test.ts.
//
// State: runs after cluster.test, which ends with every node reset (a node still joined to some
// cluster is reset first), and ends with reset.yml on the stacked site and the masters'
// keepalived and haproxy stopped and disabled, as lb.test leaves them: become.test, next, builds
// the dedicated cluster from there.
import { expect } from 'chai';
import { expectReady } from './cluster-helpers.js';
import { expectEtcdMembers } from './etcd-helpers.js';
import { describeLab } from './harness.js';
import { labSsh } from './lab.js';
import { playJson, playOutput, shAll } from './lb-helpers.js';
import { expectNoChange, powerOffVipHolder, powerOnAndWaitHome, printFailover, site } from './drill-helpers.js';

const INVENTORY = 'inventories/lab-stacked';
const VIP = '172.29.10.9';
const MASTERS = ['master1', 'master2', 'master3'];
const NODES = [...MASTERS, 'worker1', 'worker2'];
/** The master holding the VIP while all are up (priority 150: the first of the lb group). */
const HOME = 'master1';

async function resetStacked(): Promise<void> {
  const { run } = await playJson('reset.yml (stacked site)', ['reset.yml', '-i', INVENTORY, '-e', 'reset_confirm=yes']);
  expect(run.code, playOutput(run)).to.equal(0);
}

/** Is any node still joined to a cluster (a kubelet.conf left)? */
async function anyNodeJoined(): Promise<boolean> {
  const found = await Promise.all(NODES.map(async (h) => (await labSsh(h, 'test -e /etc/kubernetes/kubelet.conf')).code === 0));
  return found.some(Boolean);
}

describeLab('issue 16: HA drill, load balancers stacked on the masters (inventories/lab-stacked)', function () {
  this.timeout(1_200_000);

  before(async function () {
    this.timeout(900_000);
    // lb.test's fake apiserver would hold 6443 (a standalone run after it).
    await shAll(MASTERS, 'systemctl stop fake-apiserver 2>/dev/null; systemctl reset-failed fake-apiserver 2>/dev/null; true');
    if (await anyNodeJoined()) await resetStacked();
    await site(INVENTORY, 'site.yml builds the stacked cluster');
    await expectReady(NODES, 'containerd://');
    await expectEtcdMembers(MASTERS);
  });

  after(async function () {
    this.timeout(300_000);
    await resetStacked();
    await shAll(MASTERS, 'systemctl disable --now keepalived haproxy 2>/dev/null; true');
  });

  for (const how of ['poweroff', 'cut'] as const) {
    it(`the master holding the VIP goes (${how}): the VIP moves to another master, reads and writes through it succeed again; back on, site.yml changes nothing`, async () => {
      const drill = await powerOffVipHolder(MASTERS, VIP, how, (holder) => MASTERS.find((m) => m !== holder)!);
      try {
        printFailover('stacked', drill);
        expect(drill.holder).to.equal(HOME);
        expect(MASTERS.filter((m) => m !== HOME)).to.include(drill.newHolder);
      } finally {
        await powerOnAndWaitHome(drill.holder, MASTERS, VIP, HOME);
      }
      await expectEtcdMembers(MASTERS);
      await expectNoChange(INVENTORY, `site.yml (stacked) after the master is back (${how})`);
    });
  }
});
