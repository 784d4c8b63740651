// The stand-in kube-apiserver answering the REAL kubectl (Debian trixie's kubectl 1.32.3, which
// test/standins/fetch-real-kubectl.sh unpacks into /var/cache/play-lab/real-kubectl; .ci/run runs
// it). Loopback only: the apiserver runs as the kubelet would start it from kubeadm's static pod
// manifest (python3 -m playstandin.apiserver with the manifest's flags), over a PKI made by the
// stand-ins' own pki module and a throwaway state folder holding three Nodes. Every kubectl call
// the roles and the lab suites make runs here against the real client, with the real client's
// output and exit codes asserted: discovery, server-side tables, client-side apply (create, then
// strategic merge patches), cordon/uncordon/label/annotate (patches), drain through the Eviction
// API (blocked by a PodDisruptionBudget, then through), wait, delete, and the failures.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCaptured, type PlayRun } from '../helpers/run-play.js';
import { requirePrerequisite } from '../helpers/skip.js';
import { STANDINS_SRC } from '../helpers/standin-driver.js';

const DEFAULT_KUBECTL = '/var/cache/play-lab/real-kubectl/root/usr/bin/kubectl';
const KUBECTL = process.env.PLAY_REAL_KUBECTL || DEFAULT_KUBECTL;
/** The stand-in cluster's version: Debian's kubectl's. A Debian patch release of it keeps the minor. */
const VERSION = 'v1.32.3';
const CLIENT_MINOR = /^v1\.32\.\d+$/;
const LOOPBACK = '127.0.0.1';

function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<PlayRun> {
  return runCaptured(command, args, { cwd: tmpdir(), env, input });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, LOOPBACK);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * kubeadm's part, done with the stand-ins' own modules: the cluster CA, the apiserver's serving
 * certificate, admin.conf (kubernetes-admin, kubeadm:cluster-admins), and the Nodes the kubelets
 * would have registered: a control plane with its static pods, two workers, all Ready with their
 * pod network up.
 */
const CLUSTER_SETUP = String.raw`
import json, os, sys
from playstandin import apistore, kubeconfig, paths, pki, timefmt
from playstandin.state import ClusterState
d, port, version = sys.argv[1], sys.argv[2], sys.argv[3]
p = os.path.join(d, "pki")
keys = [os.path.join(p, n) for n in ("ca.key", "apiserver.key", "admin.key")]
pki.generate_keys(keys, "ECDSA-P256")
pki.create_ca(keys[0], f"{p}/ca.crt", "kubernetes")
pki.create_leaf(f"{p}/ca.crt", keys[0], keys[1], f"{p}/apiserver.crt", "kube-apiserver", usages="server",
                dns_names=("kubernetes", "kubernetes.default", "localhost"), ips=("127.0.0.1",))
pki.create_leaf(f"{p}/ca.crt", keys[0], keys[2], f"{p}/admin.crt", "kubernetes-admin", ("kubeadm:cluster-admins",))
read = lambda name: open(os.path.join(p, name), "rb").read()
paths.write_file(os.path.join(d, "admin.conf"), kubeconfig.render(
    f"https://127.0.0.1:{port}", read("ca.crt"), "kubernetes-admin", cert_pem=read("admin.crt"), key_pem=read("admin.key")), 0o600)
state = ClusterState(os.path.join(d, "state"))
paths.write_file(os.path.join(d, "state", "settings.json"), json.dumps({"node_monitor_grace_seconds": 86400}))
now = timefmt.now()
for name, control_plane in (("cp1", True), ("w1", False), ("w2", False)):
    static = [{"name": c, "image": f"registry.k8s.io/{c}:{version}", "startedAt": now, "ready": True}
              for c in ("etcd", "kube-apiserver")] if control_plane else []
    apistore.kubelet_status_update(state, name, {
        "metadata": {"labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
                     "annotations": {apistore.STATIC_PODS_ANNOTATION: json.dumps(static),
                                     apistore.NETWORK_READY_ANNOTATION: "true"}},
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                   "message": "kubelet is posting ready status"}],
                   "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": name}],
                   "nodeInfo": {"kubeletVersion": version, "osImage": "Debian GNU/Linux 12 (bookworm)",
                                "kernelVersion": "6.1.0-28-amd64", "containerRuntimeVersion": "containerd://1.6.20"}}})
    if control_plane:
        apistore.mark_control_plane(state, name, [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}])
`;

