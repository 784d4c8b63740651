// Issue 15 item 1 on the lab: a new kubernetes_version is a rolling upgrade by re-running
// site.yml. Built at 1.30.5 from reset hosts, then: 1.32.3 (a skipped minor) refused before any
// host changes; 1.31.14 rolled through (every control plane before any kubelet, one node
// unschedulable at a time, sampled), a second run changes nothing; 1.30.5 (a downgrade)
// refused; 1.32.3 with worker2 powered off half-way: reported unreachable, and once it is back
// the next run finishes worker2 without touching the nodes already done. kubectl moves with the
// kubelet: the stand-in of 1.30.5 and 1.31.14, then at 1.32.3 the real client (Debian's build,
// issue 16 item 4), which drives the last upgrade's cordons and drains of the nodes after master1.
//
// State: starts with reset.yml on inventories/lab's nodes (a fake apiserver of lb.test stopped
// first) and leaves the cluster built at 1.32.3 (inventories/lab's version); cluster.test, next,
// resets it.
import { expect } from 'chai';
import type { JsonReportDoc } from '../helpers/run-play.js';
import { describeLab } from './harness.js';
import { labStartHost, labStopHost } from './lab.js';
import { changedByHost, measure, playJson, playOutput, pollUntil, sh, sleep } from './lb-helpers.js';

const INVENTORY = 'inventories/lab';
const MASTERS = ['master1', 'master2', 'master3'];
const WORKERS = ['worker1', 'worker2'];
const NODES = [...MASTERS, ...WORKERS];
const MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';

interface NodeRow {
  name: string;
  kubelet: string;
  ready: boolean;
  unschedulable: boolean;
}

async function nodeRows(): Promise<NodeRow[]> {
  const doc = JSON.parse(await sh('master1', 'kubectl get nodes -o json')) as {
    items: Array<{ metadata: { name: string }; spec?: { unschedulable?: boolean }; status: { nodeInfo: { kubeletVersion: string }; conditions: Array<{ type: string; status: string }> } }>;
  };
  return doc.items.map((n) => ({
    name: n.metadata.name,
    kubelet: n.status.nodeInfo.kubeletVersion,
    ready: n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    unschedulable: n.spec?.unschedulable === true,
  }));
}

async function site(label: string, version: string, extra: string[] = []): Promise<{ code: number; doc: JsonReportDoc; out: string }> {
  const { run, doc } = await playJson(label, ['site.yml', '-i', INVENTORY, '-e', `kubernetes_version=${version}`, ...extra]);
  return { code: run.code, doc, out: `${run.stdout}\n${run.stderr}` + `\n${playOutput(run)}` };
}

const controlPlaneVersion = async (m: string): Promise<string> => (await sh(m, `sed -n 's/^ *image: .*kube-apiserver:\\(v[0-9.]*\\).*/\\1/p' ${MANIFEST}`)).trim();
/** Epoch seconds of the last time dpkg moved kubelet on a node (its /var/log/dpkg.log). */
const kubeletMovedAt = async (h: string): Promise<number> =>
  Number((await sh(h, "d=$(grep ' upgrade kubelet:' /var/log/dpkg.log | tail -1 | cut -c1-19); date -d \"$d\" +%s")).trim());
/** What a finished node must not see again: its dpkg log length and its manifests' times. */
const marks = async (h: string): Promise<string> => (await sh(h, 'wc -l < /var/log/dpkg.log; stat -c %Y /etc/kubernetes/manifests/*.yaml 2>/dev/null || true')).trim();

/** Samples `kubectl get nodes` every 300 ms while `run` goes; returns the most nodes ever unschedulable at once. */
async function sampleCordons<T>(run: Promise<T>): Promise<{ result: T; max: number; samples: number; cordonedSamples: number }> {
  let done = false;
  let max = 0;
  let samples = 0;
  let cordonedSamples = 0;
  const sampler = (async () => {
    while (!done) {
      try {
        const cordoned = (await nodeRows()).filter((n) => n.unschedulable).length;
        samples++;
        if (cordoned > 0) cordonedSamples++;
        max = Math.max(max, cordoned);
      } catch {
        // an apiserver restarting under the VIP: the next sample
      }
      await sleep(300);
    }
  })();
  try {
    return { result: await run, max, samples, cordonedSamples };
  } finally {
    done = true;
    await sampler;
  }
}

function expectNothingChanged(doc: JsonReportDoc): void {
  for (const [host, h] of Object.entries(doc.hosts)) expect(h.stats.changed ?? 0, `${host} changed`).to.equal(0);
}

