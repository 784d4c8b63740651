// What the suites that build the whole cluster share: the post-reset workaround and the node checks.
import { expect } from 'chai';
import { labHosts } from './lab.js';
import { sh } from './lb-helpers.js';

const KUBEADM_PORTS = [6443, 2379, 2380, 10250, 10257, 10259];

/**
 * WORKAROUND (kubeadm stand-in): its preflight checks a port by bind() without SO_REUSEADDR, so
 * the TIME_WAIT connections the reset apiserver leaves on 6443 for 60 s fail `kubeadm init` with
 * "Port 6443 is in use". Real kubeadm binds through Go's net.Listen, which sets SO_REUSEADDR, and
 * does not fail. Drops those TIME_WAIT entries (ss -K) on every node after a reset.
 */
export async function clearTimeWait(): Promise<void> {
  const filter = KUBEADM_PORTS.map((p) => `sport = :${p}`).join(' or ');
  const nodes = (await labHosts()).filter((h) => h.group !== 'lb').map((h) => h.name);
  await Promise.all(nodes.map((n) => sh(n, `ss -K -tan state time-wait '( ${filter} )' >/dev/null; true`)));
}

export interface NodeRow {
  name: string;
  ready: boolean;
  runtime: string;
  controlPlane: boolean;
}

export async function nodes(): Promise<NodeRow[]> {
  const doc = JSON.parse(await sh('master1', 'kubectl get nodes -o json')) as {
    items: Array<{
      metadata: { name: string; labels?: Record<string, string> };
      status: { conditions: Array<{ type: string; status: string }>; nodeInfo: { containerRuntimeVersion: string } };
    }>;
  };
  return doc.items.map((n) => ({
    name: n.metadata.name,
    ready: n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    runtime: n.status.nodeInfo.containerRuntimeVersion,
    controlPlane: 'node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {}),
  }));
}

export async function expectReady(names: readonly string[], runtimePrefix: string): Promise<void> {
  const rows = await nodes();
  expect(rows.map((r) => r.name).sort()).to.deep.equal([...names].sort());
  for (const r of rows) {
    expect(r.ready, `${r.name} Ready`).to.equal(true);
    expect(r.runtime, `${r.name} runtime`).to.match(new RegExp(`^${runtimePrefix}`));
  }
  console.log(`      [info] kubectl get nodes:\n${(await sh('master1', 'kubectl get nodes -o wide')).replace(/^/gm, '        ')}`);
}
