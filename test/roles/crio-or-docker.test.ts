import { expect } from 'chai';
import type { Change, ExecResult, Task, TaskContext } from '../../engine/types.js';
import crioOrDocker from '../../roles/crio-or-docker/index.js';
import { CRIO_SOCKET, CONTAINERD_SOCKET, criSocket } from '../../roles/kube-shared/runtime.js';
import { keyInstallScript, keyProbeScript } from '../../engine/ops/apt-repository.js';
import { colonKey, FPR_A } from './helpers/colon-keys.js';
import { renderContainerdConfig } from '../../roles/crio-or-docker/templates/containerd-config.js';
import { renderCrictlYaml } from '../../roles/crio-or-docker/templates/crictl-yaml.js';
import { renderDaemonJson } from '../../roles/crio-or-docker/templates/daemon-json.js';
import type { RuntimeVars } from '../../roles/crio-or-docker/vars.js';
import { expectVarsError } from './helpers/expect-error.js';
import { converge, fileAnswer, MISSING_FILE, type FakeHost } from './helpers/fake-cluster.js';
import { ALL_FILE } from './helpers/inventory.js';
import { resolveRole, varsOf } from './helpers/resolve.js';
import { dedicatedPair } from './helpers/topologies.js';
import { dpkgAnswer, fakeCluster, K8S, SERVICE_RUNNING } from './kubeadm-fixtures.js';
import { expectGolden, readGolden } from './kubeadm-golden.js';

const DEFAULT_1_6 = readGolden('containerd-1.6.20-config-default.toml');
const SANDBOX_1_30 = 'registry.k8s.io/pause:3.9';

/** containerd 2.x prints config version 3 (a fragment with the keys play adjusts). */
const DEFAULT_2_0 = `version = 3
disabled_plugins = []

[plugins]
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = 'registry.k8s.io/pause:3.10'

  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
    runtime_type = 'io.containerd.runc.v2'
    sandboxer = 'podsandbox'

    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
      SystemdCgroup = false
`;

const NOT_INSTALLED: ExecResult = { code: 1, stdout: '', stderr: 'dpkg-query: no packages found matching' };
const NOT_FOUND = 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\nNeedDaemonReload=no\n';

type RTask = Task<RuntimeVars, Change>;

function runtimeVars(all: Record<string, unknown> = {}) {
  const inventory = dedicatedPair({
    kube_package_repo: 'http://172.29.10.1:8080/kubernetes/v1.30/deb/',
    kube_package_repo_unsigned: true,
    crio_package_repo: 'http://172.29.10.1:8080/cri-o/v1.30/deb',
    crio_package_repo_unsigned: true,
    ...all,
  });
  const resolved = resolveRole(crioOrDocker, inventory, K8S);
  return { inventory, varsOf: (h: string) => varsOf(resolved, h) };
}

/** check + apply of every enabled task on one host; returns "task: summary" of what changed. */
async function run(ctx: TaskContext<RuntimeVars>): Promise<string[]> {
  const changed: string[] = [];
  for (const t of crioOrDocker.tasks as readonly RTask[]) {
    const change = await converge(t, ctx);
    if (change) changed.push(`${t.name}: ${change.summary}`);
  }
  return changed;
}

function host(facts: FakeHost['facts'], runs?: (s: string) => ExecResult): FakeHost {
  return { facts, ...(runs ? { run: runs } : {}) };
}

