import { expect } from 'chai';
import { manifestVersion, offTarget, parseNodes, type NodeVersions } from '../../roles/kube-shared/cluster-report.js';
import { judgeUpgrade, type ClusterReport } from '../../roles/kube-shared/upgrade-policy.js';
import { parseReportedVersion, type KubeVersion } from '../../roles/kube-shared/version.js';
import { planNodeUpgrade } from '../../roles/kubeadm/upgrade-task.js';
import { apiserverManifest } from './kubeadm-fixtures.js';

const v = (text: string): KubeVersion => parseReportedVersion(text)!;

function cluster(cp: Record<string, string>, kubelets: Record<string, string>, notReady: string[] = []): ClusterReport {
  return {
    controlPlanes: Object.entries(cp).map(([host, version]) => ({ host, version: v(version) })),
    nodes: Object.entries(kubelets).map(([name, version]) => ({ name, kubelet: v(version), ready: !notReady.includes(name), unschedulable: false })),
  };
}

const AT_1_29 = cluster({ master1: '1.29.15', master2: '1.29.15' }, { master1: '1.29.15', master2: '1.29.15', worker1: '1.29.15' });

describe('kubernetes_version moves: the upgrade policy', () => {
  it('passes one minor up, and a patch up, from a Ready cluster', () => {
    expect(judgeUpgrade(v('1.30.5'), AT_1_29)).to.deep.include({ kind: 'upgrade' });
    const patch = judgeUpgrade(v('1.29.20'), AT_1_29);
    expect(patch.kind).to.equal('upgrade');
    if (patch.kind === 'upgrade') expect([patch.from.text, patch.to.text]).to.deep.equal(['1.29.15', '1.29.20']);
  });

  it('says current when every control plane and kubelet is at the version, no-cluster without control planes', () => {
    expect(judgeUpgrade(v('1.29.15'), AT_1_29).kind).to.equal('current');
    expect(judgeUpgrade(v('1.29.15'), { nodes: [], controlPlanes: [] }).kind).to.equal('no-cluster');
  });

  it('refuses a skipped minor, naming both versions and the way through', () => {
    const verdict = judgeUpgrade(v('1.31.14'), AT_1_29);
    expect(verdict.kind).to.equal('refused');
    if (verdict.kind === 'refused') expect(verdict.reason).to.match(/1\.31\.14 skips a minor.*runs 1\.29\.15.*set kubernetes_version to 1\.30\.x/);
  });

  it('refuses a downgrade, minor or patch, naming what runs newer', () => {
    const at130 = cluster({ master1: '1.30.5' }, { master1: '1.30.5', worker1: '1.30.5' });
    for (const target of ['1.29.15', '1.30.2']) {
      const verdict = judgeUpgrade(v(target), at130);
      expect(verdict.kind, target).to.equal('refused');
      if (verdict.kind === 'refused') expect(verdict.reason).to.match(new RegExp(`${target.replace(/\./g, '\\.')} is older than the cluster \\(the control plane on master1 runs 1\\.30\\.5`));
    }
    // A kubelet newer than the target is a downgrade too.
    const kubeletAhead = cluster({ master1: '1.30.2' }, { master1: '1.30.2', worker1: '1.30.5' });
    expect(judgeUpgrade(v('1.30.2'), kubeletAhead).kind).to.equal('refused');
  });

  it('refuses while a node is not Ready, naming it', () => {
    const verdict = judgeUpgrade(v('1.30.5'), cluster({ master1: '1.29.15' }, { master1: '1.29.15', worker2: '1.29.15' }, ['worker2']));
    expect(verdict.kind).to.equal('refused');
    if (verdict.kind === 'refused') expect(verdict.reason).to.match(/worker2 is not Ready/);
  });

  it('resumes an interrupted upgrade (control planes at the old and the target version), refuses any other mix', () => {
    const half = cluster({ master1: '1.30.5', master2: '1.29.15' }, { master1: '1.30.5', master2: '1.29.15', worker1: '1.29.15' });
    expect(judgeUpgrade(v('1.30.5'), half).kind).to.equal('upgrade');
    const other = judgeUpgrade(v('1.30.6'), half);
    expect(other.kind).to.equal('refused');
    if (other.kind === 'refused') expect(other.reason).to.match(/master1 1\.30\.5, master2 1\.29\.15.*set kubernetes_version to 1\.30\.5/);
  });

  it('refuses when a kubelet would be more than one minor behind the target (kubeadm upgrade apply refuses that)', () => {
    const old = cluster({ master1: '1.31.0' }, { master1: '1.31.0', worker1: '1.30.2' });
    const verdict = judgeUpgrade(v('1.32.0'), old);
    expect(verdict.kind).to.equal('refused');
    if (verdict.kind === 'refused') expect(verdict.reason).to.match(/worker1 \(1\.30\.2\).*finish the upgrade of those nodes to 1\.31\.0 first/);
    expect(judgeUpgrade(v('1.31.5'), old).kind).to.equal('upgrade');
  });
});

