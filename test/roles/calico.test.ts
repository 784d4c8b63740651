import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { Change, Task } from '../../engine/types.js';
import calico from '../../roles/calico/index.js';
import { APPLIED_STAMP, applyCommand } from '../../roles/calico/apply-task.js';
import { fetchCommand } from '../../roles/calico/manifest-task.js';
import { parseNodes, readiness } from '../../roles/calico/node-status.js';
import { CALICO_MANIFEST, setCalicoPoolCidr } from '../../roles/calico/templates/calico-manifest.js';
import type { CalicoVars } from '../../roles/calico/vars.js';
import { converge, fileAnswer, MISSING_FILE } from './helpers/fake-cluster.js';
import { clusterInventory, fakeCluster, resolvedVars } from './kubeadm-fixtures.js';
import { expectVarsError } from './helpers/expect-error.js';
import { ALL_FILE } from './helpers/inventory.js';
import { expectGolden, readGolden } from './kubeadm-golden.js';
import { sha256Of } from '../../engine/ops/index.js';
import { requirePrerequisite } from '../helpers/skip.js';

const LAB_MANIFEST = fileURLToPath(new URL('../../../test/lab/standins/calico/calico-v3.28.0.yaml', import.meta.url));
/** The one fact the wait asks the first master: its nodes, or that there is no cluster. */
const NODES = 'nodes-ready:master1';

type CTask = Task<CalicoVars, Change>;
const task = (name: string): CTask => {
  const t = calico.tasks.find((x) => x.name === name);
  if (!t) throw new Error(`no calico task ${name}`);
  return t;
};

function nodesJson(nodes: Record<string, 'True' | 'False'>): string {
  return JSON.stringify({
    kind: 'NodeList',
    items: Object.entries(nodes).map(([name, status]) => ({
      metadata: { name },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          status === 'True'
            ? { type: 'Ready', status, reason: 'KubeletReady', message: 'kubelet is posting ready status' }
            : { type: 'Ready', status, reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false' },
        ],
      },
    })),
  });
}

function setup(url = 'http://172.29.10.1:8080/files/calico/calico-v3.28.0.yaml') {
  const inventory = clusterInventory({ calico_manifest_url: url });
  const varsOf = resolvedVars(calico, inventory);
  return { inventory, varsOf };
}