const OBJECTS = `apiVersion: v1
kind: Namespace
metadata:
  name: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kubeadm-config
  namespace: kube-system
data:
  ClusterConfiguration: |
    apiVersion: kubeadm.k8s.io/v1beta4
    kind: ClusterConfiguration
    kubernetesVersion: ${VERSION}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - {name: COLOUR, value: blue}
      volumes:
      - name: scratch
        emptyDir: {}
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: web
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      hostNetwork: true
      containers:
      - name: agent
        image: busybox:1.36
`;

const BUDGET = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: web
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
`;

describe('the stand-in kube-apiserver and the real kubectl (loopback)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'play-real-kubectl-'));
  const objects = path.join(dir, 'objects.yaml');
  const budget = path.join(dir, 'budget.yaml');
  let apiserver: ChildProcess | undefined;
  let port = 0;
  let env: NodeJS.ProcessEnv = {};
  const kubectl = (...args: string[]) => run(KUBECTL, ['--kubeconfig', path.join(dir, 'admin.conf'), ...args], env);
  const kubectlWithInput = (input: string, ...args: string[]) => run(KUBECTL, ['--kubeconfig', path.join(dir, 'admin.conf'), ...args], env, input);

  before(async function () {
    const missing = !existsSync(KUBECTL)
      ? `no real kubectl at ${KUBECTL} (test/standins/fetch-real-kubectl.sh puts Debian's there; PLAY_REAL_KUBECTL names another)`
      : ['/usr/bin/python3', '/usr/bin/openssl'].find((tool) => !existsSync(tool));
    requirePrerequisite(this, missing && (missing.startsWith('/') ? `needs ${missing}` : missing));
    const python = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', PYTHONPATH: STANDINS_SRC, LANG: 'C.UTF-8', HOME: dir };
    port = await freePort();
    const setup = await run('python3', ['-c', CLUSTER_SETUP, dir, String(port), VERSION], python);
    expect(setup.code, setup.stderr).to.equal(0);
    const pki = path.join(dir, 'pki');
    // the flags of kubeadm's kube-apiserver.yaml the stand-in reads (it ignores the others, as a
    // real one would use them), the environment the stand-in kubelet gives a static pod
    apiserver = spawn('python3', ['-m', 'playstandin.apiserver', `--advertise-address=${LOOPBACK}`, '--allow-privileged=true',
      '--authorization-mode=Node,RBAC', `--bind-address=${LOOPBACK}`, `--client-ca-file=${pki}/ca.crt`,
      `--secure-port=${port}`, `--tls-cert-file=${pki}/apiserver.crt`, `--tls-private-key-file=${pki}/apiserver.key`], {
      env: { ...python, PLAY_CLUSTER_STATE: path.join(dir, 'state'), PLAY_STANDIN_IMAGE: `registry.k8s.io/kube-apiserver:${VERSION}` },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const server = apiserver;
    process.once('exit', () => server.exitCode === null && server.kill('SIGKILL')); // a crashed run skips after()
    const deadline = Date.now() + 30_000;
    while (!(await accepts(port))) {
      if (Date.now() > deadline || apiserver.exitCode !== null) throw new Error(`the stand-in apiserver did not listen on ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // kubectl's discovery and OpenAPI caches go under HOME/.kube: this test's own
    env = { PATH: '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' };
    writeFileSync(objects, OBJECTS);
    writeFileSync(budget, BUDGET);
  });

  after(() => {
    if (apiserver?.pid && apiserver.exitCode === null) apiserver.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl version: the real client, the stand-in server at the same version', async () => {
    const plain = await kubectl('version');
    expect(plain.code, plain.stderr).to.equal(0);
    expect(plain.stdout).to.match(new RegExp(`^Client Version: v1\\.32\\.\\d+\nKustomize Version: v5\\.\\d+\\.\\d+\nServer Version: ${VERSION}\n$`));
    expect(plain.stderr).to.equal(''); // no version skew warning
    const json = JSON.parse((await kubectl('version', '-o', 'json')).stdout) as Record<string, { gitVersion: string }>;
    expect(json.clientVersion!.gitVersion).to.match(CLIENT_MINOR);
    expect(json.serverVersion!.gitVersion).to.equal(VERSION);
  });

  it('discovery: kubectl finds every kind through the aggregated discovery, with short names and the eviction subresource', async () => {
    const resources = await kubectl('api-resources');
    expect(resources.code, resources.stderr).to.equal(0);
    expect(resources.stdout).to.match(/\nnodes +no +v1 +false +Node\n/);
    expect(resources.stdout).to.match(/\npoddisruptionbudgets +pdb +policy\/v1 +true +PodDisruptionBudget\n/);
    expect(resources.stdout).to.match(/\ndaemonsets +ds +apps\/v1 +true +DaemonSet\n/);
    expect((await kubectl('api-versions')).stdout).to.contain('apps/v1\n');
    const legacy = JSON.parse((await kubectl('get', '--raw', '/api/v1')).stdout) as { resources: { name: string; kind: string; group?: string }[] };
    expect(legacy.resources).to.deep.include({ name: 'pods/eviction', singularName: '', namespaced: true, kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' });
  });

  it('kubectl get nodes: the server-side table, -o wide, -o name, -o json, jsonpath, --server', async () => {
    const table = await kubectl('get', 'nodes');
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/^NAME +STATUS +ROLES +AGE +VERSION\ncp1 +Ready +control-plane +\S+ +v1\.32\.3\nw1 +Ready +<none> +\S+ +v1\.32\.3\nw2 +Ready/);
    expect((await kubectl('get', 'nodes', '-o', 'wide')).stdout).to.match(
      /INTERNAL-IP +EXTERNAL-IP +OS-IMAGE +KERNEL-VERSION +CONTAINER-RUNTIME\ncp1 .* 127\.0\.0\.1 +<none> +Debian GNU\/Linux 12 \(bookworm\) +6\.1\.0-28-amd64 +containerd:\/\/1\.6\.20\n/);
    expect((await kubectl('get', 'nodes', '-o', 'name')).stdout).to.equal('node/cp1\nnode/w1\nnode/w2\n');
    expect((await kubectl('get', 'nodes', '--no-headers')).stdout.split('\n')[0]).to.match(/^cp1 +Ready/);
    const list = JSON.parse((await kubectl('get', 'nodes', '-o', 'json')).stdout) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).to.equal('List');
    expect(list.items.map((n) => n.metadata.name)).to.deep.equal(['cp1', 'w1', 'w2']);
    const one = JSON.parse((await kubectl('get', 'nodes', 'w1', '-o', 'json')).stdout) as { kind: string };
    expect(one.kind).to.equal('Node');
    expect((await kubectl('get', 'node', 'w1', '-o', 'jsonpath={.spec.unschedulable}')).stdout).to.equal('');
    // the cert-renewal probe: another server URL for the same cluster
    const probe = await kubectl('--server', `https://localhost:${port}`, 'get', 'node', 'cp1', '-o', 'name');
    expect(probe.stdout, probe.stderr).to.equal('node/cp1\n');
  });

  it('kubectl get of a missing node prints the real NotFound and exits 1', async () => {
    const missing = await kubectl('get', 'node', 'nope');
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.equal('Error from server (NotFound): nodes "nope" not found\n');
    expect((await kubectl('get', 'pods', '-n', 'web')).stderr).to.equal('No resources found in web namespace.\n');
  });

  it('kubectl apply -f: created, then unchanged, then configured by a strategic merge patch; create of an existing object fails with AlreadyExists', async () => {
    const first = await kubectl('apply', '-f', objects);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.equal('namespace/web created\nconfigmap/kubeadm-config created\ndeployment.apps/web created\ndaemonset.apps/agent created\n');
    const again = await kubectl('apply', '-f', objects);
    expect(again.stdout, again.stderr).to.equal('namespace/web unchanged\nconfigmap/kubeadm-config unchanged\ndeployment.apps/web unchanged\ndaemonset.apps/agent unchanged\n');
    writeFileSync(objects, OBJECTS.replace('value: blue', 'value: green').replace('replicas: 2', 'replicas: 3'));
    const changed = await kubectl('apply', '-f', objects);
    expect(changed.stdout, changed.stderr).to.equal('namespace/web unchanged\nconfigmap/kubeadm-config unchanged\ndeployment.apps/web configured\ndaemonset.apps/agent unchanged\n');
    const deployment = JSON.parse((await kubectl('get', 'deployment', 'web', '-n', 'web', '-o', 'json')).stdout) as {
      metadata: { annotations: Record<string, string> };
      spec: { replicas: number; template: { spec: { containers: { env: unknown[] }[]; volumes: unknown[] } } };
    };
    expect(deployment.spec.replicas).to.equal(3);
    expect(deployment.spec.template.spec.containers[0]!.env).to.deep.equal([{ name: 'COLOUR', value: 'green' }]);
    expect(deployment.spec.template.spec.volumes).to.deep.equal([{ name: 'scratch', emptyDir: {} }]);
    expect(JSON.parse(deployment.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']!)).to.have.nested.property('spec.replicas', 3);
    writeFileSync(objects, OBJECTS);
    expect((await kubectl('apply', '-f', objects)).stdout).to.contain('deployment.apps/web configured\n');
    expect((await kubectl('get', 'configmap', 'kubeadm-config', '-n', 'kube-system', '-o', 'jsonpath={.data.ClusterConfiguration}')).stdout)
      .to.contain(`kubernetesVersion: ${VERSION}\n`);
    expect((await kubectl('-n', 'kube-system', 'get', 'cm', 'kubeadm-config', '-o', 'yaml')).stdout).to.contain('  name: kubeadm-config\n  namespace: kube-system\n');
    // the lab suites' other sources: stdin, and a URL (the lab repository serves the calico manifest)
    const fromStdin = await kubectlWithInput(OBJECTS.replace('value: blue', 'value: red'), 'apply', '-f', '-');
    expect(fromStdin.stdout, fromStdin.stderr).to.contain('configmap/kubeadm-config unchanged\ndeployment.apps/web configured\n');
    const files = http.createServer((_request, response) => response.end(OBJECTS));
    await new Promise<void>((resolve) => files.listen(0, LOOPBACK, resolve));
    try {
      const url = `http://${LOOPBACK}:${(files.address() as net.AddressInfo).port}/objects.yaml`;
      const fromUrl = await kubectl('apply', '-f', url);
      expect(fromUrl.stdout, fromUrl.stderr).to.contain('configmap/kubeadm-config unchanged\ndeployment.apps/web configured\n');
    } finally {
      files.close();
    }
    const created = await kubectl('create', '-f', budget);
    expect(created.stdout, created.stderr).to.equal('poddisruptionbudget.policy/web created\n');
    const twice = await kubectl('create', '-f', budget);
    expect(twice.code).to.equal(1);
    expect(twice.stderr).to.equal(`Error from server (AlreadyExists): error when creating "${budget}": poddisruptionbudgets.policy "web" already exists\n`);
  });

  it('kubectl get pods -A and pdb: tables with the columns of the real printers', async () => {
    const pods = await kubectl('get', 'pods', '-A', '-o', 'wide');
    expect(pods.code, pods.stderr).to.equal(0);
    expect(pods.stdout).to.match(/^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES\n/);
    expect(pods.stdout).to.match(/\nkube-system +etcd-cp1 +1\/1 +Running +0 /);
    expect(pods.stdout.match(/\nweb +web-\S+ +1\/1 +Running/g)).to.have.length(2);
    const pdb = await kubectl('get', 'pdb', '-n', 'web');
    expect(pdb.stdout).to.match(/^NAME +MIN AVAILABLE +MAX UNAVAILABLE +ALLOWED DISRUPTIONS +AGE\nweb +2 +N\/A +0 +\S+\n$/);
  });

  it('kubectl cordon, uncordon, label and annotate: patches of the Node, with the real messages', async () => {
    expect((await kubectl('cordon', 'w2')).stdout).to.equal('node/w2 cordoned\n');
    expect((await kubectl('cordon', 'w2')).stdout).to.equal('node/w2 already cordoned\n');
    expect((await kubectl('get', 'nodes')).stdout).to.match(/\nw2 +Ready,SchedulingDisabled +<none> /);
    expect((await kubectl('get', 'node', 'w2', '-o', 'jsonpath={.spec.unschedulable}')).stdout).to.equal('true');
    expect((await kubectl('uncordon', 'w2')).stdout).to.equal('node/w2 uncordoned\n');
    expect((await kubectl('uncordon', 'w2')).stdout).to.equal('node/w2 already uncordoned\n');
    expect((await kubectl('label', 'node', 'w2', 'play.example/batch=1')).stdout).to.equal('node/w2 labeled\n');
    expect((await kubectl('label', 'node', 'w2', 'play.example/batch-')).stdout).to.equal('node/w2 unlabeled\n');
    expect((await kubectl('annotate', 'node', 'w2', 'play.example/upgrade=v1.32.3')).stdout).to.equal('node/w2 annotated\n');
    const refused = await kubectl('annotate', 'node', 'w2', 'play.example/upgrade=v1.33.0');
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain("--overwrite is false but found the following declared annotation(s): 'play.example/upgrade' already has a value (v1.32.3)");
    expect((await kubectl('annotate', 'node', 'w2', 'play.example/upgrade=v1.33.0', '--overwrite')).code).to.equal(0);
    expect((await kubectl('get', 'node', 'w2', '-o', 'jsonpath={.metadata.annotations.play\\.example/upgrade}')).stdout).to.equal('v1.33.0');
  });

  it('kubectl drain: a PodDisruptionBudget blocks the eviction (429, retried until --timeout, exit 1), and the node stays cordoned', async () => {
    const pods = JSON.parse((await kubectl('get', 'pods', '-n', 'web', '-o', 'json')).stdout) as { items: { metadata: { name: string }; spec: { nodeName?: string } }[] };
    const onW1 = pods.items.filter((p) => p.spec.nodeName === 'w1' && p.metadata.name.startsWith('web-')).map((p) => p.metadata.name);
    expect(onW1).to.have.length(1);
    const blocked = await kubectl('drain', 'w1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=3s');
    expect(blocked.code).to.equal(1);
    expect(blocked.stdout).to.match(new RegExp(`^node/w1 cordoned\nevicting pod web/${onW1[0]}\n`));
    expect(blocked.stderr).to.match(/^Warning: ignoring DaemonSet-managed Pods: web\/agent-\S+\n/);
    expect(blocked.stderr).to.contain(`error when evicting pods/"${onW1[0]}" -n "web" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n`);
    expect(blocked.stderr).to.contain(`error: unable to drain node "w1" due to error: error when evicting pods/"${onW1[0]}" -n "web": global timeout reached: 3s, continuing command...\n`);
    expect(blocked.stderr).to.contain('There are pending nodes to be drained:\n w1\n');
    expect((await kubectl('get', 'nodes')).stdout).to.match(/\nw1 +Ready,SchedulingDisabled /);
  });

  it('kubectl drain: without the budget the pod is evicted, the node drained; the mirror pods of a control plane stay', async () => {
    expect((await kubectl('delete', 'poddisruptionbudget', 'web', '-n', 'web')).stdout).to.equal('poddisruptionbudget.policy "web" deleted\n');
    const drained = await kubectl('drain', 'w1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=20s');
    expect(drained.code, drained.stderr).to.equal(0);
    expect(drained.stdout).to.match(/^node\/w1 already cordoned\nevicting pod web\/web-\S+\npod\/web-\S+ evicted\nnode\/w1 drained\n$/);
    const wide = (await kubectl('get', 'pods', '-n', 'web', '-o', 'wide', '--no-headers')).stdout;
    expect(wide.split('\n').filter((line) => / w1 /.test(line) && line.startsWith('web-'))).to.deep.equal([]);
    const controlPlane = await kubectl('drain', 'cp1', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=20s');
    expect(controlPlane.code, controlPlane.stderr).to.equal(0);
    expect(controlPlane.stdout).to.equal('node/cp1 cordoned\nnode/cp1 drained\n');
    const missing = await kubectl('drain', 'nope', '--ignore-daemonsets');
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.equal('Error from server (NotFound): nodes "nope" not found\n');
    expect((await kubectl('uncordon', 'w1')).stdout).to.equal('node/w1 uncordoned\n');
    expect((await kubectl('uncordon', 'cp1')).stdout).to.equal('node/cp1 uncordoned\n');
  });

  it('kubectl wait and delete: conditions, deletion, --ignore-not-found', async () => {
    const ready = await kubectl('wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=10s');
    expect(ready.stdout, ready.stderr).to.equal('node/cp1 condition met\nnode/w1 condition met\nnode/w2 condition met\n');
    const deleted = await kubectl('delete', 'node', 'w2');
    expect(deleted.stdout, deleted.stderr).to.equal('node "w2" deleted\n');
    const again = await kubectl('delete', 'node', 'w2');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.equal('Error from server (NotFound): nodes "w2" not found\n');
    const ignored = await kubectl('delete', 'node', 'w2', '--ignore-not-found');
    expect(ignored.code, ignored.stderr).to.equal(0);
    expect(ignored.stdout).to.equal('');
    const objectsGone = await kubectl('delete', '-f', objects, '--ignore-not-found');
    expect(objectsGone.code, objectsGone.stderr).to.equal(0);
    expect(objectsGone.stdout).to.contain('deployment.apps "web" deleted\n');
    expect((await kubectl('get', 'nodes', '-o', 'name')).stdout).to.equal('node/cp1\nnode/w1\n');
    expect(readFileSync(path.join(dir, 'admin.conf'), 'utf8')).to.contain(`server: https://127.0.0.1:${port}`);
  });

  it('kubectl apply -f of the lab\'s calico manifest (what the calico role applies): every kind created, then unchanged but the budget (last: its pods would be drained above)', async () => {
    const manifest = path.join(REPO_ROOT, 'test/lab/standins/calico/calico-v3.28.0.yaml');
    const kinds = [...readFileSync(manifest, 'utf8').matchAll(/^kind: (\S+)$/gm)].map((m) => m[1]);
    const first = await kubectl('apply', '-f', manifest);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stderr).to.equal('');
    const lines = first.stdout.trim().split('\n');
    expect(lines.length, first.stdout).to.equal(kinds.length);
    for (const line of lines) expect(line, first.stdout).to.match(/^[a-z0-9.]+\/\S+ created$/);
    // The same again: unchanged, except the PodDisruptionBudget, which the real kubectl reports
    // configured on every apply: spec.selector's patchStrategy is "replace" (api/policy/v1
    // types.go), so its three-way patch is never empty ({"spec":{"selector":...}}), and kubectl
    // prints configured for any non-empty patch (apply.go). The calico role applies only a changed
    // manifest (calico.yaml.applied), so it reads nothing into that line.
    const again = await kubectl('apply', '-f', manifest);
    expect(again.code, again.stderr).to.equal(0);
    const [budget, ...rest] = again.stdout.trim().split('\n');
    expect(budget).to.equal('poddisruptionbudget.policy/calico-kube-controllers configured');
    for (const line of rest) expect(line, again.stdout).to.match(/^[a-z0-9.]+\/\S+ unchanged$/);
  });
});