describe('kubernetes_version moves: what the cluster and a node report', () => {
  it('reads the control plane version from the kube-apiserver manifest image tag', () => {
    expect(manifestVersion(apiserverManifest('1.30.5'))?.text).to.equal('1.30.5');
    expect(manifestVersion('image: registry.k8s.io/kube-scheduler:v1.30.5\n')).to.equal(undefined);
    expect(manifestVersion(undefined)).to.equal(undefined);
  });

  it('reduces kubectl get nodes -o json to name, kubelet, Ready and cordon', () => {
    const json = JSON.stringify({
      items: [
        { metadata: { name: 'w1' }, spec: { unschedulable: true }, status: { nodeInfo: { kubeletVersion: 'v1.30.5' }, conditions: [{ type: 'Ready', status: 'True' }] } },
        { metadata: { name: 'w2' }, spec: {}, status: { nodeInfo: { kubeletVersion: 'v1.29.15' }, conditions: [{ type: 'Ready', status: 'Unknown' }] } },
      ],
    });
    const nodes = parseNodes(json);
    expect(nodes.map((n) => [n.name, n.kubelet?.text, n.ready, n.unschedulable])).to.deep.equal([
      ['w1', '1.30.5', true, true],
      ['w2', '1.29.15', false, false],
    ]);
  });
});

describe('kubernetes_version moves: the steps one node still needs', () => {
  const node = (pkgs: [string, string, string], controlPlane?: string): NodeVersions => ({
    joined: true,
    packages: { kubelet: v(pkgs[0]), kubeadm: v(pkgs[1]), kubectl: v(pkgs[2]) },
    ...(controlPlane ? { controlPlane: v(controlPlane) } : {}),
  });
  const T = v('1.30.5');
  const OLD: [string, string, string] = ['1.29.15-1.1', '1.29.15-1.1', '1.29.15-1.1'];

  it('first master: kubeadm, upgrade apply, drain, kubelet and kubectl, uncordon', () => {
    const plan = planNodeUpgrade(node(OLD, '1.29.15'), T, 'first-master', false, true, 'master1');
    expect(plan?.summary).to.equal('upgrade master1 1.29.15 -> 1.30.5: kubeadm 1.30.5, kubeadm upgrade apply v1.30.5, cordon and drain, kubelet and kubectl 1.30.5, restart kubelet, wait Ready, uncordon');
  });

  it('other masters upgrade node; workers write their kubelet configuration with upgrade node', () => {
    expect(planNodeUpgrade(node(OLD, '1.29.15'), T, 'master', false, true, 'master2')?.summary).to.match(/kubeadm 1\.30\.5, kubeadm upgrade node, cordon/);
    const worker = planNodeUpgrade(node(OLD), T, 'worker', false, true, 'worker1');
    expect(worker?.nodeConfig).to.equal(true);
    expect(worker?.controlPlane).to.equal(false);
  });

  it('resumes: a control plane already at the target only moves its kubelet; a cordoned node at the target is uncordoned', () => {
    const half = planNodeUpgrade(node(['1.29.15-1.1', '1.30.5-1.1', '1.29.15-1.1'], '1.30.5'), T, 'first-master', false, true, 'master1');
    expect(half?.summary).to.equal('upgrade master1 1.29.15 -> 1.30.5: cordon and drain, kubelet and kubectl 1.30.5, restart kubelet, wait Ready, uncordon');
    const cordoned = planNodeUpgrade(node(['1.30.5-1.1', '1.30.5-1.1', '1.30.5-1.1']), T, 'worker', true, true, 'worker1');
    expect(cordoned?.summary).to.equal('finish the upgrade of worker1 to 1.30.5: restart kubelet if it still runs an older version, wait Ready, uncordon');
  });

  it('leaves a node at the target, and a node not joined yet, alone', () => {
    const done: [string, string, string] = ['1.30.5-1.1', '1.30.5-1.1', '1.30.5-1.1'];
    expect(planNodeUpgrade(node(done, '1.30.5'), T, 'master', false, true, 'master2')).to.equal(null);
    expect(planNodeUpgrade({ ...node(OLD), joined: false }, T, 'worker', false, true, 'worker3')).to.equal(null);
    expect(offTarget(node(done, '1.30.5'), T)).to.equal(false);
    expect(offTarget(node(OLD), T)).to.equal(true);
  });

  it('without draining, no cordon and no uncordon', () => {
    const plan = planNodeUpgrade(node(OLD), T, 'worker', false, false, 'worker1');
    expect(plan?.summary).to.not.match(/cordon|drain/);
  });
});