describeLab('issue 15: a new kubernetes_version is a rolling upgrade', function () {
  this.timeout(1_800_000);

  before(async function () {
    this.timeout(600_000);
    for (const m of MASTERS) await sh(m, 'systemctl stop fake-apiserver 2>/dev/null; systemctl reset-failed fake-apiserver 2>/dev/null; true');
    const { run } = await playJson('upgrade: reset.yml (every node)', ['reset.yml', '-i', INVENTORY, '-e', 'reset_confirm=yes']);
    expect(run.code, playOutput(run)).to.equal(0);
  });

  it('builds the cluster at 1.30.5', async () => {
    const built = await site('upgrade: build at 1.30.5', '1.30.5');
    expect(built.code, built.out).to.equal(0);
    const rows = await nodeRows();
    expect(rows.map((r) => [r.name, r.kubelet, r.ready]).sort()).to.deep.equal(NODES.map((n) => [n, 'v1.30.5', true]));
  });

  it('refuses 1.32.3 (a skipped minor) before any host changes: exit 2, both versions named', async () => {
    const before = await sh('worker1', 'cat /etc/apt/sources.list.d/kubernetes.list');
    const refused = await site('upgrade: 1.30 -> 1.32 (refused)', '1.32.3');
    expect(refused.code, refused.out).to.equal(2);
    expect(refused.out).to.match(/refused before any change: kubernetes_version 1\.32\.3 skips a minor: the control plane runs 1\.30\.5/);
    expectNothingChanged(refused.doc);
    expect(await sh('worker1', 'cat /etc/apt/sources.list.d/kubernetes.list')).to.equal(before);
  });

  it('upgrades to 1.31.14: every control plane before any kubelet, one node unschedulable at a time; a second run changes nothing', async () => {
    const { result: up, max, samples, cordonedSamples } = await sampleCordons(site('upgrade: 1.30.5 -> 1.31.14', '1.31.14'));
    expect(up.code, up.out).to.equal(0);
    measure('upgrade 1.30 -> 1.31: samples of kubectl get nodes', samples);
    measure('upgrade 1.30 -> 1.31: most nodes unschedulable at once', max);
    expect(cordonedSamples, 'the sampler saw a node cordoned (else it proves nothing)').to.be.greaterThan(0);
    expect(max).to.equal(1);
    const rows = await nodeRows();
    expect(rows.map((r) => [r.name, r.kubelet, r.ready, r.unschedulable]).sort()).to.deep.equal(NODES.map((n) => [n, 'v1.31.14', true, false]));
    for (const m of MASTERS) expect(await controlPlaneVersion(m), m).to.equal('v1.31.14');
    const lastControlPlane = Math.max(...(await Promise.all(MASTERS.map(async (m) => Number((await sh(m, `stat -c %Y ${MANIFEST}`)).trim())))));
    const firstKubelet = Math.min(...(await Promise.all(NODES.map(kubeletMovedAt))));
    expect(lastControlPlane, 'the last control plane moved before the first kubelet').to.be.at.most(firstKubelet);
    for (const h of NODES) expect(await sh(h, 'apt-mark showhold kubelet kubeadm kubectl | sort | tr "\\n" " "'), h).to.equal('kubeadm kubectl kubelet ');

    const again = await site('upgrade: 1.31.14 again (no-op)', '1.31.14');
    expect(again.code, again.out).to.equal(0);
    expectNothingChanged(again.doc);
  });

  it('refuses 1.30.5 (a downgrade) before any host changes: exit 2, both versions named', async () => {
    const refused = await site('upgrade: 1.31 -> 1.30 (refused)', '1.30.5');
    expect(refused.code, refused.out).to.equal(2);
    expect(refused.out).to.match(/kubernetes_version 1\.30\.5 is older than the cluster \(the control plane on master1 runs 1\.31\.14/);
    expectNothingChanged(refused.doc);
  });

  it('upgrades to 1.32.3 with worker2 powered off half-way: unreachable, then the next run finishes only worker2', async () => {
    let settled = false;
    const run = site('upgrade: 1.31.14 -> 1.32.3, worker2 off', '1.32.3', ['-e', 'calico_ready_timeout=20', '-T', '3']).finally(() => (settled = true));
    await pollUntil('master1 control plane at v1.32.3', async () => (settled || (await controlPlaneVersion('master1')) === 'v1.32.3' ? true : undefined), { timeoutMs: 600_000, intervalMs: 1000 });
    expect(settled, 'the run was still going when master1 reached 1.32.3').to.equal(false);
    await labStopHost('worker2');
    const stopped = await run;
    expect(stopped.code, stopped.out).to.not.equal(0);
    expect(stopped.doc.hosts['worker2']!.stats.unreachable, stopped.out).to.be.greaterThan(0);
    const done = [...MASTERS, 'worker1'];
    const rows = await nodeRows();
    for (const h of done) expect(rows.find((r) => r.name === h)?.kubelet, h).to.equal('v1.32.3');
    const before = Object.fromEntries(await Promise.all(done.map(async (h) => [h, await marks(h)] as const)));

    await labStartHost('worker2');
    await pollUntil('worker2 Ready again', async () => ((await nodeRows().catch(() => [])).find((r) => r.name === 'worker2')?.ready ? true : undefined), { timeoutMs: 300_000, intervalMs: 2000 });
    const resumed = await site('upgrade: resume 1.32.3', '1.32.3');
    expect(resumed.code, resumed.out).to.equal(0);
    const changedHosts = Object.entries(changedByHost(resumed.doc)).filter(([, tasks]) => tasks.length > 0);
    expect(changedHosts.map(([h]) => h), JSON.stringify(changedHosts)).to.deep.equal(['worker2']);
    const after = Object.fromEntries(await Promise.all(done.map(async (h) => [h, await marks(h)] as const)));
    expect(after, 'the nodes already done were not touched').to.deep.equal(before);
    const final = await nodeRows();
    expect(final.map((r) => [r.name, r.kubelet, r.ready, r.unschedulable]).sort()).to.deep.equal(NODES.map((n) => [n, 'v1.32.3', true, false]));
    // kubectl moved with the kubelets: the real client on every node now (Debian's build, no stand-in left).
    for (const h of NODES) expect(await sh(h, 'kubectl version --client | head -1; grep -c "play lab stand-in" /usr/bin/kubectl || true'), h).to.equal('Client Version: v1.32.3\n0\n');
  });
});
