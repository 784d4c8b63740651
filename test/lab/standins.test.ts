// The lab's Kubernetes stand-ins, driven through their contract on this machine.
//
// Everything runs on loopback inside throwaway roots: build.sh builds the .debs, the test
// unpacks them, and each "node" is a PLAY_STANDIN_ROOT with its own cri-o stand-in and a
// kubelet supervised the way systemd + 10-kubeadm.conf would. A small TCP proxy plays the
// control-plane endpoint (haproxy on the VIP). The assertions are on the real programs'
// output and files, so a stand-in that drifts from the contract fails here.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePrerequisite } from '../helpers/skip.js';
import { LAB } from './constants.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const LOOPBACK = '127.0.0.1';
/** Debian's kubectl as test/standins/fetch-real-kubectl.sh unpacked it: build.sh's default REAL_KUBECTL_ROOT. */
const REAL_KUBECTL_ROOT = LAB.realKubectlRoot;
const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

function standinsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (dir !== path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'lab', 'standins');
    if (existsSync(path.join(candidate, 'build.sh'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('test/lab/standins/build.sh not found above this file');
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string, timeoutMs = 120_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // EPIPE when the program exits without reading stdin
    child.stdin.end(input ?? '');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

/** The control-plane endpoint: a TCP forwarder to the first backend that accepts, like haproxy. */
class Endpoint {
  private readonly server: net.Server;
  backends: number[] = [];
  port = 0;

  constructor() {
    this.server = net.createServer((client) => this.forward(client, 0));
  }

  private forward(client: net.Socket, index: number): void {
    const backend = this.backends[index];
    if (backend === undefined) {
      client.destroy();
      return;
    }
    const upstream = net.connect(backend, LOOPBACK);
    upstream.once('error', () => {
      if (upstream.connecting) this.forward(client, index + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
  }

  start(): Promise<void> {
    return new Promise((resolve) =>
      this.server.listen(0, LOOPBACK, () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      }),
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The stand-in packages, unpacked, and the environment that runs them. */
class Lab {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'play-standins-'));
  readonly debs = path.join(this.dir, 'debs');
  readonly pkgroot = path.join(this.dir, 'pkgroot');
  /**
   * What the kubeadm role (and kubelet 1.30.2's Depends) install on a node and this controller may
   * lack: kubeadm's preflight looks them up in PATH (checks_linux.go addExecChecks). Stubs that
   * exit 0: the stand-ins never run them.
   */
  readonly tools = path.join(this.dir, 'tools');
  private readonly groups: ChildProcess[] = [];

  constructor() {
    mkdirSync(this.tools, { recursive: true });
    for (const tool of ['conntrack', 'iptables', 'ebtables', 'ethtool', 'socat']) {
      writeFileSync(path.join(this.tools, tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    }
    // a crashed mocha run skips after(): never leave daemons behind
    process.once('exit', () => this.killAll());
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${path.join(this.pkgroot, 'usr', 'bin')}:${this.tools}:/usr/sbin:/usr/bin:/sbin:/bin`,
      PYTHONPATH: path.join(this.pkgroot, 'usr', 'lib', 'python3', 'dist-packages'),
      HOME: this.dir,
      LANG: 'C.UTF-8',
      ...extra,
    };
  }

  /** A long-running process in its own process group (killed as a group in cleanup). */
  daemon(command: string, args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
    const out = openSync(log, 'a');
    const child = spawn(command, args, { env, detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    this.groups.push(child);
    return child;
  }

  killAll(): void {
    for (const child of this.groups) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  }
}

/** What systemd does for kubelet.service with kubeadm's drop-in: restart, with kubeadm-flags.env. */
const KUBELET_SUPERVISOR = `
while true; do
  hash -r  # an installed kubelet (installProgram) is found again, like systemd's ExecStart=/usr/bin/kubelet
  KUBELET_KUBEADM_ARGS=
  [ -f "$PLAY_STANDIN_ROOT/var/lib/kubelet/kubeadm-flags.env" ] && . "$PLAY_STANDIN_ROOT/var/lib/kubelet/kubeadm-flags.env"
  kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf \\
    --config=/var/lib/kubelet/config.yaml $KUBELET_KUBEADM_ARGS
  sleep 0.3
done`;

/** One host: a fake root with its runtime and kubelet. */
class FakeNode {
  readonly root: string;
  healthzPort = 0;
  apiPort = 0;
  private supervisor: ChildProcess | undefined;

  constructor(
    private readonly lab: Lab,
    readonly name: string,
    private readonly stateDir: string,
  ) {
    this.root = path.join(lab.dir, 'nodes', name);
    mkdirSync(path.join(this.root, 'proc', 'sys', 'net', 'ipv4'), { recursive: true });
    writeFileSync(path.join(this.root, 'proc', 'sys', 'net', 'ipv4', 'ip_forward'), '1\n');
    writeFileSync(path.join(this.root, 'proc', 'swaps'), 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n');
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env = this.lab.env({ PLAY_STANDIN_ROOT: this.root, PLAY_CLUSTER_STATE: this.stateDir, ...extra });
    // this host's own /usr/bin first: where a package moved on this node only (installPackage) lands
    return { ...env, PATH: `${this.path('usr/bin')}:${env.PATH ?? ''}` };
  }

  /** `apt-get install PKG=VERSION` on this host only: the program from an unpacked .deb into its /usr/bin. */
  installProgram(unpacked: string, program: string): void {
    mkdirSync(this.path('usr/bin'), { recursive: true });
    writeFileSync(this.path(`usr/bin/${program}`), readFileSync(path.join(unpacked, 'usr', 'bin', program)), { mode: 0o755 });
  }

  /** `systemctl restart kubelet`: the supervisor (systemd's part) starts it again from PATH. */
  restartKubelet(): void {
    const pid = this.supervisor?.pid;
    if (!pid) throw new Error(`${this.name}: no kubelet supervisor`);
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      process.kill(Number(child), 'SIGTERM');
    }
  }

  path(real: string): string {
    return path.join(this.root, real);
  }

  async boot(): Promise<void> {
    this.healthzPort = await freePort();
    this.apiPort = await freePort();
    this.lab.daemon('crio', [], this.env(), path.join(this.lab.dir, `${this.name}-crio.log`));
    this.supervisor = this.lab.daemon('bash', ['-c', KUBELET_SUPERVISOR], this.env(), path.join(this.lab.dir, `${this.name}-kubelet.log`));
    await eventually(async () => (existsSync(this.path('run/crio/crio.sock')) ? true : undefined), 10_000, `${this.name} crio.sock`);
  }

  kubeadm(args: string[], input?: string): Promise<Result> {
    return run('kubeadm', args, this.env(), input);
  }

  kubectl(args: string[]): Promise<Result> {
    return run('kubectl', args, this.env({ KUBECONFIG: this.path('etc/kubernetes/admin.conf') }));
  }

  /** Static pod processes (the apiserver) live in their own sessions: kill them by pid. */
  killPods(): void {
    const records = this.path('var/lib/kubelet/standin-pods');
    if (!existsSync(records)) return;
    for (const file of readdirSync(records).filter((name) => name.endsWith('.json'))) {
      try {
        const record = JSON.parse(readFileSync(path.join(records, file), 'utf8')) as { pid?: number };
        if (record.pid) process.kill(-record.pid, 'SIGKILL');
      } catch {
        /* already gone, or a record being rewritten */
      }
    }
  }

  nodeRegistration(): string {
    return [
      'nodeRegistration:',
      `  name: ${this.name}`,
      '  criSocket: unix:///var/run/crio/crio.sock',
      '  kubeletExtraArgs:',
      `    healthz-port: "${this.healthzPort}"`,
      `    node-ip: ${LOOPBACK}`,
    ].join('\n');
  }

  writeConfig(name: string, text: string): string {
    const file = path.join(this.root, `${name}.yaml`);
    writeFileSync(file, text);
    return file;
  }
}

function initConfig(node: FakeNode, endpoint: string, podSubnet: string): string {
  return `apiVersion: kubeadm.k8s.io/v1beta3
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: ${LOOPBACK}
  bindPort: ${node.apiPort}
${node.nodeRegistration()}
---
apiVersion: kubeadm.k8s.io/v1beta3
kind: ClusterConfiguration
kubernetesVersion: v1.30.2
controlPlaneEndpoint: ${endpoint}
networking:
  podSubnet: ${podSubnet}
apiServer:
  extraArgs:
    bind-address: ${LOOPBACK}
`;
}

function joinConfig(node: FakeNode, endpoint: string, token: string, caHash: string, certificateKey?: string): string {
  const controlPlane = certificateKey
    ? `controlPlane:\n  certificateKey: ${certificateKey}\n  localAPIEndpoint:\n    advertiseAddress: ${LOOPBACK}\n    bindPort: ${node.apiPort}\n`
    : '';
  return `apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: ${endpoint}
    token: ${token}
    caCertHashes: ["${caHash}"]
${controlPlane}${node.nodeRegistration()}
`;
}

function writeSettings(stateDir: string, settings: Record<string, unknown>): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(path.join(stateDir, 'settings.json'), JSON.stringify(settings));
}

function mode(file: string): string {
  return (statSync(file).mode & 0o777).toString(8);
}

const FAST_SETTINGS = {
  control_plane_timeout_seconds: 30,
  discovery_timeout_seconds: 3,
  tls_bootstrap_timeout_seconds: 30,
  heartbeat_seconds: 1,
  node_monitor_grace_seconds: 10,
  key_algorithm: 'ECDSA-P256', // RSA-2048 is the default; generating it costs ~0.5 s a key here
};

function anyFailed(suite: Mocha.Suite): boolean {
  return suite.tests.some((t) => t.state === 'failed') || suite.suites.some(anyFailed);
}

const prerequisites = (): string | undefined => {
  if (process.getuid?.() !== 0) return 'needs root (kubeadm preflight)';
  for (const tool of ['/usr/bin/python3', '/usr/bin/dpkg-deb', '/usr/bin/openssl']) {
    if (!existsSync(tool)) return `needs ${tool}`;
  }
  return undefined;
};

describe('lab stand-ins: kubeadm, kubelet, kubectl, cri-o, crictl (loopback, fake roots)', function () {
  this.timeout(120_000);
  const lab = new Lab();
  const state = path.join(lab.dir, 'state');
  const endpoint = new Endpoint();
  const nodes = {
    cp1: new FakeNode(lab, 'cp1', state),
    cp2: new FakeNode(lab, 'cp2', state),
    w1: new FakeNode(lab, 'w1', state),
  };
  let endpointAddress = '';
  let caHash = '';
  let token = '';
  let buildMs = 0;
  let arch = 'amd64';

  before(async function () {
    requirePrerequisite(this, prerequisites());
    arch = (await run('dpkg', ['--print-architecture'], lab.env())).stdout.trim();
    const started = Date.now();
    const built = await run(path.join(standinsDir(), 'build.sh'), [lab.debs], lab.env({ KUBE_VERSIONS: '1.30.2' }));
    buildMs = Date.now() - started;
    expect(built.code, built.stderr).to.equal(0);
    for (const deb of readdirSync(lab.debs)) {
      const unpacked = await run('dpkg-deb', ['-x', path.join(lab.debs, deb), lab.pkgroot], lab.env());
      expect(unpacked.code, unpacked.stderr).to.equal(0);
    }
    writeSettings(state, FAST_SETTINGS);
    await endpoint.start();
    endpointAddress = `${LOOPBACK}:${endpoint.port}`;
    for (const node of Object.values(nodes)) await node.boot();
    endpoint.backends = [nodes.cp1.apiPort];
  });

  after(async function () {
    lab.killAll(); // the kubelets first, so none restarts a pod killed below
    for (const node of Object.values(nodes)) node.killPods();
    await endpoint.stop();
    // keep the logs of a failed run for a look (PLAY_STANDINS_KEEP=1 keeps them always)
    const failed = this.test?.parent ? anyFailed(this.test.parent) : false;
    if (!failed && !process.env.PLAY_STANDINS_KEEP) rmSync(lab.dir, { recursive: true, force: true });
    else console.log(`stand-in lab kept in ${lab.dir}`);
  });

  describe('packages', () => {
    it('builds every package quickly, with the real names and pkgs.k8s.io versions', async () => {
      expect(buildMs).to.be.below(10_000);
      expect(readdirSync(lab.debs).sort()).to.deep.equal([
        `cri-o_1.30.2-1.1_${arch}.deb`,
        `cri-tools_1.30.0-1.1_${arch}.deb`,
        `kubeadm_1.30.2-1.1_${arch}.deb`,
        `kubectl_1.30.2-1.1_${arch}.deb`,
        `kubelet_1.30.2-1.1_${arch}.deb`,
        `kubernetes-cni_1.4.0-1.1_${arch}.deb`,
        'play-standin-etcd_1.0.0_all.deb',
        'play-standin-lib_1.0.0_all.deb',
      ]);
      const fields = await run('dpkg-deb', ['-f', path.join(lab.debs, `kubeadm_1.30.2-1.1_${arch}.deb`), 'Version', 'Depends'], lab.env());
      expect(fields.stdout).to.contain('Version: 1.30.2-1.1');
      // The real packages' Depends (kubernetes/release metadata.yaml and kubelet.spec of the release day).
      expect(fields.stdout).to.match(/\nDepends: play-standin-lib \(>= 1\.0\.0\), cri-tools \(>= 1\.30\.0\)\n/);
      const kubelet = await run('dpkg-deb', ['-f', path.join(lab.debs, `kubelet_1.30.2-1.1_${arch}.deb`), 'Depends'], lab.env());
      expect(kubelet.stdout).to.contain('iptables (>= 1.4.21)').and.to.contain('conntrack').and.to.contain('kubernetes-cni (>= 1.2.0)');
      // The etcd "image": Debian's real etcd and etcdctl, its own daemon taken out (README: the etcd image).
      expect(kubelet.stdout).to.contain('play-standin-etcd');
      const etcdImage = path.join(lab.debs, 'play-standin-etcd_1.0.0_all.deb');
      expect((await run('dpkg-deb', ['-f', etcdImage, 'Depends'], lab.env())).stdout).to.equal('etcd-server (>= 3.3), etcd-client (>= 3.3)\n');
      expect((await run('dpkg-deb', ['-I', etcdImage, 'postinst'], lab.env())).stdout).to.contain('systemctl mask etcd.service');
      const lib = await run('dpkg-deb', ['-f', path.join(lab.debs, 'play-standin-lib_1.0.0_all.deb'), 'Depends'], lab.env());
      expect(lib.stdout).to.contain('python3-yaml').and.to.contain('openssl');
      for (const file of ['usr/bin/kubeadm', 'usr/bin/kubelet', 'usr/bin/kubectl', 'usr/bin/crictl', 'usr/bin/crio',
        'usr/lib/systemd/system/kubelet.service', 'usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
        'usr/lib/systemd/system/crio.service', 'etc/crio/crio.conf']) {
        expect(existsSync(path.join(lab.pkgroot, file)), file).to.equal(true);
      }
      expect(readFileSync(path.join(lab.pkgroot, 'usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'), 'utf8'))
        .to.contain('ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS');
    });

    it('builds several Kubernetes versions when asked (KUBE_VERSIONS)', async () => {
      const multi = path.join(lab.dir, 'debs-multi');
      const built = await run(path.join(standinsDir(), 'build.sh'), [multi], lab.env({ KUBE_VERSIONS: '1.29.6 1.30.2 1.31.0 1.31.14' }));
      expect(built.code, built.stderr).to.equal(0);
      const files = readdirSync(multi);
      for (const expected of [`kubeadm_1.29.6-1.1_${arch}.deb`, `kubeadm_1.31.0-1.1_${arch}.deb`, `kubelet_1.29.6-1.1_${arch}.deb`,
        `cri-o_1.31.0-1.1_${arch}.deb`, `cri-tools_1.29.0-1.1_${arch}.deb`, `cri-tools_1.31.0-1.1_${arch}.deb`]) {
        expect(files, expected).to.include(expected);
      }
      // kubelet 1.31.14 was built after kubernetes/release d2a7ae37: no conntrack (kubernetes#135306); kubeadm 1.29 still needs kubelet.
      const depends = async (deb: string): Promise<string> => (await run('dpkg-deb', ['-f', path.join(multi, deb), 'Depends'], lab.env())).stdout;
      expect(await depends(`kubelet_1.31.14-1.1_${arch}.deb`)).to.equal('play-standin-lib (>= 1.0.0), play-standin-etcd, iptables (>= 1.4.21), kubernetes-cni (>= 1.2.0), mount, util-linux\n');
      expect(await depends(`kubelet_1.31.0-1.1_${arch}.deb`)).to.contain('conntrack');
      expect(await depends(`kubeadm_1.29.6-1.1_${arch}.deb`)).to.contain('kubelet (>= 1.19.0)');
      const wrapper = path.join(lab.dir, 'multi-root');
      await run('dpkg-deb', ['-x', path.join(multi, `kubeadm_1.31.0-1.1_${arch}.deb`), wrapper], lab.env());
      expect((await run(path.join(wrapper, 'usr/bin/kubeadm'), ['version', '-o', 'short'], lab.env())).stdout).to.equal('v1.31.0\n');
    });

    it('builds the same bytes twice (deterministic); by default the four versions of the lab\'s upgrade paths', async () => {
      const again = path.join(lab.dir, 'debs-again');
      const defaults = await run(path.join(standinsDir(), 'build.sh'), [again], lab.env());
      expect(defaults.code, defaults.stderr).to.equal(0);
      const kubeadms = readdirSync(again).filter((f) => f.startsWith('kubeadm_')).sort();
      expect(kubeadms).to.deep.equal(['1.30.2', '1.30.5', '1.31.14', '1.32.3'].map((v) => `kubeadm_${v}-1.1_${arch}.deb`));
      // kubelet 1.32.3 (released 2025-03-11) still depends on conntrack, as 1.30.5 does.
      const kubelet1323 = await run('dpkg-deb', ['-f', path.join(again, `kubelet_1.32.3-1.1_${arch}.deb`), 'Depends'], lab.env());
      expect(kubelet1323.stdout).to.contain(', conntrack,');
      const kubelet1305 = await run('dpkg-deb', ['-f', path.join(again, `kubelet_1.30.5-1.1_${arch}.deb`), 'Depends'], lab.env());
      expect(kubelet1305.stdout).to.equal('play-standin-lib (>= 1.0.0), play-standin-etcd, iptables (>= 1.4.21), kubernetes-cni (>= 1.2.0), iproute2, mount, conntrack, util-linux, ethtool\n');
      for (const deb of readdirSync(lab.debs)) {
        expect(readFileSync(path.join(again, deb)).equals(readFileSync(path.join(lab.debs, deb))), deb).to.equal(true);
      }
    });

    it('kubectl 1.32.3 is the real client, Debian\'s build repackaged; the build refuses a missing or other binary', async () => {
      const debs = path.join(lab.dir, 'debs-real-kubectl');
      const built = await run(path.join(standinsDir(), 'build.sh'), [debs], lab.env({ KUBE_VERSIONS: '1.32.3' }));
      expect(built.code, built.stderr).to.equal(0);
      const deb = path.join(debs, `kubectl_1.32.3-1.1_${arch}.deb`);
      const fields = (await run('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Depends', 'Description'], lab.env())).stdout;
      expect(fields).to.match(/^Package: kubectl\nVersion: 1\.32\.3-1\.1\n/);
      expect(fields, 'no Depends: not the stand-in library').not.to.contain('Depends:');
      expect(fields).to.contain("The real kubectl 1.32.3, not a stand-in: Debian's build");
      const unpacked = path.join(lab.dir, 'real-kubectl-root');
      await run('dpkg-deb', ['-x', deb, unpacked], lab.env());
      // Byte for byte what Debian's package ships, with its completions, man page and copyright.
      for (const file of ['usr/bin/kubectl', 'usr/share/bash-completion/completions/kubectl.bash', 'usr/share/man/man1/kubectl.1.gz', 'usr/share/doc/kubectl/copyright']) {
        expect(readFileSync(path.join(unpacked, file)).equals(readFileSync(path.join(REAL_KUBECTL_ROOT, file))), file).to.equal(true);
      }
      const client = await run(path.join(unpacked, 'usr/bin/kubectl'), ['version', '--client', '-o', 'json'], lab.env());
      expect((JSON.parse(client.stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion).to.equal('v1.32.3');
      // The other versions keep the stand-in (the upgrade test's older steps).
      expect(readFileSync(path.join(lab.pkgroot, 'usr/bin/kubectl'), 'utf8')).to.contain('play lab stand-in');
      const missing = await run(path.join(standinsDir(), 'build.sh'), [path.join(lab.dir, 'debs-no-kubectl')],
        lab.env({ KUBE_VERSIONS: '1.32.3', REAL_KUBECTL_ROOT: path.join(lab.dir, 'nowhere') }));
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.contain('the real kubectl 1.32.3 is missing').and.to.contain('fetch-real-kubectl.sh');
      const other = await run(path.join(standinsDir(), 'build.sh'), [path.join(lab.dir, 'debs-other-kubectl')],
        lab.env({ KUBE_VERSIONS: '1.31.14', REAL_KUBECTL_VERSION: '1.31.14' }));
      expect(other.code).to.equal(1);
      expect(other.stderr).to.contain("is kubectl 'v1.32.3', not v1.31.14");
    });
  });

  describe('versions and the container runtime', () => {
    it('prints versions in the real formats', async () => {
      const cp1 = nodes.cp1;
      expect((await cp1.kubeadm(['version'])).stdout).to.match(
        /^kubeadm version: &version\.Info\{Major:"1", Minor:"30", GitVersion:"v1\.30\.2", GitCommit:"[0-9a-f]{40}", GitTreeState:"clean", BuildDate:"[^"]+", GoVersion:"go[0-9.]+", Compiler:"gc", Platform:"linux\/\w+"\}\n$/,
      );
      expect((await cp1.kubeadm(['version', '-o', 'short'])).stdout).to.equal('v1.30.2\n');
      const json = JSON.parse((await cp1.kubeadm(['version', '-o', 'json'])).stdout) as { clientVersion: { gitVersion: string } };
      expect(json.clientVersion.gitVersion).to.equal('v1.30.2');
      expect((await run('kubelet', ['--version'], cp1.env())).stdout).to.equal('Kubernetes v1.30.2\n');
      expect((await run('kubectl', ['version', '--client'], cp1.env())).stdout).to.match(/^Client Version: v1\.30\.2\nKustomize Version: v5\./);
      expect((await run('crictl', ['--version'], cp1.env())).stdout).to.equal('crictl version v1.30.0\n');
      expect((await run('crio', ['--version'], cp1.env())).stdout).to.match(/^crio version 1\.30\.2\nVersion: +1\.30\.2\n/);
    });

    it('crictl talks to the cri-o stand-in, and fails like crictl when no runtime listens', async () => {
      const version = await run('crictl', ['--runtime-endpoint', 'unix:///var/run/crio/crio.sock', 'version'], nodes.cp1.env());
      expect(version.stdout).to.equal('Version:  0.1.0\nRuntimeName:  cri-o\nRuntimeVersion:  1.30.2\nRuntimeApiVersion:  v1\n');
      const info = JSON.parse((await run('crictl', ['-r', 'unix:///var/run/crio/crio.sock', 'info'], nodes.cp1.env())).stdout) as {
        status: { conditions: { type: string; status: boolean }[] };
      };
      expect(info.status.conditions.map((c) => `${c.type}=${String(c.status)}`)).to.deep.equal(['RuntimeReady=true', 'NetworkReady=false']);
      const down = await run('crictl', ['-r', 'unix:///var/run/containerd/containerd.sock', 'info'], nodes.cp1.env());
      expect(down.code).to.equal(1);
      expect(down.stderr).to.contain('level=fatal msg="validate service connection: validate CRI v1 runtime API for endpoint \\"unix:///var/run/containerd/containerd.sock\\"');
      expect(down.stderr).to.contain('connect: no such file or directory');
    });
  });

  describe('kubeadm init', () => {
    let output = '';

    it('initialises through the endpoint, writes kubeadm\'s files and prints both join commands', async () => {
      const cp1 = nodes.cp1;
      const config = cp1.writeConfig('init', initConfig(cp1, endpointAddress, '10.244.0.0/16'));
      const result = await cp1.kubeadm(['init', '--config', config, '--upload-certs']);
      expect(result.code, result.stderr + result.stdout).to.equal(0);
      output = result.stdout;
      expect(output).to.contain('[init] Using Kubernetes version: v1.30.2');
      expect(output).to.contain('[kubelet-check] The kubelet is healthy after');
      expect(output).to.contain('[api-check] The API server is healthy after');
      expect(output).to.contain('Your Kubernetes control-plane has initialized successfully!');

      const host = endpointAddress.replace(/\./g, '\\.');
      const controlPlane = new RegExp(
        `\\n  kubeadm join ${host} --token (\\S+) \\\\\\n\\t--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64}) \\\\\\n\\t--control-plane --certificate-key ([0-9a-f]{64})\\n`,
      ).exec(output);
      expect(controlPlane, output).to.not.equal(null);
      const worker = new RegExp(`\\n\\nkubeadm join ${host} --token (\\S+) \\\\\\n\\t--discovery-token-ca-cert-hash (sha256:[0-9a-f]{64}) \\n$`).exec(output);
      expect(worker, output).to.not.equal(null);
      token = controlPlane?.[1] ?? '';
      caHash = controlPlane?.[2] ?? '';
      expect(token).to.match(TOKEN);
      expect(worker?.[1]).to.equal(token);
      expect(output).to.contain(`[upload-certs] Using certificate key:\n${controlPlane?.[3]}\n`);

      // the pinned hash is the sha256 of ca.crt's public key, as openssl computes it
      const pin = await run('sh', ['-c', `openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform DER | sha256sum`, 'sh', cp1.path('etc/kubernetes/pki/ca.crt')], lab.env());
      expect(caHash).to.equal(`sha256:${pin.stdout.split(' ')[0]}`);
    });

    it('leaves the files and modes kubeadm leaves', async () => {
      const cp1 = nodes.cp1;
      for (const conf of ['admin.conf', 'super-admin.conf', 'kubelet.conf', 'controller-manager.conf', 'scheduler.conf']) {
        expect(mode(cp1.path(`etc/kubernetes/${conf}`)), conf).to.equal('600');
      }
      const admin = readFileSync(cp1.path('etc/kubernetes/admin.conf'), 'utf8');
      expect(admin).to.contain(`server: https://${endpointAddress}\n`);
      expect(admin).to.match(/client-certificate-data: \S+/).and.to.contain('current-context: kubernetes-admin@kubernetes');
      expect(readFileSync(cp1.path('etc/kubernetes/kubelet.conf'), 'utf8')).to.contain('client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem');
      expect(readdirSync(cp1.path('etc/kubernetes/manifests')).sort()).to.deep.equal(['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml']);
      expect(mode(cp1.path('etc/kubernetes/pki/ca.key'))).to.equal('600');
      expect(readFileSync(cp1.path('etc/kubernetes/pki/ca.key'), 'utf8')).to.contain('BEGIN EC PRIVATE KEY'); // key_algorithm setting
      const sans = await run('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', cp1.path('etc/kubernetes/pki/apiserver.crt')], lab.env());
      expect(sans.stdout).to.contain('DNS:kubernetes.default.svc.cluster.local').and.to.contain('IP Address:10.96.0.1').and.to.contain('IP Address:127.0.0.1');
      expect(readFileSync(cp1.path('var/lib/kubelet/kubeadm-flags.env'), 'utf8')).to.match(/^KUBELET_KUBEADM_ARGS=".*--container-runtime-endpoint=unix:\/\/\/var\/run\/crio\/crio\.sock.*--hostname-override=cp1/);
      const cluster = JSON.parse(readFileSync(path.join(state, 'cluster.json'), 'utf8')) as Record<string, string>;
      expect(cluster).to.include({ controlPlaneEndpoint: endpointAddress, podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', kubernetesVersion: 'v1.30.2', caCertHash: caHash });
    });

    it('refuses a second init on the same host with kubeadm\'s preflight errors', async () => {
      const cp1 = nodes.cp1;
      const result = await cp1.kubeadm(['init', '--config', cp1.path('init.yaml')]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain('error execution phase preflight: [preflight] Some fatal errors occurred:');
      expect(result.stderr).to.contain('\t[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists');
      expect(result.stderr).to.contain(`\t[ERROR Port-${cp1.apiPort}]: Port ${cp1.apiPort} is in use`);
      expect(result.stderr).to.contain('[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`');
    });

    it('kubectl reaches the API through the endpoint: the first node is a NotReady control plane', async () => {
      // The node appears with the kubelet's first status update: on a loaded machine, a moment later.
      const expected = /^NAME +STATUS +ROLES +AGE +VERSION\ncp1 +NotReady +control-plane +\S+ +v1\.30\.2\n$/;
      let last = '';
      const listed = await eventually(async () => {
        const result = await nodes.cp1.kubectl(['get', 'nodes']);
        last = `exit ${result.code}: ${result.stdout}${result.stderr}`;
        return result.code === 0 && expected.test(result.stdout) ? result.stdout : undefined;
      }, 10_000, 'cp1 listed as a NotReady control plane').catch((err: Error) => {
        throw new Error(`${err.message}; last kubectl get nodes: ${last}`);
      });
      expect(listed).to.match(expected);
      // the kubelet reports its static pods (and their readiness probes) with each status update
      const pods = await eventually(async () => {
        const listed = (await nodes.cp1.kubectl(['get', 'pods', '-A'])).stdout;
        return /kube-system +kube-apiserver-cp1 +1\/1 +Running/.test(listed) ? listed : undefined;
      }, 10_000, 'kube-apiserver-cp1 1/1 Running');
      expect(pods).to.match(/^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE\n/);
      expect(pods).to.match(/kube-system +coredns-[a-z0-9]{10}-[a-z0-9]{5} +0\/1 +Pending/);
      expect(pods).to.match(/kube-system +etcd-cp1 +1\/1 +Running/);
      // kubeadm finds etcd's endpoints where the real one does: the etcd pods' annotation
      const etcdPod = JSON.parse((await nodes.cp1.kubectl(['get', 'pod', 'etcd-cp1', '-n', 'kube-system', '-o', 'json'])).stdout) as
        { metadata: { annotations?: Record<string, string> } };
      expect(etcdPod.metadata.annotations?.['kubeadm.kubernetes.io/etcd.advertise-client-urls']).to.equal(`https://${LOOPBACK}:2379`);
    });
  });

  describe('kubeadm join', () => {
    it('refuses an unknown token with kubeadm\'s discovery error', async () => {
      const result = await nodes.w1.kubeadm(['join', endpointAddress, '--token', 'zzzzzz.0123456789abcdef', '--discovery-token-ca-cert-hash', caHash]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain('error execution phase preflight: couldn\'t validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "zzzzzz"');
    });

    it('refuses a wrong CA hash', async () => {
      const wrong = `sha256:${'0'.repeat(64)}`;
      const result = await nodes.w1.kubeadm(['join', endpointAddress, '--token', token, '--discovery-token-ca-cert-hash', wrong]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain(`cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${caHash}" are pinned`);
    });

    it('fails discovery when the endpoint does not answer', async () => {
      const dead = await freePort();
      const result = await nodes.w1.kubeadm(['join', `${LOOPBACK}:${dead}`, '--token', token, '--discovery-token-ca-cert-hash', caHash]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain(`Get "https://${LOOPBACK}:${dead}/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp ${LOOPBACK}:${dead}: connect: connection refused`);
    });

    it('joins a worker with a good token (TLS bootstrap by the kubelet)', async () => {
      const w1 = nodes.w1;
      const result = await w1.kubeadm(['join', '--config', w1.writeConfig('join', joinConfig(w1, endpointAddress, token, caHash))]);
      expect(result.code, result.stderr + result.stdout).to.equal(0);
      expect(result.stdout).to.contain('[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap');
      expect(result.stdout).to.contain('This node has joined the cluster:\n* Certificate signing request was sent to apiserver and a response was received.');
      expect(existsSync(w1.path('etc/kubernetes/kubelet.conf'))).to.equal(true);
      expect(existsSync(w1.path('etc/kubernetes/bootstrap-kubelet.conf'))).to.equal(false);
      expect(existsSync(w1.path('etc/kubernetes/admin.conf'))).to.equal(false);
      const again = await w1.kubeadm(['join', '--config', w1.path('join.yaml')]);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.contain('[ERROR FileAvailable--etc-kubernetes-kubelet.conf]: /etc/kubernetes/kubelet.conf already exists');
    });

    it('refuses an expired certificate key, and a replaced one', async () => {
      const cp1 = nodes.cp1;
      const cp2 = nodes.cp2;
      writeSettings(state, { ...FAST_SETTINGS, certificate_key_ttl_seconds: 1 });
      const upload = await cp1.kubeadm(['init', 'phase', 'upload-certs', '--upload-certs']);
      expect(upload.stdout).to.match(/^\[upload-certs\] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n\[upload-certs\] Using certificate key:\n[0-9a-f]{64}\n$/);
      const shortLived = upload.stdout.trim().split('\n').pop() ?? '';
      await sleep(1500);
      const expired = await cp2.kubeadm(['join', '--config', cp2.writeConfig('join', joinConfig(cp2, endpointAddress, token, caHash, shortLived))]);
      expect(expired.code).to.equal(1);
      expect(expired.stderr).to.contain(
        'error execution phase control-plane-prepare/download-certs: error downloading certs: error downloading the secret: Secret "kubeadm-certs" was not found in the "kube-system" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one',
      );

      writeSettings(state, FAST_SETTINGS);
      expect((await cp1.kubeadm(['init', 'phase', 'upload-certs', '--upload-certs'])).code).to.equal(0);
      const replaced = await cp2.kubeadm(['join', '--config', cp2.path('join.yaml')]);
      expect(replaced.code).to.equal(1);
      expect(replaced.stderr).to.contain('error downloading certs: error decoding secret data with provided key: cipher: message authentication failed');
    });

    it('joins a control plane with a fresh key from `kubeadm init phase upload-certs`', async () => {
      const cp1 = nodes.cp1;
      const cp2 = nodes.cp2;
      const upload = await cp1.kubeadm(['init', 'phase', 'upload-certs', '--upload-certs']);
      const key = upload.stdout.trim().split('\n').pop() ?? '';
      expect(key).to.match(/^[0-9a-f]{64}$/);
      const printed = await cp1.kubeadm(['token', 'create', '--print-join-command', '--certificate-key', key]);
      expect(printed.stdout).to.match(new RegExp(`^kubeadm join ${endpointAddress} --token [a-z0-9]{6}\\.[a-z0-9]{16} --discovery-token-ca-cert-hash ${caHash} --control-plane --certificate-key ${key}\\n$`));
      const fresh = printed.stdout.split(' ')[4] ?? '';
      const result = await cp2.kubeadm(['join', '--config', cp2.writeConfig('join', joinConfig(cp2, endpointAddress, fresh, caHash, key))]);
      expect(result.code, result.stderr + result.stdout).to.equal(0);
      expect(result.stdout).to.contain('[download-certs] Saving the certificates to the folder: "/etc/kubernetes/pki"');
      expect(result.stdout).to.contain('This node has joined the cluster and a new control plane instance was created:');
      expect(readFileSync(cp2.path('etc/kubernetes/pki/ca.crt'), 'utf8')).to.equal(readFileSync(cp1.path('etc/kubernetes/pki/ca.crt'), 'utf8'));
      // kubeadm-certs carries the etcd CA: cp2's etcd certificates chain to cp1's etcd CA
      expect(readFileSync(cp2.path('etc/kubernetes/pki/etcd/ca.crt'), 'utf8')).to.equal(readFileSync(cp1.path('etc/kubernetes/pki/etcd/ca.crt'), 'utf8'));
      for (const leaf of ['etcd/server', 'etcd/peer', 'etcd/healthcheck-client', 'apiserver-etcd-client']) {
        const verified = await run('openssl', ['verify', '-CAfile', cp2.path('etc/kubernetes/pki/etcd/ca.crt'), cp2.path(`etc/kubernetes/pki/${leaf}.crt`)], lab.env());
        expect(verified.code, `${leaf}: ${verified.stdout}${verified.stderr}`).to.equal(0);
      }
      endpoint.backends = [nodes.cp1.apiPort, nodes.cp2.apiPort];
      const listed = await cp1.kubeadm(['token', 'list']);
      expect(listed.stdout).to.match(/^TOKEN +TTL +EXPIRES +USAGES +DESCRIPTION +EXTRA GROUPS\n/);
      expect(listed.stdout).to.contain(`${token}   23h`);
    });
  });

  describe('pod network', () => {
    it('keeps nodes NotReady until calico is applied, then Ready with the manifest\'s CIDR in the CNI config', async () => {
      const cp1 = nodes.cp1;
      const names = await eventually(async () => {
        const result = await cp1.kubectl(['get', 'nodes', '-o', 'name']);
        return result.stdout.split('\n').filter(Boolean).length === 3 ? result.stdout : undefined;
      }, 20_000, 'three nodes');
      expect(names).to.equal('node/cp1\nnode/cp2\nnode/w1\n');
      const before = await cp1.kubectl(['get', 'nodes']);
      expect(before.stdout.match(/NotReady/g)?.length, before.stdout).to.equal(3);
      expect(before.stdout).to.match(/\ncp2 +NotReady +control-plane /).and.to.match(/\nw1 +NotReady +<none> /);

      // the seeds' edit: uncomment CALICO_IPV4POOL_CIDR and set it (here unlike kubeadm's podSubnet)
      const upstream = readFileSync(path.join(standinsDir(), 'calico', 'calico-v3.28.0.yaml'), 'utf8');
      expect(upstream).to.contain('            # - name: CALICO_IPV4POOL_CIDR\n            #   value: "192.168.0.0/16"');
      const edited = upstream.replace('# - name: CALICO_IPV4POOL_CIDR', '- name: CALICO_IPV4POOL_CIDR').replace('#   value: "192.168.0.0/16"', '  value: "172.31.0.0/16"');
      const server = http.createServer((_, response) => response.end(edited));
      await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
      const url = `http://${LOOPBACK}:${(server.address() as net.AddressInfo).port}/files/calico/calico-v3.28.0.yaml`;
      try {
        const applied = await cp1.kubectl(['apply', '-f', url]);
        expect(applied.code, applied.stderr).to.equal(0);
        expect(applied.stdout).to.contain('configmap/calico-config created\n').and.to.contain('daemonset.apps/calico-node created\n')
          .and.to.contain('deployment.apps/calico-kube-controllers created\n').and.to.contain('clusterrole.rbac.authorization.k8s.io/calico-node created\n');
        const again = await cp1.kubectl(['apply', '-f', url]);
        expect(again.stdout).to.contain('daemonset.apps/calico-node unchanged\n');
      } finally {
        server.close();
      }
      const waited = await cp1.kubectl(['wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=30s']);
      expect(waited.code, waited.stderr).to.equal(0);
      expect(waited.stdout).to.equal('node/cp1 condition met\nnode/cp2 condition met\nnode/w1 condition met\n');
      for (const node of Object.values(nodes)) {
        const conflist = JSON.parse(readFileSync(node.path('etc/cni/net.d/10-calico.conflist'), 'utf8')) as {
          plugins: { type: string; nodename?: string; ipam?: { ipv4_pools?: string[] } }[];
        };
        expect(conflist.plugins[0]).to.deep.include({ type: 'calico', nodename: node.name });
        expect(conflist.plugins[0]?.ipam?.ipv4_pools).to.deep.equal(['172.31.0.0/16']);
      }
      const pods = await cp1.kubectl(['get', 'pods', '-A']);
      expect(pods.stdout.match(/kube-system +calico-node-[a-z0-9]{5} +1\/1 +Running/g)?.length, pods.stdout).to.equal(3);
      expect(pods.stdout).to.match(/coredns-[a-z0-9]{10}-[a-z0-9]{5} +1\/1 +Running/);
      const wide = await cp1.kubectl(['get', 'nodes', '-o', 'wide']);
      expect(wide.stdout).to.match(/^NAME +STATUS +ROLES +AGE +VERSION +INTERNAL-IP +EXTERNAL-IP +OS-IMAGE +KERNEL-VERSION +CONTAINER-RUNTIME\n/);
      expect(wide.stdout).to.match(/\nw1 +Ready +<none> +\S+ +v1\.30\.2 +127\.0\.0\.1 +<none> +.+ +cri-o:\/\/1\.30\.2\n/);
    });
  });

  describe('certificates: check-expiration, the lab clock knob, renew, restart through crictl', () => {
    const LEAVES = ['apiserver', 'apiserver-etcd-client', 'apiserver-kubelet-client', 'etcd/healthcheck-client', 'etcd/peer', 'etcd/server', 'front-proxy-client'];
    const CERT_ROWS = ['admin.conf', 'apiserver', 'apiserver-etcd-client', 'apiserver-kubelet-client', 'controller-manager.conf', 'etcd-healthcheck-client', 'etcd-peer', 'etcd-server', 'front-proxy-client', 'scheduler.conf', 'super-admin.conf'];
    const x509 = async (args: string[], input?: string): Promise<string> => {
      const result = await run('openssl', ['x509', '-noout', ...args], lab.env(), input);
      expect(result.code, result.stderr).to.equal(0);
      return result.stdout;
    };
    const kubeconfigCert = (node: FakeNode, file: string): string => {
      const data = /client-certificate-data: (\S+)/.exec(readFileSync(node.path(`etc/kubernetes/${file}`), 'utf8'))?.[1] ?? '';
      return Buffer.from(data, 'base64').toString();
    };
    /** notAfter of what the apiserver on `port` serves right now. */
    const servedNotAfter = async (port: number): Promise<string> => {
      const served = await run('bash', ['-c', `openssl s_client -connect ${LOOPBACK}:${port} </dev/null 2>/dev/null | openssl x509 -noout -enddate`], lab.env());
      return served.stdout.trim();
    };
    /** The RESIDUAL TIME column of check-expiration, row by row. */
    const residual = (text: string): Record<string, string> =>
      Object.fromEntries([...text.matchAll(/^(\S+) +\w{3} \d{2}, \d{4} \d{2}:\d{2} UTC +(\S+) /gm)].map((m) => [m[1] ?? '', m[2] ?? '']));

    it('check-expiration prints kubeadm\'s tables from the files: a year for the leaves, ten for the CAs', async () => {
      const result = await nodes.cp1.kubeadm(['certs', 'check-expiration']);
      expect(result.code, result.stderr).to.equal(0);
      const lines = result.stdout.split('\n');
      expect(lines.slice(0, 4)).to.deep.equal([
        '[check-expiration] Reading configuration from the cluster...',
        "[check-expiration] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'",
        '',
        'CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED',
      ]);
      const apiserverEnd = (await x509(['-enddate', '-in', nodes.cp1.path('etc/kubernetes/pki/apiserver.crt')])).trim();
      const expires = new Date(apiserverEnd.replace('notAfter=', ''));
      const month = expires.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
      const stamp = `${month} ${String(expires.getUTCDate()).padStart(2, '0')}, ${expires.getUTCFullYear()} ${String(expires.getUTCHours()).padStart(2, '0')}:${String(expires.getUTCMinutes()).padStart(2, '0')} UTC`;
      expect(result.stdout).to.contain(`\napiserver                  ${stamp}   364d            ca                      no      \n`);
      const rows = residual(result.stdout);
      expect(Object.keys(rows)).to.deep.equal([...CERT_ROWS, 'ca', 'etcd-ca', 'front-proxy-ca']);
      expect(new Set(CERT_ROWS.map((name) => rows[name]))).to.deep.equal(new Set(['364d']));
      expect([rows.ca, rows['etcd-ca'], rows['front-proxy-ca']]).to.deep.equal(['9y', '9y', '9y']);
      expect(result.stdout).to.match(/\n\nCERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED\nca +/);

      // super-admin.conf exists on the init node only
      const joined = await nodes.cp2.kubeadm(['certs', 'check-expiration', '-o', 'json']);
      expect(joined.code, joined.stderr).to.equal(0);
      const info = JSON.parse(joined.stdout) as { kind: string; apiVersion: string; certificates: { name: string; missing: boolean; caName?: string; residualTime: number }[] };
      expect([info.kind, info.apiVersion]).to.deep.equal(['CertificateExpirationInfo', 'output.kubeadm.k8s.io/v1alpha3']);
      expect(info.certificates.filter((c) => c.missing).map((c) => c.name)).to.deep.equal(['super-admin.conf']);
      expect(info.certificates.find((c) => c.name === 'etcd-peer')).to.include({ caName: 'etcd-ca' });

      const worker = await nodes.w1.kubeadm(['certs', 'check-expiration']);
      expect(worker.code).to.equal(1);
      expect(worker.stdout).to.equal('');
      expect(worker.stderr).to.equal('Error checking external CA condition for ca certificate authority: failure loading key for apiserver: '
        + "couldn't load the private key file /etc/kubernetes/pki/apiserver.key: open /etc/kubernetes/pki/apiserver.key: no such file or directory\n"
        + 'To see the stack trace of this error execute with --v=5 or higher\n');
    });

    it('play-standin-age-certs 10: every listed certificate expires in 10 days, keys and names kept, nothing restarted', async () => {
      const cp1 = nodes.cp1;
      const servedBefore = await servedNotAfter(cp1.apiPort);
      const before = await Promise.all(LEAVES.map((leaf) => x509(['-pubkey', '-subject', '-ext', 'subjectAltName,extendedKeyUsage', '-in', cp1.path(`etc/kubernetes/pki/${leaf}.crt`)])));
      const caBefore = readFileSync(cp1.path('etc/kubernetes/pki/ca.crt'), 'utf8');
      const aged = await run('play-standin-age-certs', ['10'], cp1.env());
      expect(aged.code, aged.stderr).to.equal(0);
      expect(aged.stdout).to.contain('11 certificates now expire in 10 days; nothing was restarted\n');
      const after = await Promise.all(LEAVES.map((leaf) => x509(['-pubkey', '-subject', '-ext', 'subjectAltName,extendedKeyUsage', '-in', cp1.path(`etc/kubernetes/pki/${leaf}.crt`)])));
      expect(after).to.deep.equal(before);
      expect(readFileSync(cp1.path('etc/kubernetes/pki/ca.crt'), 'utf8')).to.equal(caBefore);
      expect(mode(cp1.path('etc/kubernetes/pki/apiserver.key'))).to.equal('600');
      expect(mode(cp1.path('etc/kubernetes/admin.conf'))).to.equal('600');
      const rows = residual((await cp1.kubeadm(['certs', 'check-expiration'])).stdout);
      for (const name of CERT_ROWS) expect(['9d', '10d'], name).to.include(rows[name]);
      expect(rows.ca).to.equal('9y');
      expect(await servedNotAfter(cp1.apiPort)).to.equal(servedBefore); // the apiserver loaded its cert at start
      expect((await cp1.kubectl(['get', 'nodes', '-o', 'name'])).code).to.equal(0); // the aged admin.conf still works
    });

    it('renew all: kubeadm\'s messages, a year again, same names, new keys (as kubeadm), the CAs untouched', async () => {
      const cp1 = nodes.cp1;
      const leafText = (leaf: string) => x509(['-subject', '-ext', 'subjectAltName,extendedKeyUsage', '-in', cp1.path(`etc/kubernetes/pki/${leaf}.crt`)]);
      const namesBefore = await Promise.all(LEAVES.map(leafText));
      const keyBefore = await x509(['-pubkey', '-in', cp1.path('etc/kubernetes/pki/apiserver.crt')]);
      const adminBefore = kubeconfigCert(cp1, 'admin.conf');
      const cas = ['ca', 'etcd/ca', 'front-proxy-ca'].map((ca) => readFileSync(cp1.path(`etc/kubernetes/pki/${ca}.crt`), 'utf8') + readFileSync(cp1.path(`etc/kubernetes/pki/${ca}.key`), 'utf8'));
      const servedBefore = await servedNotAfter(cp1.apiPort);

      const renewed = await cp1.kubeadm(['certs', 'renew', 'all']);
      expect(renewed.code, renewed.stderr).to.equal(0);
      expect(renewed.stdout).to.equal([
        '[renew] Reading configuration from the cluster...',
        "[renew] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'",
        '',
        'certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself renewed',
        'certificate for serving the Kubernetes API renewed',
        'certificate the apiserver uses to access etcd renewed',
        'certificate for the API server to connect to kubelet renewed',
        'certificate embedded in the kubeconfig file for the controller manager to use renewed',
        'certificate for liveness probes to healthcheck etcd renewed',
        'certificate for etcd nodes to communicate with each other renewed',
        'certificate for serving etcd renewed',
        'certificate for the front proxy client renewed',
        'certificate embedded in the kubeconfig file for the scheduler manager to use renewed',
        'certificate embedded in the kubeconfig file for the super-admin renewed',
        '',
        'Done renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.',
        '',
      ].join('\n'));
      const rows = residual((await cp1.kubeadm(['certs', 'check-expiration'])).stdout);
      expect(new Set(CERT_ROWS.map((name) => rows[name]))).to.deep.equal(new Set(['364d']));
      expect(await Promise.all(LEAVES.map(leafText))).to.deep.equal(namesBefore);
      expect(await x509(['-pubkey', '-in', cp1.path('etc/kubernetes/pki/apiserver.crt')])).to.not.equal(keyBefore);
      expect(cas).to.deep.equal(['ca', 'etcd/ca', 'front-proxy-ca'].map((ca) => readFileSync(cp1.path(`etc/kubernetes/pki/${ca}.crt`), 'utf8') + readFileSync(cp1.path(`etc/kubernetes/pki/${ca}.key`), 'utf8')));
      const adminAfter = kubeconfigCert(cp1, 'admin.conf');
      expect(adminAfter).to.not.equal(adminBefore);
      expect(await x509(['-subject'], adminAfter)).to.equal(await x509(['-subject'], adminBefore));
      const verified = await run('openssl', ['verify', '-CAfile', cp1.path('etc/kubernetes/pki/ca.crt')], lab.env(), adminAfter);
      expect(verified.stdout, verified.stderr).to.equal('stdin: OK\n');
      expect(readFileSync(cp1.path('etc/kubernetes/kubelet.conf'), 'utf8')).to.contain('client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem');
      expect(mode(cp1.path('etc/kubernetes/pki/apiserver.key'))).to.equal('600');
      expect(mode(cp1.path('etc/kubernetes/pki/apiserver.crt'))).to.equal('644');
      expect(mode(cp1.path('etc/kubernetes/admin.conf'))).to.equal('600');
      expect((await cp1.kubectl(['get', 'nodes', '-o', 'name'])).code).to.equal(0);
      expect(await servedNotAfter(cp1.apiPort)).to.equal(servedBefore); // not before a restart

      const worker = await nodes.w1.kubeadm(['certs', 'renew', 'all']);
      expect(worker.code, worker.stderr).to.equal(0); // kubeadm itself: MISSING! per certificate, then Done
      expect(worker.stdout).to.match(/^MISSING! certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself\n/);
      expect(worker.stdout.match(/^MISSING! /gm)?.length).to.equal(11);
      expect(readdirSync(nodes.w1.path('etc/kubernetes/pki'))).to.deep.equal(['ca.crt']);
    });

    it('crictl pods, stopp and rmp: the kubelet starts a new sandbox, whose apiserver serves the renewed certificate', async () => {
      const cp1 = nodes.cp1;
      const crictl = (args: string[]) => run('crictl', ['-r', 'unix:///var/run/crio/crio.sock', ...args], cp1.env());
      const listed = await crictl(['pods', '--name', 'kube-apiserver', '--namespace', 'kube-system', '--state', 'ready']);
      expect(listed.code, listed.stderr).to.equal(0);
      expect(listed.stdout).to.match(/^POD ID +CREATED +STATE +NAME +NAMESPACE +ATTEMPT +RUNTIME\n[0-9a-f]{13} +.+ ago +Ready +kube-apiserver-cp1 +kube-system +\d+ +\(default\)\n$/);
      const old = (await crictl(['pods', '-q', '--name', 'kube-apiserver'])).stdout.trim();
      expect(old).to.match(/^[0-9a-f]{64}$/);
      const ps = await crictl(['ps']);
      expect(ps.stdout).to.match(new RegExp(`\\n[0-9a-f]{13} +[0-9a-f]{13} +.+ ago +Running +kube-apiserver +\\d+ +${old.slice(0, 13)} +kube-apiserver-cp1\\n`));

      const running = await crictl(['rmp', old]);
      expect(running.code).to.equal(1);
      expect(running.stderr).to.contain(`level=fatal msg="pod sandbox \\"${old}\\" is running, please stop it first"`);
      const stopped = await crictl(['stopp', old]);
      expect(stopped.stdout).to.equal(`Stopped sandbox ${old}\n`);
      const fresh = await eventually(async () => {
        const ids = (await crictl(['pods', '-q', '--name', 'kube-apiserver', '--state', 'ready'])).stdout.trim();
        return ids && ids !== old ? ids : undefined;
      }, 30_000, 'a new kube-apiserver sandbox');
      expect(fresh).to.match(/^[0-9a-f]{64}$/);
      const renewedEnd = (await x509(['-enddate', '-in', cp1.path('etc/kubernetes/pki/apiserver.crt')])).trim();
      await eventually(async () => ((await servedNotAfter(cp1.apiPort)) === renewedEnd ? true : undefined), 30_000, 'the apiserver serving the renewed certificate');

      const forced = await crictl(['rmp', '-f', fresh]);
      expect(forced.stdout).to.equal(`Stopped sandbox ${fresh}\nRemoved sandbox ${fresh}\n`);
      await eventually(async () => {
        const ids = (await crictl(['pods', '-q', '--name', 'kube-apiserver', '--state', 'ready'])).stdout.trim();
        return ids && ids !== fresh ? ids : undefined;
      }, 30_000, 'a third kube-apiserver sandbox');
      const unknown = await crictl(['stopp', 'ffffffffffff']);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.contain('stopping the pod sandbox \\"ffffffffffff\\": rpc error: code = NotFound');
      await eventually(async () => ((await cp1.kubectl(['get', 'nodes', '-o', 'name'])).code === 0 ? true : undefined), 30_000, 'the API back');
    });
  });

  describe('upgrades: kubeadm upgrade, cordon, drain, kubelet package moves', () => {
    // kubeadm and kubelet of other releases, unpacked next to the 1.30.2 packages every node has
    const releases: Record<string, string> = {};
    const kubeadmOf = (release: string): string => path.join(releases[release] ?? '', 'usr', 'bin', 'kubeadm');
    const manifestImage = (node: FakeNode, component: string): string =>
      /image: (\S+)/.exec(readFileSync(node.path(`etc/kubernetes/manifests/${component}.yaml`), 'utf8'))?.[1] ?? '';
    const clusterVersion = (): string => (JSON.parse(readFileSync(path.join(state, 'cluster.json'), 'utf8')) as { kubernetesVersion: string }).kubernetesVersion;
    interface NodeJson { metadata: { annotations?: Record<string, string> }; spec: { unschedulable?: boolean }; status: { nodeInfo: { kubeletVersion: string } } }
    const nodeJson = async (name: string): Promise<NodeJson> => JSON.parse((await nodes.cp1.kubectl(['get', 'node', name, '-o', 'json'])).stdout) as NodeJson;

    before(async () => {
      const debs = path.join(lab.dir, 'debs-upgrade');
      const built = await run(path.join(standinsDir(), 'build.sh'), [debs], lab.env({ KUBE_VERSIONS: '1.30.5 1.31.14' }));
      expect(built.code, built.stderr).to.equal(0);
      for (const release of ['1.30.5', '1.31.14']) {
        releases[release] = path.join(lab.dir, `release-${release}`);
        for (const pkg of ['kubeadm', 'kubelet']) {
          await run('dpkg-deb', ['-x', path.join(debs, `${pkg}_${release}-1.1_${arch}.deb`), releases[release]], lab.env());
        }
      }
    });

    it('kubeadm upgrade apply refuses a skipped minor and a target newer than kubeadm, with kubeadm\'s messages, changing nothing', async () => {
      const cp1 = nodes.cp1;
      const tooNew = await cp1.kubeadm(['upgrade', 'apply', 'v1.30.5', '-y']); // kubeadm 1.30.2
      expect(tooNew.code).to.equal(1);
      expect(tooNew.stdout).to.contain('[upgrade/version] You have chosen to change the cluster version to "v1.30.5"\n[upgrade/versions] Cluster version: v1.30.2\n[upgrade/versions] kubeadm version: v1.30.2\n');
      expect(tooNew.stderr).to.equal('[upgrade/version] FATAL: the --version argument is invalid due to these errors:\n\n'
        + '\t- Specified version to upgrade to "v1.30.5" is higher than the kubeadm version "v1.30.2". Upgrade kubeadm first using the tool you used to install kubeadm\n\n'
        + 'Can be bypassed if you pass the --force flag\nTo see the stack trace of this error execute with --v=5 or higher\n');
      const skipped = await run(kubeadmOf('1.31.14'), ['upgrade', 'apply', 'v1.32.0', '--yes'], cp1.env());
      expect(skipped.code).to.equal(1);
      expect(skipped.stderr).to.contain('error execution phase preflight: the version argument is invalid due to these fatal errors:\n\n'
        + '\t- Specified version to upgrade to "v1.32.0" is too high; kubeadm can upgrade only 1 minor version at a time\n'
        + '\t- Specified version to upgrade to "v1.32.0" is at least one minor release higher than the kubeadm minor release (32 > 31). Such an upgrade is not supported\n\n'
        + 'Please fix the misalignments highlighted above and try upgrading again\n');
      expect(manifestImage(cp1, 'kube-apiserver')).to.equal('registry.k8s.io/kube-apiserver:v1.30.2');
      expect(clusterVersion()).to.equal('v1.30.2');
    });

    it('kubeadm upgrade node before any apply follows the cluster\'s version: nothing to change', async () => {
      const result = await run(kubeadmOf('1.30.5'), ['upgrade', 'node'], nodes.cp2.env());
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain('[upgrade] Upgrading your Static Pod-hosted control plane instance to version "v1.30.2"...\n');
      expect(result.stdout).to.contain('[upgrade/staticpods] Current and new manifests of kube-apiserver are equal, skipping upgrade\n');
      expect(manifestImage(nodes.cp2, 'kube-apiserver')).to.equal('registry.k8s.io/kube-apiserver:v1.30.2');
    });

    it('upgrade apply on the first control plane, then upgrade node on the others: manifests, kubeadm-config, served version', async () => {
      const { cp1, cp2, w1 } = nodes;
      const plan = await run(kubeadmOf('1.30.5'), ['upgrade', 'plan'], cp1.env());
      expect(plan.code, plan.stderr).to.equal(0);
      expect(plan.stdout).to.contain('[upgrade/versions] Target version: v1.30.5\n').and.to.contain('\tkubeadm upgrade apply v1.30.5\n');
      const applied = await run(kubeadmOf('1.30.5'), ['upgrade', 'apply', 'v1.30.5', '-y'], cp1.env());
      expect(applied.code, applied.stderr + applied.stdout).to.equal(0);
      expect(applied.stdout).to.contain('[upgrade/staticpods] Component "kube-apiserver" upgraded successfully!\n');
      expect(applied.stdout).to.contain('[upgrade/addons] skip upgrade addons because control plane instances [cp2] have not been upgraded\n');
      expect(applied.stdout).to.contain('[upgrade/successful] SUCCESS! Your cluster was upgraded to "v1.30.5". Enjoy!\n');
      expect(manifestImage(cp1, 'kube-apiserver')).to.equal('registry.k8s.io/kube-apiserver:v1.30.5');
      expect(readdirSync(cp1.path('etc/kubernetes/tmp')).some((d) => d.startsWith('kubeadm-backup-manifests-'))).to.equal(true);
      expect(clusterVersion()).to.equal('v1.30.5');
      const config = await cp1.kubectl(['get', 'configmap', 'kubeadm-config', '-n', 'kube-system', '-o', 'jsonpath={.data.ClusterConfiguration}']);
      expect(config.stdout).to.contain('kubernetesVersion: v1.30.5');
      const served = await eventually(async () => {
        const version = JSON.parse((await cp1.kubectl(['version', '-o', 'json'])).stdout || '{}') as { serverVersion?: { gitVersion: string } };
        return version.serverVersion?.gitVersion === 'v1.30.5' ? version.serverVersion.gitVersion : undefined;
      }, 20_000, 'the endpoint serving v1.30.5');
      expect(served).to.equal('v1.30.5');

      // kubeadm 1.31 on cp2: upgrade node follows kubeadm-config (v1.30.5), in 1.31's phased wording
      const node = await run(kubeadmOf('1.31.14'), ['upgrade', 'node'], cp2.env());
      expect(node.code, node.stderr + node.stdout).to.equal(0);
      expect(node.stdout).to.contain('[upgrade/control-plane] Upgrading your Static Pod-hosted control plane instance to version "v1.30.5"...\n');
      expect(node.stdout).to.match(/\[upgrade\/staticpods\] Moving new manifest to "\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml" and backing up old manifest to "\/etc\/kubernetes\/tmp\/kubeadm-backup-manifests-[0-9-]+\/kube-apiserver\.yaml"\n/);
      expect(node.stdout).to.contain('[upgrade/control-plane] The control plane instance for this node was successfully upgraded!\n');
      expect(node.stdout).to.contain('[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!\n[addons] Applied essential addon: CoreDNS\n');
      expect(manifestImage(cp2, 'kube-scheduler')).to.equal('registry.k8s.io/kube-scheduler:v1.30.5');
      const worker = await run(kubeadmOf('1.30.5'), ['upgrade', 'node'], w1.env());
      expect(worker.code, worker.stderr).to.equal(0);
      expect(worker.stdout).to.contain('[upgrade] Skipping phase. Not a control plane node.\n');
      expect(worker.stdout).to.match(/\[upgrade\] Backing up kubelet config file to \/etc\/kubernetes\/tmp\/kubeadm-kubelet-config\d+\/config\.yaml\n/);
      expect(worker.stdout).to.contain('[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager.\n');
    });

    it('a node reports the version of the kubelet installed on it, once the kubelet restarts', async () => {
      const w1 = nodes.w1;
      w1.installProgram(releases['1.30.5'] ?? '', 'kubelet');
      expect((await nodeJson('w1')).status.nodeInfo.kubeletVersion).to.equal('v1.30.2'); // not restarted yet
      w1.restartKubelet();
      const version = await eventually(async () => {
        const shown = (await nodeJson('w1')).status.nodeInfo.kubeletVersion;
        return shown === 'v1.30.5' ? shown : undefined;
      }, 20_000, 'w1 reporting kubelet v1.30.5');
      expect(version).to.equal('v1.30.5');
      expect((await nodes.cp1.kubectl(['get', 'nodes'])).stdout).to.match(/\nw1 +Ready +<none> +\S+ +v1\.30\.5\n/);
    });

    it('cordon, annotate, label and uncordon a node as kubectl does', async () => {
      const cp1 = nodes.cp1;
      expect((await cp1.kubectl(['cordon', 'w1'])).stdout).to.equal('node/w1 cordoned\n');
      expect((await cp1.kubectl(['cordon', 'w1'])).stdout).to.equal('node/w1 already cordoned\n');
      expect((await cp1.kubectl(['get', 'nodes'])).stdout).to.match(/\nw1 +Ready,SchedulingDisabled +/);
      expect((await cp1.kubectl(['annotate', 'node', 'w1', 'play.example/upgrade=v1.30.5'])).stdout).to.equal('node/w1 annotated\n');
      const clash = await cp1.kubectl(['annotate', 'node', 'w1', 'play.example/upgrade=v1.31.14']);
      expect(clash.code).to.equal(1);
      expect(clash.stderr).to.equal("error: --overwrite is false but found the following declared annotation(s): 'play.example/upgrade' already has a value (v1.30.5)\n");
      expect((await cp1.kubectl(['annotate', 'node', 'w1', 'play.example/upgrade=v1.31.14', '--overwrite'])).code).to.equal(0);
      expect((await nodeJson('w1')).metadata.annotations?.['play.example/upgrade']).to.equal('v1.31.14');
      expect((await cp1.kubectl(['label', 'node', 'w1', 'play.example/batch=1'])).stdout).to.equal('node/w1 labeled\n');
      expect((await cp1.kubectl(['label', 'node', 'w1', 'play.example/batch-'])).stdout).to.equal('node/w1 unlabeled\n');
      expect((await cp1.kubectl(['annotate', 'node', 'w1', 'play.example/upgrade-'])).stdout).to.equal('node/w1 annotated\n');
      expect((await nodeJson('w1')).metadata.annotations).not.to.have.property('play.example/upgrade');
      expect((await cp1.kubectl(['uncordon', 'w1'])).stdout).to.equal('node/w1 uncordoned\n');
      expect((await nodeJson('w1')).spec).not.to.have.property('unschedulable');
    });

    it('drain waits for a PodDisruptionBudget, fails at --timeout naming the pod, and drains once it allows', async () => {
      const cp1 = nodes.cp1;
      const objects = path.join(lab.dir, 'pdb.yaml');
      writeFileSync(objects, [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: 1\n'
          + '  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n'
          + '    spec:\n      containers:\n      - name: web\n        image: registry.example/web:1\n',
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: default\nspec:\n  minAvailable: 1\n'
          + '  selector:\n    matchLabels:\n      app: web\n',
      ].join('---\n'));
      expect((await cp1.kubectl(['apply', '-f', objects])).code).to.equal(0);
      const pod = /\n(web-[a-z0-9]{10}-[a-z0-9]{5}) +1\/1 +Running +0 +\S+ +\S+ +w1 /.exec((await cp1.kubectl(['get', 'pods', '-o', 'wide'])).stdout)?.[1];
      expect(pod, 'the web pod runs on w1 (the control planes are tainted)').to.be.a('string');
      const budget = JSON.parse((await cp1.kubectl(['get', 'pdb', 'web', '-o', 'json'])).stdout) as { status: Record<string, number> };
      expect(budget.status).to.include({ currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 1 });
      const blocked = await cp1.kubectl(['drain', 'w1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=6s']);
      expect(blocked.code).to.equal(1);
      expect(blocked.stdout).to.match(new RegExp(`^node/w1 cordoned\\nevicting pod default/${pod}\\nevicting pod default/${pod}\\n`));
      expect(blocked.stderr).to.contain(`error when evicting pods/"${pod}" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n`);
      expect(blocked.stderr).to.contain(`There are pending pods in node "w1" when an error occurred: error when evicting pods/"${pod}" -n "default": global timeout reached: 6s\npod/${pod}\n`);
      expect(blocked.stderr).to.match(new RegExp(`error: unable to drain node "w1" due to error: error when evicting pods/"${pod}" -n "default": global timeout reached: 6s, continuing command...\\nThere are pending nodes to be drained:\\n w1\\nerror when evicting pods/"${pod}" -n "default": global timeout reached: 6s\\n$`));
      expect((await nodeJson('w1')).spec.unschedulable).to.equal(true);
      expect((await cp1.kubectl(['delete', 'poddisruptionbudget', 'web'])).code).to.equal(0);
      const drained = await cp1.kubectl(['drain', 'w1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=6s']);
      expect(drained.code, drained.stderr).to.equal(0);
      expect(drained.stdout).to.equal(`node/w1 already cordoned\nevicting pod default/${pod}\npod/${pod} evicted\nnode/w1 drained\n`);
      expect(drained.stderr).to.match(/^Warning: ignoring DaemonSet-managed Pods: kube-system\/calico-node-[a-z0-9]{5}, kube-system\/kube-proxy-[a-z0-9]{5}\n$/);
      expect((await cp1.kubectl(['uncordon', 'w1'])).code).to.equal(0);
      expect((await cp1.kubectl(['delete', '-f', objects, '--ignore-not-found'])).code).to.equal(0);
    });

    it('the next minor with kubeadm 1.31: the phased upgrade apply', async () => {
      const applied = await run(kubeadmOf('1.31.14'), ['upgrade', 'apply', 'v1.31.14', '--yes'], nodes.cp1.env());
      expect(applied.code, applied.stderr + applied.stdout).to.equal(0);
      expect(applied.stdout).to.contain('[upgrade/preflight] You have chosen to upgrade the cluster version to "v1.31.14"\n[upgrade/versions] Cluster version: v1.30.5\n');
      expect(applied.stdout).to.contain('[upgrade/control-plane] Upgrading your static Pod-hosted control plane to version "v1.31.14" (timeout: 5m0s)...\n');
      expect(applied.stdout).to.contain('[upgrade/control-plane] The control plane instance for this node was successfully upgraded!\n');
      expect(applied.stdout).to.contain('[upgrade/addons] skip upgrade addons because control plane instances [cp2] have not been upgraded\n');
      expect(applied.stdout).to.match(/\n\[upgrade\] SUCCESS! A control plane node of your cluster was upgraded to "v1\.31\.14"\.\n\n\[upgrade\] Now please proceed with upgrading the rest of the nodes by following the right order\.\n$/);
      expect(manifestImage(nodes.cp1, 'kube-controller-manager')).to.equal('registry.k8s.io/kube-controller-manager:v1.31.14');
      expect(clusterVersion()).to.equal('v1.31.14');
    });
  });

  describe('failures of the endpoint', () => {
    it('kubectl fails like the real one when the server does not answer or the kubeconfig is missing', async () => {
      const dead = await freePort();
      const conf = path.join(lab.dir, 'dead.conf');
      writeFileSync(conf, readFileSync(nodes.cp1.path('etc/kubernetes/admin.conf'), 'utf8').replace(endpointAddress, `${LOOPBACK}:${dead}`));
      const refused = await run('kubectl', ['--kubeconfig', conf, 'get', 'nodes'], lab.env());
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(new RegExp(`The connection to the server ${LOOPBACK}:${dead} was refused - did you specify the right host or port\\?\\n$`));
      const missing = await run('kubectl', ['--kubeconfig', path.join(lab.dir, 'nope.conf'), 'get', 'nodes'], lab.env());
      expect(missing.stderr).to.equal(`error: stat ${path.join(lab.dir, 'nope.conf')}: no such file or directory\n`);
    });

    it('kubeadm init fails in wait-control-plane when the endpoint does not answer', async () => {
      const badState = path.join(lab.dir, 'state-bad');
      writeSettings(badState, { ...FAST_SETTINGS, control_plane_timeout_seconds: 3 });
      const bad = new FakeNode(lab, 'bad1', badState);
      await bad.boot();
      try {
        const dead = await freePort();
        const result = await bad.kubeadm(['init', '--config', bad.writeConfig('init', initConfig(bad, `${LOOPBACK}:${dead}`, '10.244.0.0/16'))]);
        expect(result.code).to.equal(1);
        expect(result.stdout).to.contain('[kubelet-check] The kubelet is healthy after');
        expect(result.stdout).to.contain('[api-check] Waiting for a healthy API server. This can take up to 3s');
        expect(result.stdout).to.contain('[api-check] The API server is not healthy after');
        expect(result.stdout).to.contain('Unfortunately, an error has occurred:\n\tcontext deadline exceeded\n');
        expect(result.stderr).to.contain('error execution phase wait-control-plane: could not initialize a Kubernetes cluster');
        expect(existsSync(path.join(badState, 'cluster.json'))).to.equal(false);
      } finally {
        expect((await bad.kubeadm(['reset', '-f'])).code).to.equal(0);
        bad.killPods();
      }
    });

    it('preflight refuses swap and a missing container runtime (the seeds\' flag form)', async () => {
      const bare = new FakeNode(lab, 'bare', path.join(lab.dir, 'state-bare'));
      writeFileSync(bare.path('proc/swaps'), 'Filename\tType\tSize\tUsed\tPriority\n/swapfile\tfile\t1048572\t0\t-2\n');
      const result = await bare.kubeadm(['init', `--control-plane-endpoint=${LOOPBACK}:6443`, '--pod-network-cidr=192.168.1.0/24', '--upload-certs']);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.contain('\t[ERROR Swap]: running with swap on is not supported. Please disable swap\n');
      expect(result.stderr).to.contain('\t[ERROR CRI]: container runtime is not running: output: ');
      expect(result.stderr).to.contain('dial unix /var/run/containerd/containerd.sock: connect: no such file or directory');
    });

    it('preflight requires conntrack and iptables in PATH, as kubeadm 1.30 does (issue 12: the roles must install them)', async () => {
      const bare = new FakeNode(lab, 'bare2', path.join(lab.dir, 'state-bare2'));
      const withoutTools = { PATH: `${path.join(lab.pkgroot, 'usr', 'bin')}:/nonexistent` };
      const result = await run('kubeadm', ['init', '--dry-run', `--control-plane-endpoint=${LOOPBACK}:6443`], bare.env(withoutTools));
      expect(result.code).to.equal(1);
      for (const tool of ['conntrack', 'ip', 'iptables', 'mount', 'nsenter']) {
        expect(result.stderr).to.contain(`\t[ERROR FileExisting-${tool}]: ${tool} not found in system path\n`);
      }
      for (const tool of ['ebtables', 'ethtool', 'socat', 'tc', 'touch']) {
        expect(result.stdout + result.stderr).to.contain(`\t[WARNING FileExisting-${tool}]: ${tool} not found in system path\n`);
      }
      expect(result.stderr).not.to.contain('FileExisting-crictl'); // crictl is in the stand-ins' PATH
      // --ignore-preflight-errors turns them into warnings, like kubeadm's.
      const ignored = await run('kubeadm', ['init', '--dry-run', `--control-plane-endpoint=${LOOPBACK}:6443`, '--ignore-preflight-errors=FileExisting-conntrack,FileExisting-iptables,FileExisting-ip,FileExisting-mount,FileExisting-nsenter,CRI'], bare.env(withoutTools));
      expect(ignored.stderr).not.to.contain('[ERROR FileExisting');
      expect(ignored.stdout + ignored.stderr).to.contain('\t[WARNING FileExisting-conntrack]: conntrack not found in system path\n');
    });

    it('a port held only by TIME_WAIT connections is free, as for Go\'s net.Listen (SO_REUSEADDR); a listener makes it "in use"', async () => {
      const port = await freePort();
      // A connection closed by the server side first leaves the server's port in TIME_WAIT.
      const server = net.createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(port, LOOPBACK, () => resolve()));
      await new Promise<void>((resolve) => {
        const client = net.connect(port, LOOPBACK);
        client.on('end', () => client.end());
        client.on('close', () => resolve());
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const probe = `from playstandin.kubeadm import preflight; print(preflight.port_open(${port}))`;
      const free = await run('python3', ['-c', probe], lab.env());
      expect(free.stdout.trim()).to.equal('[]');
      const busy = net.createServer();
      await new Promise<void>((resolve) => busy.listen(port, LOOPBACK, () => resolve()));
      try {
        expect((await run('python3', ['-c', probe], lab.env())).stdout.trim()).to.equal(`[('Port-${port}', 'Port ${port} is in use')]`);
      } finally {
        busy.close();
      }
    });
  });

  describe('kubeadm reset', () => {
    it('removes a worker from the cluster and its files from the host', async () => {
      const w1 = nodes.w1;
      const result = await w1.kubeadm(['reset', '-f']);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain('[reset] Deleting files: [/etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf /etc/kubernetes/kubelet.conf');
      expect(existsSync(w1.path('etc/kubernetes/kubelet.conf'))).to.equal(false);
      expect(readdirSync(w1.path('var/lib/kubelet'))).to.deep.equal([]);
      // Like the real kubeadm reset, the Node object stays (cmd/kubeadm/app/cmd/reset.go deletes none).
      const listed = await nodes.cp1.kubectl(['get', 'nodes', '-o', 'name']);
      expect(listed.stdout).to.equal('node/cp1\nnode/cp2\nnode/w1\n');
    });

    it('a re-join while the kept Node still shows Ready fails in kubelet-start; after `kubectl delete node` it works', async () => {
      const w1 = nodes.w1;
      const fresh = (await nodes.cp1.kubeadm(['token', 'create'])).stdout.trim();
      const config = w1.writeConfig('rejoin', joinConfig(w1, endpointAddress, fresh, caHash));
      const early = await w1.kubeadm(['join', '--config', config]);
      expect(early.code).to.equal(1);
      expect(early.stderr).to.contain('error execution phase kubelet-start: a Node with name "w1" and status "Ready" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node');
      expect((await w1.kubeadm(['reset', '-f'])).code).to.equal(0);
      expect((await nodes.cp1.kubectl(['delete', 'node', 'w1'])).stdout).to.equal('node "w1" deleted\n');
      const again = await w1.kubeadm(['join', '--config', config]);
      expect(again.code, again.stderr).to.equal(0);
      expect((await w1.kubeadm(['reset', '-f'])).code).to.equal(0);
    });

    it('kubectl drain cordons the node and refuses DaemonSet pods unless --ignore-daemonsets', async () => {
      const drained = await nodes.cp1.kubectl(['drain', 'cp2', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=30s']);
      expect(drained.code, drained.stderr).to.equal(0);
      expect(drained.stdout).to.match(/^node\/cp2 cordoned\n(.*\n)*node\/cp2 drained\n$/);
      const node = JSON.parse((await nodes.cp1.kubectl(['get', 'node', 'cp2', '-o', 'json'])).stdout) as { spec: { unschedulable?: boolean } };
      expect(node.spec.unschedulable).to.equal(true);
      expect((await nodes.cp1.kubectl(['drain', 'nope'])).stderr).to.contain('Error from server (NotFound): nodes "nope" not found');
    });

    it('asks before resetting without -f, like kubeadm', async () => {
      const result = await nodes.cp2.kubeadm(['reset'], 'n\n');
      expect(result.code).to.equal(1);
      expect(result.stdout).to.contain('[reset] Are you sure you want to proceed? [y/N]: ');
      expect(result.stderr).to.contain('aborted reset operation');
      expect(existsSync(nodes.cp2.path('etc/kubernetes/admin.conf'))).to.equal(true);
    });

    it('forgets the cluster when the last control plane leaves', async () => {
      expect((await nodes.cp2.kubeadm(['reset', '-f'])).code).to.equal(0);
      expect(existsSync(path.join(state, 'cluster.json'))).to.equal(true);
      expect((await nodes.cp1.kubeadm(['reset', '-f'])).code).to.equal(0);
      expect(existsSync(path.join(state, 'cluster.json'))).to.equal(false);
      expect(existsSync(path.join(state, 'tokens.json'))).to.equal(false);
    });
  });
});
