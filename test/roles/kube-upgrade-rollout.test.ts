/**
 * The upgrade task on every node at once, against simulated hosts whose packages, static pods,
 * cordons and Node objects change as the commands run: the order across hosts (every control
 * plane before any kubelet, masters before workers, one node cordoned at a time, or the batch),
 * and the resumption of an upgrade stopped half-way. The lab suite (test/lab/upgrade.test.ts)
 * does the same with the stand-ins on real hosts.
 */
import { expect } from 'chai';
import type { ExecResult } from '../../engine/types.js';
import kubeadm from '../../roles/kubeadm/index.js';
import { UPGRADE_MARKER } from '../../roles/kubeadm/upgrade-task.js';
import type { KubeadmVars } from '../../roles/kubeadm/vars.js';
import { APISERVER_MANIFEST, KUBE_PACKAGES } from '../../roles/kube-shared/cluster-report.js';
import { ADMIN_CONF, KUBELET_CONF } from '../../roles/kube-shared/kube-paths.js';
import { converge, fileAnswer, MISSING_FILE, type FakeHost } from './helpers/fake-cluster.js';
import { apiserverManifest, clusterInventory, dpkgAnswer, fakeCluster, NODES, resolvedVars } from './kubeadm-fixtures.js';

const OLD = '1.30.2';
const NEW = '1.30.5';
const task = kubeadm.tasks.find((t) => t.name === 'Upgrade the node to kubernetes_version')!;

interface SimHost {
  packages: Record<string, string>;
  /** The kubelet version that runs: the package's since the last restart. */
  running: string;
  controlPlane?: string;
  marker: boolean;
}

/** The simulated cluster: what every command does to the hosts, and the order things happened. */
class Sim {
  readonly events: string[] = [];
  readonly cordoned = new Set<string>();
  maxCordoned = 0;
  clusterVersion = OLD;
  readonly hosts: Record<string, SimHost>;
  /** A host whose next restart of kubelet "powers it off" (the command fails as unreachable would). */
  failRestartOn?: string;
  /** A node whose drain a PodDisruptionBudget blocks until kubectl's --timeout. */
  blockedDrain?: string;

  constructor(state: (host: string) => SimHost) {
    this.hosts = Object.fromEntries(NODES.map((h) => [h, state(h)]));
  }

  fakeHost(host: string): FakeHost {
    const sim = this;
    const facts = new Proxy({} as Record<string, string>, {
      get(_t, id: string) {
        const h = sim.hosts[host]!;
        if (id === `exists:${KUBELET_CONF}`) return 'yes\n';
        if (id === `exists:${ADMIN_CONF}`) return host.startsWith('master') ? 'yes\n' : 'no\n';
        if (id.startsWith('command:') && id.includes('get nodes -o json')) return JSON.stringify({ items: NODES.map((n) => sim.node(n)) });
        if (id === `exists:${UPGRADE_MARKER}`) return h.marker ? 'yes\n' : 'no\n';
        if (id === `file:${APISERVER_MANIFEST}`) return h.controlPlane ? fileAnswer(apiserverManifest(h.controlPlane)) : MISSING_FILE;
        if (id.startsWith('packages:')) {
          const names = id.slice('packages:'.length).split(',');
          return names.map((n) => dpkgAnswer([n], `${h.packages[n]}-1.1`)).join('');
        }
        return undefined;
      },
    });
    return { facts, run: (script) => this.run(host, script) };
  }

  node(name: string): object {
    const kubelet = this.hosts[name]!.running;
    return { metadata: { name }, spec: { unschedulable: this.cordoned.has(name) }, status: { nodeInfo: { kubeletVersion: `v${kubelet}` }, conditions: [{ type: 'Ready', status: 'True' }] } };
  }

