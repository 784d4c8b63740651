// What the suites that build the whole cluster share: the node checks.
import { expect } from 'chai';
import { sh } from './lb-helpers.js';

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
