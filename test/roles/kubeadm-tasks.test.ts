import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeScript } from '../../engine/ops/absent.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import kubeadm from '../../roles/kubeadm/index.js';
import { parseJoinCommand } from '../../roles/kubeadm/join-command.js';
import { CERTIFICATE_KEY_ONCE, tokenCreateCommand, tokenDeleteCommand, tokensIn, uploadCertsScript } from '../../roles/kubeadm/join-secrets.js';
import { kubeadmWithSecretConfig } from '../../roles/kubeadm/secret-config.js';
import { renderJoinConfiguration } from '../../roles/kubeadm/templates/join-configuration.js';
import { ADMIN_CONF, INITIALISED } from '../../roles/kube-shared/kube-paths.js';
import type { KubeadmVars } from '../../roles/kubeadm/vars.js';
import { converge, fileAnswer, MISSING_FILE } from './helpers/fake-cluster.js';
import {
  ADMIN_CONF_TEXT,
  CA_HASH,
  CLIENT_KEY,
  clusterInventory,
  convergedKubeadmHost,
  fakeCluster,
  freshKubeadmHost,
  JOIN_LINE,
  NODES,
  resolvedVars,
  TOKEN,
} from './kubeadm-fixtures.js';

type KTask = Task<KubeadmVars, Change>;

function task(name: string): KTask {
  const found = kubeadm.tasks.find((t) => t.name === name);
  if (!found) throw new Error(`no kubeadm task '${name}'`);
  return found;
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'play-kubeadm-'));

function setup(extra: Record<string, unknown> = {}, converged = false) {
  const fetchDir = tmp();
  const inventory = clusterInventory({ kubeconfig_fetch_dir: fetchDir, ...extra });
  const varsOf = resolvedVars(kubeadm, inventory);
  const hosts = Object.fromEntries(NODES.map((h) => [h, converged ? convergedKubeadmHost(varsOf(h)) : freshKubeadmHost(varsOf(h))]));
  return { cluster: fakeCluster(inventory, varsOf, hosts), varsOf, fetchDir };
}

/** Every check of the role on every node, in order, like the runner's check pass. */
async function checkAll(ctxOf: (h: string) => TaskContext<KubeadmVars>): Promise<string[]> {
  const changed: string[] = [];
  for (const host of NODES) {
    for (const t of kubeadm.tasks) {
      const ctx = ctxOf(host);
      if (t.when && !t.when(ctx)) continue;
      const change = await t.check(ctx);
      // A waitOnly change is reported ok (a verdict, like the certificates' first expiry).
      if (change && !change.waitOnly) changed.push(`${host}: ${t.name}: ${change.summary}`);
    }
  }
  return changed;
}