describe('calico', () => {
  describe('manifest', () => {
    it('uncomments CALICO_IPV4POOL_CIDR with the pod CIDR, keeping the indentation (golden)', () => {
      const out = setCalicoPoolCidr(readGolden('calico-node-env.in.yaml'), '10.244.0.0/16');
      expectGolden('calico-node-env.out.yaml', out);
      expect(out).to.contain('            - name: CALICO_IPV4POOL_CIDR\n              value: "10.244.0.0/16"\n');
      const ds = loadAll(out)[0] as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } };
      expect(ds.spec.template.spec.containers[0]!.env).to.deep.include({ name: 'CALICO_IPV4POOL_CIDR', value: '10.244.0.0/16' });
    });

    it('sets an already uncommented block, and is idempotent', () => {
      const once = setCalicoPoolCidr(readGolden('calico-node-env.in.yaml'), '10.244.0.0/16');
      const twice = setCalicoPoolCidr(once.split('\n').slice(1).join('\n'), '10.32.0.0/12');
      expect(twice).to.contain('value: "10.32.0.0/12"');
      expect(twice).not.to.contain('10.244.0.0/16');
    });

    it('refuses a manifest without the setting', () => {
      expect(() => setCalicoPoolCidr('kind: ConfigMap\n', '10.244.0.0/16')).to.throw(/no CALICO_IPV4POOL_CIDR setting/);
    });

    it('works on the lab\'s manifest: one block set, still valid YAML', function () {
      requirePrerequisite(this, existsSync(LAB_MANIFEST) ? undefined : `the lab's calico manifest is missing: ${LAB_MANIFEST}`);
      const out = setCalicoPoolCidr(readFileSync(LAB_MANIFEST, 'utf8'), '10.244.0.0/16');
      expect(out.match(/^\s*- name: CALICO_IPV4POOL_CIDR\n\s*value: "10.244.0.0\/16"$/gm)).to.have.length(1);
      expect(() => loadAll(out)).not.to.throw();
    });

    it('is fetched on the first master with curl, written there, and applied only when it differs from the last applied', async () => {
      const { inventory, varsOf } = setup();
      const manifest = readGolden('calico-node-env.in.yaml');
      const rendered = setCalicoPoolCidr(manifest, '10.244.0.0/16');
      const facts: Record<string, string> = {
        [`command:${fetchCommand('http://172.29.10.1:8080/files/calico/calico-v3.28.0.yaml')}`]: manifest,
        [`file:${CALICO_MANIFEST}`]: MISSING_FILE,
        [`file:${APPLIED_STAMP}`]: MISSING_FILE,
      };
      const cluster = fakeCluster(inventory, varsOf, {
        master1: {
          facts,
          run: (s) => {
            if (s.includes('base64 -d')) facts[`file:${CALICO_MANIFEST}`] = fileAnswer(rendered);
            return { code: 0, stdout: '', stderr: '' };
          },
        },
      });
      const ctx = cluster.ctx('master1');
      expect((await converge(task('Write the calico manifest with the pod CIDR'), ctx))?.summary).to.equal(`create (${rendered.split('\n').length - 1} lines)`);
      expect((await converge(task('Apply the calico manifest'), ctx))?.summary).to.equal('kubectl apply -f /etc/kubernetes/calico.yaml (never applied)');
      expect(cluster.scripts('master1')[1]).to.equal(applyCommand(sha256Of(rendered)));
      expect(applyCommand('abc')).to.equal(
        "set -e\nkubectl --kubeconfig=/etc/kubernetes/admin.conf apply -f /etc/kubernetes/calico.yaml\nprintf '%s\\n' abc > /etc/kubernetes/calico.yaml.applied",
      );
      // Applied: the stamp matches, nothing to do on the next run.
      facts[`file:${APPLIED_STAMP}`] = fileAnswer(`${sha256Of(rendered)}\n`);
      expect(await task('Apply the calico manifest').check(ctx)).to.equal(null);
      expect(await task('Write the calico manifest with the pod CIDR').check(ctx)).to.equal(null);
      // Written by an earlier run that failed before applying: applied now.
      facts[`file:${APPLIED_STAMP}`] = fileAnswer('0000\n');
      expect((await task('Apply the calico manifest').check(ctx))?.summary).to.equal('kubectl apply -f /etc/kubernetes/calico.yaml (manifest changed)');
    });

    it('with calico_manifest_sha256, writes only the manifest of that digest (issue 13 row 17)', async () => {
      const manifest = readGolden('calico-node-env.in.yaml');
      const url = 'https://example.invalid/calico.yaml';
      const digest = createHash('sha256').update(manifest).digest('hex');
      const run = async (pinned: string) => {
        const inventory = clusterInventory({ calico_manifest_url: url, calico_manifest_sha256: pinned });
        const varsOf = resolvedVars(calico, inventory);
        const cluster = fakeCluster(inventory, varsOf, {
          master1: { facts: { [`command:${fetchCommand(url)}`]: manifest, [`file:${CALICO_MANIFEST}`]: MISSING_FILE } },
        });
        return converge(task('Write the calico manifest with the pod CIDR'), cluster.ctx('master1')).then(
          () => cluster.scripts('master1').length,
          (err: Error) => err.message,
        );
      };
      expect(await run(digest)).to.equal(1);
      expect(await run(`sha256:${digest.toUpperCase()}`)).to.equal(1);
      expect(await run('0'.repeat(64))).to.equal(`${url} has sha256 ${digest}, not calico_manifest_sha256 ${'0'.repeat(64)}: not written, not applied`);
      expectVarsError(() => resolvedVars(calico, clusterInventory({ calico_manifest_sha256: 'abc' }))('master1'), 'calico_manifest_sha256', `${ALL_FILE}:5`, /64 hex digits/);
    });

    it('keeps the manifest in place, with a warning, when the URL cannot be fetched', async () => {
      const { inventory, varsOf } = setup('https://example.invalid/calico.yaml');
      const rendered = setCalicoPoolCidr(readGolden('calico-node-env.in.yaml'), '10.244.0.0/16');
      const cluster = fakeCluster(inventory, varsOf, {
        master1: {
          facts: {
            [`command:${fetchCommand('https://example.invalid/calico.yaml')}`]: { code: 6, stdout: '', stderr: 'curl: (6) Could not resolve host: example.invalid' },
            [`file:${CALICO_MANIFEST}`]: fileAnswer(rendered),
          },
        },
      });
      expect(await task('Write the calico manifest with the pod CIDR').check(cluster.ctx('master1'))).to.equal(null);
      expect(cluster.warnings).to.deep.equal(['cannot fetch https://example.invalid/calico.yaml on master1 (curl exit 6): curl: (6) Could not resolve host: example.invalid; keeping the manifest already there']);
    });

    it('runs only on the first master; the wait runs on every node', () => {
      const { inventory, varsOf } = setup();
      const cluster = fakeCluster(inventory, varsOf, { master1: { facts: {} }, worker1: { facts: {} } });
      const enabled = (h: string) => calico.tasks.filter((t) => !t.when || t.when(cluster.ctx(h))).map((t) => t.name);
      expect(enabled('master1')).to.have.length(4);
      expect(enabled('worker1')).to.deep.equal(['Wait until the nodes are Ready']);
    });
  });

  describe('node readiness', () => {
    it('reads Ready from kubectl get nodes -o json', () => {
      expect(parseNodes(nodesJson({ master1: 'True', worker1: 'False' }))).to.deep.equal([
        { name: 'master1', ready: true },
        { name: 'worker1', ready: false, why: 'KubeletNotReady: container runtime network not ready: NetworkReady=false' },
      ]);
    });

    it('a node waits for itself, the first master for every node', () => {
      const nodes = parseNodes(nodesJson({ master1: 'True', worker1: 'False', worker2: 'True' }));
      expect(readiness(nodes, 'worker2', false)).to.deep.equal({ done: true, waitingFor: [] });
      expect(readiness(nodes, 'master1', true).waitingFor).to.deep.equal(['worker1: NotReady (KubeletNotReady: container runtime network not ready: NetworkReady=false)']);
      expect(readiness(nodes, 'worker3', false).waitingFor).to.deep.equal(['worker3: not registered']);
    });

    it('waits through the first master\'s kubectl and fails naming the NotReady nodes', async () => {
      const { inventory, varsOf } = setup();
      const notReady = nodesJson({ master1: 'True', worker1: 'False' });
      let polls = 0;
      const cluster = fakeCluster(inventory, varsOf, {
        master1: { facts: { [NODES]: notReady }, run: () => (polls++, { code: 0, stdout: notReady, stderr: '' }) },
        worker1: { facts: {} },
      });
      const wait = task('Wait until the nodes are Ready');
      const ctx = cluster.ctx('worker1', { ...varsOf('worker1'), readyTimeoutMs: 10 });
      let message = '';
      try {
        await converge(wait, ctx);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(polls).to.equal(1);
      expect(cluster.scripts('worker1')).to.deep.equal([]);
      expect(message).to.equal('nodes not Ready after 0 s (calico_ready_timeout): worker1: NotReady (KubeletNotReady: container runtime network not ready: NetworkReady=false)');
    });

    it('names a stopped kubelet as the likely cause of a node that stays NotReady (issue 15 item 4)', async () => {
      const { inventory, varsOf } = setup();
      const notReady = nodesJson({ master1: 'True', worker1: 'False' });
      const stopped = 'LoadState=loaded\nActiveState=inactive\nSubState=dead\nUnitFileState=enabled\nNeedDaemonReload=no\n';
      const cluster = fakeCluster(inventory, varsOf, {
        master1: { facts: { [NODES]: notReady }, run: () => ({ code: 0, stdout: notReady, stderr: '' }) },
        worker1: { facts: { 'service:kubelet': stopped } },
      });
      const ctx = cluster.ctx('master1', { ...varsOf('master1'), readyTimeoutMs: 10 });
      const message = await converge(task('Wait until the nodes are Ready'), ctx).then(() => '', (err: Error) => err.message);
      expect(message).to.match(/worker1: NotReady/);
      expect(message).to.match(/likely cause: kubelet on worker1 is inactive \(dead\): start it/);
    });

    it('fails at once when there is no cluster to wait for', async () => {
      const { inventory, varsOf } = setup();
      const cluster = fakeCluster(inventory, varsOf, {
        master1: { facts: { [NODES]: 'play: no cluster\n' } },
        worker1: { facts: {} },
      });
      let message = '';
      try {
        await task('Wait until the nodes are Ready').check(cluster.ctx('worker1'));
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.equal('no cluster on master1 (/etc/kubernetes/admin.conf is missing): the kubeadm role makes it');
    });

    it('is done at once when every node is Ready (a converged cluster)', async () => {
      const { inventory, varsOf } = setup();
      const cluster = fakeCluster(inventory, varsOf, {
        master1: { facts: { [NODES]: nodesJson({ master1: 'True', master2: 'True', worker1: 'True' }) } },
      });
      expect(await task('Wait until the nodes are Ready').check(cluster.ctx('master1'))).to.equal(null);
      expect(cluster.scripts('master1')).to.deep.equal([]);
    });
  });
});