  private run(host: string, script: string): ExecResult {
    const h = this.hosts[host]!;
    const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
    if (/apt-get|dpkg/.test(script)) {
      for (const [, name, version] of script.matchAll(/\b(kubelet|kubeadm|kubectl)=([0-9.]+)-/g)) {
        h.packages[name!] = version!;
        this.events.push(`${host}: ${name} ${version}`);
      }
      return ok();
    }
    if (script.includes('get configmap kubeadm-config')) return ok(`apiVersion: kubeadm.k8s.io/v1beta3\nkubernetesVersion: v${this.clusterVersion}\n`);
    if (script.startsWith('kubeadm upgrade plan')) return ok();
    if (script.startsWith('kubeadm upgrade apply')) {
      this.clusterVersion = /v([0-9.]+)/.exec(script)![1]!;
      h.controlPlane = this.clusterVersion;
      this.events.push(`${host}: upgrade apply`);
      return ok();
    }
    if (script.startsWith('kubeadm upgrade node')) {
      if (h.controlPlane) h.controlPlane = this.clusterVersion;
      this.events.push(`${host}: upgrade node`);
      return ok();
    }
    const node = /kubectl --kubeconfig=\S+ (cordon|uncordon|drain) '?([a-z0-9-]+)'?/.exec(script);
    if (node) {
      const [, verb, name] = node;
      if (verb === 'drain' && name === this.blockedDrain) {
        return {
          code: 1,
          stdout: `node/${name} cordoned\nevicting pod default/web-0\n`,
          stderr:
            'error when evicting pods/"web-0" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.\n' +
            `error: unable to drain node "${name}" due to error: [error when waiting for pod "web-0" in namespace "default" to terminate: global timeout reached: 10s], continuing command...\n`,
        };
      }
      if (verb === 'cordon') this.cordoned.add(name!);
      if (verb === 'uncordon') this.cordoned.delete(name!);
      this.maxCordoned = Math.max(this.maxCordoned, this.cordoned.size);
      this.events.push(`${name}: ${verb}`);
      return ok();
    }
    if (script.includes('jsonpath={.spec.unschedulable}')) return ok(this.cordoned.has(/get node '?([a-z0-9-]+)/.exec(script)![1]!) ? 'true' : '');
    const get = /get nodes '?([a-z0-9-]+)'? -o json/.exec(script);
    if (get) return ok(JSON.stringify(this.node(get[1]!)));
    if (script.includes(UPGRADE_MARKER)) {
      h.marker = !script.startsWith('rm');
      return ok();
    }
    if (script.includes('restart kubelet')) {
      if (this.failRestartOn === host) {
        this.failRestartOn = undefined;
        return { code: 255, stdout: '', stderr: 'ssh: connect to host: No route to host' };
      }
      h.running = h.packages['kubelet']!;
      this.events.push(`${host}: restart kubelet`);
      return ok();
    }
    return ok();
  }
}

function setup(sim: Sim, extra: Record<string, unknown> = {}) {
  const inventory = clusterInventory({ kubernetes_version: NEW, ...extra });
  const varsOf = resolvedVars(kubeadm, inventory);
  return fakeCluster<KubeadmVars>(inventory, varsOf, Object.fromEntries(NODES.map((h) => [h, sim.fakeHost(h)])));
}

const allAt = (version: string) => (host: string): SimHost => ({
  packages: Object.fromEntries(KUBE_PACKAGES.map((p) => [p, version])),
  running: version,
  ...(host.startsWith('master') ? { controlPlane: version } : {}),
  marker: false,
});

const index = (events: string[], pattern: RegExp): number[] => events.flatMap((e, i) => (pattern.test(e) ? [i] : []));

describe('kubernetes_version moves: the rollout across nodes', () => {
  it('upgrades every control plane before any kubelet, masters before workers, one node cordoned at a time', async () => {
    const sim = new Sim(allAt(OLD));
    const cluster = setup(sim);
    await Promise.all(NODES.map((h) => converge(task, cluster.ctx(h))));
    for (const host of NODES) expect(sim.hosts[host]!.packages, host).to.deep.equal({ kubelet: NEW, kubeadm: NEW, kubectl: NEW });
    expect(['master1', 'master2', 'master3'].map((m) => sim.hosts[m]!.controlPlane)).to.deep.equal([NEW, NEW, NEW]);
    const controlPlanes = index(sim.events, /upgrade (apply|node)$|^master\d: upgrade node/);
    const kubelets = index(sim.events, /: kubelet /);
    expect(Math.max(...controlPlanes.filter((i) => /^master/.test(sim.events[i]!)))).to.be.lessThan(Math.min(...kubelets));
    expect(sim.events.filter((e) => /upgrade apply/.test(e))).to.deep.equal(['master1: upgrade apply']);
    expect(sim.events.indexOf('master1: upgrade apply')).to.be.lessThan(Math.min(...index(sim.events, /^master[23]: upgrade node/)));
    expect(Math.max(...index(sim.events, /^master\d: kubelet/))).to.be.lessThan(Math.min(...index(sim.events, /^worker1: kubeadm/)));
    expect(sim.maxCordoned).to.equal(1);
    expect(sim.cordoned.size).to.equal(0);
    expect(sim.events.filter((e) => e.endsWith(': cordon')).length).to.equal(4);
  });

  it('changes nothing on a cluster at the version', async () => {
    const sim = new Sim(allAt(NEW));
    const cluster = setup(sim);
    const changes = await Promise.all(NODES.map((h) => converge(task, cluster.ctx(h))));
    expect(changes).to.deep.equal([null, null, null, null]);
    expect(sim.events).to.deep.equal([]);
  });

  it('resumes a stopped upgrade where it stopped, and never touches a node that is done', async () => {
    const sim = new Sim(allAt(OLD));
    sim.failRestartOn = 'worker1';
    const first = setup(sim);
    const results = await Promise.allSettled(NODES.map((h) => converge(task, first.ctx(h))));
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(sim.hosts['worker1']!.marker, 'worker1 stays marked as cordoned by play').to.equal(true);
    const before = sim.events.length;
    const again = setup(sim);
    const changes = await Promise.all(NODES.map((h) => converge(task, again.ctx(h))));
    expect(changes.slice(0, 3)).to.deep.equal([null, null, null]);
    expect(changes[3]?.summary).to.equal('finish the upgrade of worker1 to 1.30.5: restart kubelet if it still runs an older version, wait Ready, uncordon');
    const resumed = sim.events.slice(before);
    expect(resumed.every((e) => e.startsWith('worker1')), resumed.join('; ')).to.equal(true);
    expect(resumed).to.include('worker1: restart kubelet');
    expect(resumed).to.include('worker1: uncordon');
    expect(sim.hosts['worker1']!.marker).to.equal(false);
  });

  it('a drain blocked by a PodDisruptionBudget stops that node naming the pod; it stays cordoned and marked for the next run', async () => {
    const sim = new Sim(allAt(OLD));
    sim.blockedDrain = 'worker1';
    const cluster = setup(sim, { upgrade_drain_timeout: 10 });
    const results = await Promise.allSettled(NODES.map((h) => converge(task, cluster.ctx(h))));
    const failure = results[3]!;
    expect(failure.status).to.equal('rejected');
    const message = failure.status === 'rejected' ? (failure.reason as Error).message : '';
    expect(message).to.match(/^draining worker1 for its upgrade failed \(exit 1\): [\s\S]*pod "web-0" in namespace "default"[\s\S]*global timeout reached: 10s/);
    expect(message).to.match(/worker1 stays cordoned and the next run resumes there[\s\S]*upgrade_drain: false/);
    expect(sim.hosts['worker1']!.packages['kubelet'], 'the kubelet did not move').to.equal(OLD);
    expect(sim.cordoned.has('worker1')).to.equal(true);
    expect(sim.hosts['worker1']!.marker).to.equal(true);
    expect(cluster.scripts('master1').some((s) => s.includes('drain') && s.includes('--timeout=10s'))).to.equal(true);
  });

  it('without upgrade_drain, nothing is cordoned', async () => {
    const sim = new Sim(allAt(OLD));
    const cluster = setup(sim, { upgrade_drain: false });
    await Promise.all(NODES.map((h) => converge(task, cluster.ctx(h))));
    expect(sim.maxCordoned).to.equal(0);
    expect(sim.hosts['worker1']!.packages['kubelet']).to.equal(NEW);
  });
});