describe('crio-or-docker', () => {
  describe('rendered files', () => {
    it('config.toml: containerd 1.6\'s own defaults with SystemdCgroup, the pause image kubeadm expects (golden)', () => {
      const text = renderContainerdConfig(DEFAULT_1_6, { sandboxImage: SANDBOX_1_30 });
      expectGolden('containerd-config.toml', text);
      expect(text).to.contain('            SystemdCgroup = true\n');
      expect(text).to.contain('    sandbox_image = "registry.k8s.io/pause:3.9"\n');
      expect(text).not.to.contain('SystemdCgroup = false');
      // Everything else is containerd's default, line for line.
      const changed = text.split('\n').filter((l, i, all) => !DEFAULT_1_6.split('\n').includes(l) && all.indexOf(l) === i);
      expect(changed).to.deep.equal([
        '# Managed by play (role crio-or-docker): `containerd config default` of the installed containerd,',
        '# with SystemdCgroup = true, the CRI plugin enabled and the sandbox image kubeadm expects.',
        '    sandbox_image = "registry.k8s.io/pause:3.9"',
        '            SystemdCgroup = true',
      ]);
    });

    it('config.toml: containerd 2.x (config version 3) too', () => {
      const text = renderContainerdConfig(DEFAULT_2_0, { sandboxImage: 'registry.k8s.io/pause:3.10' });
      expect(text).to.contain("      SystemdCgroup = true\n");
      expect(text).to.contain("    sandbox = 'registry.k8s.io/pause:3.10'\n");
      expect(text).to.contain("    sandboxer = 'podsandbox'\n");
    });

    it('config.toml: never leaves the CRI plugin disabled (docker\'s containerd.io default)', () => {
      const text = renderContainerdConfig(DEFAULT_1_6.replace('disabled_plugins = []', 'disabled_plugins = ["cri", "io.containerd.snapshotter.v1.zfs"]'), { sandboxImage: SANDBOX_1_30 });
      expect(text).to.contain('disabled_plugins = ["io.containerd.snapshotter.v1.zfs"]\n');
    });

    it('config.toml: refuses a format it does not know rather than half-adjusting it', () => {
      expect(() => renderContainerdConfig('version = 2\n[plugins]\n', { sandboxImage: SANDBOX_1_30 })).to.throw(/no SystemdCgroup setting/);
    });

    it('daemon.json as seed 002 writes it, keys sorted', () => {
      expect(renderDaemonJson({ storageDriver: 'overlay2', logMaxSize: '100m' })).to.equal(
        '{\n  "exec-opts": [\n    "native.cgroupdriver=systemd"\n  ],\n  "log-driver": "json-file",\n  "log-opts": {\n    "max-size": "100m"\n  },\n  "storage-driver": "overlay2"\n}\n',
      );
      expectGolden('daemon.json', renderDaemonJson({ storageDriver: 'overlay2', logMaxSize: '100m' }));
    });

    it('crictl.yaml points at the socket kubelet uses', () => {
      expect(criSocket('containerd')).to.equal(CONTAINERD_SOCKET);
      expect(criSocket('docker')).to.equal(CONTAINERD_SOCKET);
      expect(criSocket('crio')).to.equal(CRIO_SOCKET);
      expect(renderCrictlYaml(CRIO_SOCKET)).to.equal(
        '# Managed by play (role crio-or-docker): the CRI socket kubelet uses.\n' +
          'runtime-endpoint: unix:///var/run/crio/crio.sock\nimage-endpoint: unix:///var/run/crio/crio.sock\ntimeout: 10\n',
      );
      expectGolden('crictl.yaml', renderCrictlYaml(CONTAINERD_SOCKET));
    });
  });

  describe('vars', () => {
    it('derives the sandbox image from the Kubernetes minor', () => {
      expect(runtimeVars().varsOf('worker1').sandboxImage).to.equal(SANDBOX_1_30);
      expect(runtimeVars({ kubernetes_version: '1.31.0', kube_package_repo: null, crio_package_repo: null }).varsOf('worker1').sandboxImage).to.equal('registry.k8s.io/pause:3.10');
    });

    it('refuses an unknown docker storage driver and a bad log size', () => {
      expectVarsError(() => runtimeVars({ docker_storage_driver: 'aufs' }), 'docker_storage_driver', `${ALL_FILE}:7`, /one of overlay2/);
      expectVarsError(() => runtimeVars({ docker_log_max_size: '100 MB' }), 'docker_log_max_size', `${ALL_FILE}:7`, /like 100m/);
    });
  });

  describe('containerd on a fresh host', () => {
    it('installs containerd, writes its config (restart handler), starts it, points crictl at it', async () => {
      const { inventory, varsOf } = runtimeVars();
      const v = varsOf('worker1');
      let installed = false;
      const facts: FakeHost['facts'] = {
        'packages:containerd': NOT_INSTALLED,
        'command:containerd config default': { code: 127, stdout: '', stderr: 'containerd: not found' },
        'file:/etc/containerd/config.toml': fileAnswer('version = 2\n'),
        'service:containerd': SERVICE_RUNNING,
        'file:/etc/crictl.yaml': MISSING_FILE,
      };
      const cluster = fakeCluster(inventory, varsOf, {
        worker1: host(facts, (s) => {
          if (s.includes('apt-get') && s.includes('install')) {
            installed = true;
            facts['command:containerd config default'] = DEFAULT_1_6;
          }
          return { code: 0, stdout: '', stderr: '' };
        }),
      });
      const changed = await run(cluster.ctx('worker1', v));
      expect(installed).to.equal(true);
      expect(changed).to.deep.equal([
        'Install containerd: not installed: containerd',
        'Write /etc/containerd/config.toml for kubelet: content differs (242 lines)',
        'Point crictl at the runtime: create (4 lines)',
      ]);
      const scripts = cluster.scripts('worker1');
      expect(scripts[0]).to.match(/apt-get -y .* update\n(.*\n)+.*apt-get -y .* install --no-install-recommends -- containerd/);
      expect(crioOrDocker.tasks.find((t) => t.name === 'Write /etc/containerd/config.toml for kubelet')?.notify).to.deep.equal(['restart containerd']);
    });

    it('changes nothing once converged (so the runtime is never restarted)', async () => {
      const { inventory, varsOf } = runtimeVars();
      const v = varsOf('worker1');
      const cluster = fakeCluster(inventory, varsOf, {
        worker1: host({
          'packages:containerd': dpkgAnswer(['containerd'], '1.6.20~ds1-1+deb12u3', false),
          'command:containerd config default': DEFAULT_1_6,
          'file:/etc/containerd/config.toml': fileAnswer(renderContainerdConfig(DEFAULT_1_6, { sandboxImage: SANDBOX_1_30 })),
          'service:containerd': SERVICE_RUNNING,
          'file:/etc/crictl.yaml': fileAnswer(renderCrictlYaml(CONTAINERD_SOCKET)),
        }),
      });
      expect(await run(cluster.ctx('worker1', v))).to.deep.equal([]);
      expect(cluster.scripts('worker1')).to.deep.equal([]);
    });

    it('in --check without containerd yet, only says it would write the config', async () => {
      const { inventory, varsOf } = runtimeVars();
      const cluster = fakeCluster(inventory, varsOf, { worker1: host({ 'command:containerd config default': { code: 127, stdout: '', stderr: '' }, 'file:/etc/containerd/config.toml': MISSING_FILE }) }, true);
      const t = crioOrDocker.tasks.find((x) => x.name === 'Write /etc/containerd/config.toml for kubelet')!;
      expect((await t.check(cluster.ctx('worker1')))?.summary).to.match(/^containerd is not installed yet: write/);
    });
  });

  describe('docker', () => {
    const dockerFacts = (fs: string): FakeHost['facts'] => ({
      'packages:docker.io': dpkgAnswer(['docker.io'], '20.10.24+dfsg1-1+deb12u1+b6', false),
      'command:stat -f -c %T /var/lib/docker 2>/dev/null || stat -f -c %T /var/lib': `${fs}\n`,
      'file:/etc/docker/daemon.json': MISSING_FILE,
      'command:containerd config default': DEFAULT_1_6,
      'file:/etc/containerd/config.toml': fileAnswer(renderContainerdConfig(DEFAULT_1_6, { sandboxImage: SANDBOX_1_30 })),
      'service:containerd': SERVICE_RUNNING,
      'service:docker': SERVICE_RUNNING,
      'file:/etc/crictl.yaml': fileAnswer(renderCrictlYaml(CONTAINERD_SOCKET)),
    });

    it('writes daemon.json (restart docker) and configures the containerd docker runs on for kubelet', async () => {
      const { inventory, varsOf } = runtimeVars({ container_runtime: 'docker' });
      const cluster = fakeCluster(inventory, varsOf, { worker1: host(dockerFacts('ext2/ext3')) });
      expect(await run(cluster.ctx('worker1'))).to.deep.equal(['Write /etc/docker/daemon.json: create (10 lines)']);
      expect(crioOrDocker.tasks.find((t) => t.name === 'Write /etc/docker/daemon.json')?.notify).to.deep.equal(['restart docker']);
      expect(Object.keys(crioOrDocker.handlers ?? {})).to.deep.equal(['restart containerd', 'restart docker']);
      expect(varsOf('worker1').criSocket).to.equal(CONTAINERD_SOCKET);
    });

    it('refuses overlay2 where /var/lib/docker is on overlayfs (the lab\'s nspawn hosts), before touching docker', async () => {
      const { inventory, varsOf } = runtimeVars({ container_runtime: 'docker' });
      const cluster = fakeCluster(inventory, varsOf, { worker1: host(dockerFacts('overlayfs')) });
      const t = crioOrDocker.tasks.find((x) => x.name === 'Write /etc/docker/daemon.json')!;
      let message = '';
      try {
        await t.check(cluster.ctx('worker1'));
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.match(/\/var\/lib\/docker is on overlayfs: docker's overlay2 storage driver cannot run on it .* Set docker_storage_driver: vfs/);
    });

    it('accepts vfs there', async () => {
      const { inventory, varsOf } = runtimeVars({ container_runtime: 'docker', docker_storage_driver: 'vfs' });
      const cluster = fakeCluster(inventory, varsOf, { worker1: host(dockerFacts('overlayfs')) });
      expect(await run(cluster.ctx('worker1'))).to.deep.equal(['Write /etc/docker/daemon.json: create (10 lines)']);
      expect(cluster.scripts('worker1')[0]).to.contain(Buffer.from(renderDaemonJson({ storageDriver: 'vfs', logMaxSize: '100m' })).toString('base64'));
    });
  });

  describe('cri-o', () => {
    it('adds the cri-o repository of the minor and the Kubernetes one (cri-tools), installs both, starts crio', async () => {
      const { inventory, varsOf } = runtimeVars({ container_runtime: 'crio' });
      const cluster = fakeCluster(inventory, varsOf, {
        worker1: host({
          'file:/etc/apt/sources.list.d/cri-o.list': MISSING_FILE,
          'file:/etc/apt/sources.list.d/kubernetes.list': MISSING_FILE,
          'packages:cri-o,cri-tools': NOT_INSTALLED,
          'service:crio': NOT_FOUND,
          'file:/etc/crictl.yaml': MISSING_FILE,
        }),
      });
      expect(await run(cluster.ctx('worker1'))).to.deep.equal([
        'Add the cri-o apt repository: create (3 lines)',
        'Add the Kubernetes apt repository: create (3 lines)',
        'Install cri-o and cri-tools: not installed: cri-o, cri-tools',
        'Enable and start cri-o: unit crio not found: no unit file -> enabled, inactive -> started',
        'Point crictl at the runtime: create (4 lines)',
      ]);
      const scripts = cluster.scripts('worker1');
      expect(Buffer.from(/printf %s (\S+) \| base64/.exec(scripts[0]!)![1]!, 'base64').toString()).to.contain('deb [trusted=yes] http://172.29.10.1:8080/cri-o/v1.30/deb/ /\n');
      expect(scripts[2]).to.match(/install --no-install-recommends -- cri-o cri-tools/);
      expect(scripts[3]).to.equal('set -e\nsystemctl daemon-reload\nsystemctl enable -- crio\nsystemctl start -- crio\n');
      expect(varsOf('worker1').criSocket).to.equal(CRIO_SOCKET);
    });

    it('fetches the signing keys of signed repositories (production), never with [trusted=yes]', async () => {
      const { inventory, varsOf } = runtimeVars({ container_runtime: 'crio', crio_package_repo: null, crio_package_repo_unsigned: false, kube_package_repo: null, kube_package_repo_unsigned: false });
      const v = varsOf('worker1');
      expect(v.crioRepo).to.deep.include({ url: 'https://download.opensuse.org/repositories/isv:/cri-o:/stable:/v1.30/deb/', unsigned: false });
      const key = colonKey(FPR_A, 2_000_000_000);
      const cluster = fakeCluster(inventory, varsOf, {
        worker1: host({
          'packages:ca-certificates,curl,gnupg': dpkgAnswer(['ca-certificates', 'curl', 'gnupg'], '1', false),
          // cri-o: no keyring yet; Kubernetes: the keyring holds what the URL serves.
          [`command:${keyProbeScript(v.crioRepo!)}`]: `now 1700000000\n--- published\n${key}`,
          [`command:${keyProbeScript(v.kubeRepo!)}`]: `now 1700000000\n--- installed\n${key}--- published\n${key}`,
          'file:/etc/apt/sources.list.d/cri-o.list': MISSING_FILE,
          'file:/etc/apt/sources.list.d/kubernetes.list': MISSING_FILE,
          'packages:cri-o,cri-tools': dpkgAnswer(['cri-o', 'cri-tools'], '1.30.2-1.1', false),
          'service:crio': SERVICE_RUNNING,
          'file:/etc/crictl.yaml': fileAnswer(renderCrictlYaml(CRIO_SOCKET)),
        }),
      });
      const changed = await run(cluster.ctx('worker1'));
      expect(changed[0]).to.equal(
        'Fetch the cri-o signing key: fetch https://download.opensuse.org/repositories/isv:/cri-o:/stable:/v1.30/deb/Release.key into /etc/apt/keyrings/cri-o-apt-keyring.gpg (no keyring yet)',
      );
      expect(cluster.scripts('worker1')[0]).to.equal(keyInstallScript(v.crioRepo!));
      expect(changed.slice(1)).to.deep.equal(['Add the cri-o apt repository: create (2 lines)', 'Add the Kubernetes apt repository: create (2 lines)']);
    });

    it('selects the old pkgs.k8s.io layout on request, and refuses it where it was never published (1.33+)', () => {
      const { varsOf } = runtimeVars({ container_runtime: 'crio', crio_package_repo: null, crio_package_repo_unsigned: false, crio_package_repo_layout: 'pkgs.k8s.io' });
      expect(varsOf('worker1').crioRepo?.url).to.equal('https://pkgs.k8s.io/addons:/cri-o:/stable:/v1.30/deb/');
      expect(() => runtimeVars({ container_runtime: 'crio', crio_package_repo: null, crio_package_repo_unsigned: false, crio_package_repo_layout: 'pkgs.k8s.io', kubernetes_version: '1.33.1' })).to.throw(
        /crio_package_repo_layout.*streams end at v1\.32/,
      );
    });
  });
});