describe('kubeadm tasks', () => {
  describe('join command', () => {
    it('parses what `kubeadm token create --print-join-command` prints', () => {
      expect(parseJoinCommand(JOIN_LINE)).to.deep.equal({ endpoint: '10.0.0.10:6443', token: TOKEN, caCertHash: CA_HASH });
      expect(parseJoinCommand(`kubeadm join k8s-lb:6443 --token ${TOKEN} \\\n\t--discovery-token-ca-cert-hash ${CA_HASH}`).endpoint).to.equal('k8s-lb:6443');
    });

    it('refuses anything else without repeating it (it may hold a token)', () => {
      for (const bad of ['', 'error: Unauthorized', `kubeadm join 10.0.0.10:6443 --token ${TOKEN}`, `kubeadm join x;rm:6443 --token ${TOKEN} --discovery-token-ca-cert-hash ${CA_HASH}`]) {
        expect(() => parseJoinCommand(bad)).to.throw(/expected form/);
        try {
          parseJoinCommand(bad);
        } catch (err) {
          expect((err as Error).message).not.to.contain(TOKEN);
        }
      }
    });

    it('finds every token-shaped value to redact, and its secret half', () => {
      expect(tokensIn(`x ${TOKEN} y`)).to.deep.equal([TOKEN, '0123456789abcdef']);
    });
  });

  describe('a fresh cluster', () => {
    it('initialises the first master from the config file, without printing init\'s token', async () => {
      const { cluster } = setup();
      const ctx = cluster.ctx('master1');
      const change = await converge(task('Initialise the control plane on the first master'), ctx);
      expect(change?.summary).to.equal('kubeadm init (endpoint 10.0.0.10:6443, Kubernetes 1.30.2, containerd)');
      expect(cluster.scripts('master1')).to.deep.equal(['kubeadm init --config /etc/kubernetes/kubeadm-config.yaml --skip-token-print']);
      expect(await ctx.waitFor(INITIALISED)).to.equal(true);
    });

    it('joins each node with its own token (deleted after), masters with one certificate key uploaded before each, all through config files', async () => {
      const { cluster, varsOf } = setup();
      cluster.ctx('master1').publish(INITIALISED, true);
      const join = task('Join the cluster');
      const m2 = await converge(join, cluster.ctx('master2'));
      const m3 = await converge(join, cluster.ctx('master3'));
      const w1 = await converge(join, cluster.ctx('worker1'));
      expect([m2?.summary, w1?.summary]).to.deep.equal([
        'kubeadm join 10.0.0.10:6443 as a control-plane node (node master2)',
        'kubeadm join 10.0.0.10:6443 as a worker (node worker1)',
      ]);
      expect(m3).not.to.equal(null);
      // One certificate key for the whole run; a token per joining node.
      expect(cluster.onceComputed).to.deep.equal([CERTIFICATE_KEY_ONCE]);
      const key = cluster.secrets.find((s) => /^[0-9a-f]{64}$/.test(s));
      expect(key, 'the certificate key is marked secret').to.be.a('string');
      const upload = uploadCertsScript(varsOf('master2'), key!);
      expect(cluster.scripts('master1')).to.deep.equal([
        upload,
        tokenCreateCommand('1h0m0s', 'master2'),
        tokenDeleteCommand(TOKEN),
        upload,
        tokenCreateCommand('1h0m0s', 'master3'),
        tokenDeleteCommand(TOKEN),
        tokenCreateCommand('1h0m0s', 'worker1'),
        tokenDeleteCommand(TOKEN),
      ]);
      expect(tokenDeleteCommand(TOKEN)).to.equal('kubeadm token delete abcdef --kubeconfig /etc/kubernetes/admin.conf');
      const joinAs = (node: string, controlPlane?: { certificateKey: string; bindPort: number; advertiseAddress: string }) =>
        kubeadmWithSecretConfig(['join'], renderJoinConfiguration({
          apiVersion: 'kubeadm.k8s.io/v1beta3', endpoint: '10.0.0.10:6443', token: TOKEN, caCertHash: CA_HASH,
          nodeName: node, criSocket: 'unix:///var/run/containerd/containerd.sock', ...(controlPlane ? { controlPlane } : {}),
        }));
      expect(cluster.scripts('master2')).to.deep.equal([joinAs('master2', { certificateKey: key!, bindPort: 6443, advertiseAddress: '10.0.0.22' })]);
      expect(cluster.scripts('worker1')).to.deep.equal([joinAs('worker1')]);
      // No secret in clear in any script (they reach the config file base64-encoded, through printf).
      for (const script of [...cluster.ran.values()].flat()) {
        expect(script).not.to.contain(TOKEN);
        expect(script).not.to.contain('0123456789abcdef');
        expect(script).not.to.contain(key!);
      }
      expect(cluster.secrets).to.include.members([TOKEN, '0123456789abcdef', key!]);
      // Labels stand in for the secret commands in -vvv and errors.
      expect(cluster.labels.get('master2')).to.deep.equal(['kubeadm join']);
      expect(cluster.labels.get('master1')).to.deep.equal([
        'kubeadm init phase upload-certs', 'kubeadm token create --print-join-command', 'kubeadm token delete',
        'kubeadm init phase upload-certs', 'kubeadm token create --print-join-command', 'kubeadm token delete',
        'kubeadm token create --print-join-command', 'kubeadm token delete',
      ]);
      for (const summary of [m2?.summary, m3?.summary, w1?.summary]) expect(summary).not.to.contain(TOKEN);
    });

    it('deletes the token of a join that failed', async () => {
      const { cluster } = setup();
      cluster.ctx('master1').publish(INITIALISED, true);
      cluster.hosts.worker1 = { ...cluster.hosts.worker1!, run: () => ({ code: 1, stdout: '', stderr: 'error execution phase kubelet-start: boom' }) };
      let failed = false;
      try {
        await converge(task('Join the cluster'), cluster.ctx('worker1'));
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      expect(cluster.scripts('master1')).to.deep.equal([tokenCreateCommand('1h0m0s', 'worker1'), tokenDeleteCommand(TOKEN)]);
    });

    it('waits for the first master\'s init when it has not happened yet', async () => {
      const { cluster } = setup();
      const joining = converge(task('Join the cluster'), cluster.ctx('worker1'));
      await new Promise((r) => setTimeout(r, 20));
      expect(cluster.scripts('worker1')).to.deep.equal([]);
      cluster.ctx('master1').publish(INITIALISED, true);
      await joining;
      expect(cluster.scripts('worker1')).to.have.length(1);
    });

    it('asks the first master directly when nobody will announce it (outside --limit)', async () => {
      const { cluster } = setup();
      // The runner's waitFor fails at once when every running host is waiting for the key.
      const alone = (): TaskContext<KubeadmVars> => ({ ...cluster.ctx('worker1'), waitFor: () => Promise.reject(new Error("waited for 'kubeadm:initialised', which no running host will provide")) });
      await converge(task('Join the cluster'), alone());
      expect(cluster.scripts('master1')[0]).to.equal('test -e /etc/kubernetes/admin.conf');
      expect(cluster.scripts('worker1')).to.have.length(1);
      // ... and says why it cannot join when there is no cluster there either.
      const { cluster: empty } = setup();
      empty.hosts.master1 = { ...empty.hosts.master1!, run: (script: string) => ({ code: script.startsWith('test -e') ? 1 : 0, stdout: '', stderr: '' }) };
      let message = '';
      try {
        await converge(task('Join the cluster'), { ...empty.ctx('worker1'), waitFor: () => Promise.reject(new Error('no running host will provide it')) });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.equal('master1 (the first master) is not initialised and not initialising in this run: no running host will provide it');
      expect(empty.scripts('worker1')).to.deep.equal([]);
    });

    it('reports a failed join without its command, with the way back', async () => {
      const { cluster } = setup();
      cluster.ctx('master1').publish(INITIALISED, true);
      cluster.hosts.worker1 = { ...cluster.hosts.worker1!, run: () => ({ code: 1, stdout: '', stderr: 'error execution phase preflight: couldn\'t validate the identity of the API Server' }) };
      let message = '';
      try {
        await converge(task('Join the cluster'), cluster.ctx('worker1'));
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.contain('kubeadm join failed (exit 1): error execution phase preflight');
      expect(message).to.contain('play reset.yml -e reset_confirm=yes --limit worker1');
      expect(message).not.to.contain(TOKEN);
    });

    it('refuses to init a reset first master while other masters still hold a cluster', async () => {
      const { cluster } = setup();
      cluster.hosts.master2!.facts[`exists:${ADMIN_CONF}`] = 'yes\n';
      let message = '';
      try {
        await task('Initialise the control plane on the first master').check(cluster.ctx('master1'));
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.match(/master1 \(the first master\) has no cluster but master2 still belong to one/);
    });

    it('gives root the admin kubeconfig, 0600, its diff masked and its key marked secret', async () => {
      const { cluster } = setup();
      cluster.hosts.master2!.facts[`file:${ADMIN_CONF}`] = fileAnswer(ADMIN_CONF_TEXT, 0o600);
      cluster.hosts.master2!.facts['file:/root/.kube/config'] = MISSING_FILE;
      cluster.hosts.master2!.facts['file:/root/.kube'] = MISSING_FILE;
      const change = await converge(task('Give root the admin kubeconfig'), cluster.ctx('master2'));
      expect(change?.summary).to.equal('create /root/.kube, create (11 lines)');
      expect(JSON.stringify(change?.diffs)).not.to.contain(CLIENT_KEY);
      expect(cluster.secrets).to.include(CLIENT_KEY);
      const [mkdir, write] = cluster.scripts('master2');
      expect(mkdir).to.equal('install -d -m 0700 -o root -g root -- /root/.kube');
      expect(write).to.contain("chmod 0600 -- \"$tmp\"");
      expect(write).to.contain('mv -f -- "$tmp" "$dst"');
    });

    it('gives the connecting (non-root) user the admin kubeconfig in its home, owned by it', async () => {
      const { cluster } = setup({ ansible_user: 'debian' });
      const facts = cluster.hosts.master3!.facts;
      facts[`file:${ADMIN_CONF}`] = fileAnswer(ADMIN_CONF_TEXT, 0o600);
      facts['command:getent passwd debian | cut -d: -f6; id -gn -- debian'] = '/home/debian\ndebian\n';
      facts['file:/home/debian/.kube/config'] = MISSING_FILE;
      facts['file:/home/debian/.kube'] = MISSING_FILE;
      const change = await converge(task('Give the connecting user the admin kubeconfig'), cluster.ctx('master3'));
      expect(change?.summary).to.equal('create /home/debian/.kube, create (11 lines)');
      const [mkdir, write] = cluster.scripts('master3');
      expect(mkdir).to.equal('install -d -m 0700 -o debian -g debian -- /home/debian/.kube');
      expect(write).to.contain('chown debian:debian -- "$tmp"');
      expect(write).to.contain('chmod 0600 -- "$tmp"');
    });

    it('fetches admin.conf to the controller, 0600, without printing it', async () => {
      const { cluster, fetchDir } = setup();
      cluster.hosts.master1!.facts[`file:${ADMIN_CONF}`] = fileAnswer(ADMIN_CONF_TEXT, 0o600);
      cluster.hosts.master1 = { ...cluster.hosts.master1!, run: (s) => (s.startsWith('cat -- ') ? { code: 0, stdout: ADMIN_CONF_TEXT, stderr: '' } : { code: 0, stdout: '', stderr: '' }) };
      const fetch = task('Fetch admin.conf to the controller');
      const change = await converge(fetch, cluster.ctx('master1'));
      const path = join(fetchDir, 'admin.conf');
      expect(change?.summary).to.equal(`write ${path} on the controller (missing)`);
      expect(change?.diffs).to.equal(undefined);
      expect(readFileSync(path, 'utf8')).to.equal(ADMIN_CONF_TEXT);
      expect(statSync(path).mode & 0o777).to.equal(0o600);
      expect(await fetch.check(cluster.ctx('master1'))).to.equal(null);
    });

    it('only says what it would do in --check on a fresh host (no command)', async () => {
      const fetchDir = tmp();
      const inventory = clusterInventory({ kubeconfig_fetch_dir: fetchDir });
      const varsOf = resolvedVars(kubeadm, inventory);
      const cluster = fakeCluster(inventory, varsOf, Object.fromEntries(NODES.map((h) => [h, freshKubeadmHost(varsOf(h))])), true);
      const changed = await checkAll((h) => cluster.ctx(h));
      expect(changed.filter((c) => c.startsWith('master1:'))).to.deep.equal([
        'master1: Add the Kubernetes apt repository: create (3 lines)',
        'master1: Install what kubeadm preflight requires: not installed: conntrack, cri-tools, iptables',
        'master1: Install etcdctl on the masters (etcd-client): not installed: etcd-client',
        'master1: Install kubelet, kubeadm and kubectl (pinned, held): not installed: kubelet, kubeadm, kubectl',
        'master1: Enable kubelet: unit kubelet not found: no unit file -> enabled',
        'master1: Write the kubeadm config: create (27 lines)',
        'master1: Initialise the control plane on the first master: kubeadm init (endpoint 10.0.0.10:6443, Kubernetes 1.30.2, containerd)',
        'master1: Keep kubelet running: unit kubelet not found: inactive -> started',
        'master1: Give root the admin kubeconfig: copy /etc/kubernetes/admin.conf once kubeadm has written it',
        `master1: Fetch admin.conf to the controller: fetch /etc/kubernetes/admin.conf to ${join(fetchDir, 'admin.conf')} (controller) once kubeadm init has written it`,
      ]);
      expect(changed.filter((c) => c.startsWith('worker1:')).map((c) => c.split(': ')[1])).to.deep.equal([
        'Add the Kubernetes apt repository',
        'Install what kubeadm preflight requires',
        'Install kubelet, kubeadm and kubectl (pinned, held)',
        'Enable kubelet',
        'Join the cluster',
        'Keep kubelet running',
      ]);
      expect([...cluster.ran.values()].flat()).to.deep.equal([]);
    });
  });

  describe('an existing cluster (already converged)', () => {
    it('changes nothing and runs nothing on any node', async () => {
      const { cluster, fetchDir } = setup({}, true);
      writeFileSync(join(fetchDir, 'admin.conf'), ADMIN_CONF_TEXT, { mode: 0o600 });
      expect(await checkAll((h) => cluster.ctx(h))).to.deep.equal([]);
      expect([...cluster.ran.values()].flat()).to.deep.equal([]);
      expect(cluster.onceComputed).to.deep.equal([]);
      // The first master's check announces the cluster to joiners all the same.
      expect(await cluster.ctx('worker1').waitFor(INITIALISED)).to.equal(true);
    });

    it('notices a fetched admin.conf whose mode was widened', async () => {
      const { cluster, fetchDir } = setup({}, true);
      writeFileSync(join(fetchDir, 'admin.conf'), ADMIN_CONF_TEXT, { mode: 0o644 });
      const change = await task('Fetch admin.conf to the controller').check(cluster.ctx('master1'));
      expect(change?.summary).to.match(/\(mode 644 -> 600\)$/);
    });
  });

  describe('reset (playbooks/reset.yml)', () => {
    const RESET_UNLESS = `command:! command -v kubeadm >/dev/null 2>&1 || ! { [ -e /etc/kubernetes/kubelet.conf ] || [ -e /etc/kubernetes/admin.conf ] || [ -e /etc/kubernetes/bootstrap-kubelet.conf ] || [ -e /var/lib/kubelet/config.yaml ] || ls /etc/kubernetes/manifests/*.yaml >/dev/null 2>&1; }`;
    const GET_WORKER1 = 'command:kubectl --kubeconfig=/etc/kubernetes/admin.conf get node worker1 -o name';

    function resetWorker1(firstMaster: Record<string, string | { code: number; stdout: string; stderr: string }>) {
      const inventory = clusterInventory();
      const varsOf = resolvedVars(kubeadm, inventory, { kubeadm_reset: true, reset_confirm: 'yes' });
      return fakeCluster(inventory, varsOf, {
        master1: { facts: firstMaster },
        worker1: {
          facts: {
            [RESET_UNLESS]: { code: 1, stdout: '', stderr: '' },
            'exists:/etc/cni/net.d': 'yes\n',
            'exists:/root/.kube': 'no\n',
            'exists:/etc/kubernetes': 'yes\n',
          },
        },
      });
    }

    async function runAll(ctx: TaskContext<KubeadmVars>): Promise<string[]> {
      const done: string[] = [];
      for (const t of kubeadm.tasks) {
        if (t.when && !t.when(ctx)) continue;
        const change = await converge(t, ctx);
        if (change) done.push(change.summary);
      }
      return done;
    }

    it('drains the node, runs kubeadm reset -f, deletes its Node object (kubeadm guide\'s order), then removes what reset leaves', async () => {
      const cluster = resetWorker1({ [`exists:${ADMIN_CONF}`]: 'yes\n', [GET_WORKER1]: 'node/worker1\n' });
      expect(await runAll(cluster.ctx('worker1'))).to.deep.equal([
        'drain worker1 (on master1)',
        'run: kubeadm reset -f --cri-socket unix:///var/run/containerd/containerd.sock',
        'delete node worker1 (on master1)',
        'remove /etc/cni/net.d',
        'remove /etc/kubernetes',
      ]);
      expect(cluster.scripts('master1')).to.deep.equal([
        'kubectl --kubeconfig=/etc/kubernetes/admin.conf drain worker1 --ignore-daemonsets --delete-emptydir-data --force --timeout=120s',
        'kubectl --kubeconfig=/etc/kubernetes/admin.conf delete node worker1 --ignore-not-found',
      ]);
      expect(cluster.scripts('worker1')).to.deep.equal([
        'kubeadm reset -f --cri-socket unix:///var/run/containerd/containerd.sock',
        removeScript('/etc/cni/net.d'),
        removeScript('/etc/kubernetes'),
      ]);
    });

    it('resets alone when the first master has no cluster left (a whole-cluster reset)', async () => {
      const cluster = resetWorker1({ [`exists:${ADMIN_CONF}`]: 'no\n' });
      expect((await runAll(cluster.ctx('worker1')))[0]).to.equal('run: kubeadm reset -f --cri-socket unix:///var/run/containerd/containerd.sock');
      expect(cluster.scripts('master1')).to.deep.equal([]);
    });

    it('a failed drain is a warning: the reset the user confirmed goes on', async () => {
      const cluster = resetWorker1({ [`exists:${ADMIN_CONF}`]: 'yes\n', [GET_WORKER1]: 'node/worker1\n' });
      cluster.hosts.master1 = { ...cluster.hosts.master1!, run: (s) => ({ code: s.includes(' drain ') ? 1 : 0, stdout: '', stderr: 'error: cannot evict pod as it would violate the pod\'s disruption budget' }) };
      const done = await runAll(cluster.ctx('worker1'));
      expect(done).to.include('run: kubeadm reset -f --cri-socket unix:///var/run/containerd/containerd.sock');
      expect(cluster.warnings[0]).to.match(/^kubectl drain worker1 failed on master1 \(exit 1\): error: cannot evict pod/);
    });
  });
});
