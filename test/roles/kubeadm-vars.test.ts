import { expect } from 'chai';
import { homedir } from 'node:os';
import calico from '../../roles/calico/index.js';
import crioOrDocker from '../../roles/crio-or-docker/index.js';
import kubeadm from '../../roles/kubeadm/index.js';
import { expectVarsError } from './helpers/expect-error.js';
import { ALL_FILE, HOSTS_FILE, buildInventory } from './helpers/inventory.js';
import { resolveRole, varsOf } from './helpers/resolve.js';
import { dedicatedPair, singleLb, stacked } from './helpers/topologies.js';

const K8S = 'masters:workers';
const resolve = (inventory: ReturnType<typeof dedicatedPair>, extra = {}) => resolveRole(kubeadm, inventory, K8S, extra);

/** Seed 002's site: hosts on 10.1.10.0/24, pods on 192.168.1.0/24, six nodes, one LB name. */
function seed002(all = {}) {
  return buildInventory({
    hosts: {
      'k8s-lb': { ansible_host: '10.1.10.100' },
      'k8s-master1': { ansible_host: '10.1.10.101' },
      'k8s-master2': { ansible_host: '10.1.10.102' },
      'k8s-master3': { ansible_host: '10.1.10.103' },
      'k8s-worker1': { ansible_host: '10.1.10.104' },
      'k8s-worker2': { ansible_host: '10.1.10.105' },
      'k8s-worker3': { ansible_host: '10.1.10.106' },
    },
    groups: { lb: ['k8s-lb'], masters: ['k8s-master1', 'k8s-master2', 'k8s-master3'], workers: ['k8s-worker1', 'k8s-worker2', 'k8s-worker3'] },
    all: { control_plane_endpoint_name: 'k8s-lb', pod_network_cidr: '192.168.1.0/24', ...all },
  });
}

describe('kubeadm vars', () => {
  describe('the cluster every cluster role reads', () => {
    it('places each host: first master, other masters, workers', () => {
      const r = resolve(dedicatedPair());
      expect(['master1', 'master2', 'master3', 'worker1'].map((h) => varsOf(r, h).role)).to.deep.equal(['first-master', 'master', 'master', 'worker']);
      const v = varsOf(r, 'worker1');
      expect(v).to.include({ firstMaster: 'master1', nodeName: 'worker1', runtime: 'containerd', criSocket: 'unix:///var/run/containerd/containerd.sock' });
      expect(v.version).to.include({ text: '1.30.2', minor: 30, minorText: '1.30' });
      expect(v.networks.pod.text).to.equal('10.244.0.0/16');
      expect(v.networks.service.text).to.equal('10.96.0.0/12');
    });

    it('pins the packages at <version>-<revision> from the minor\'s pkgs.k8s.io repository, signed', () => {
      const v = varsOf(resolve(dedicatedPair({ kubernetes_version: '1.29.6', kube_package_revision: '1.2' })), 'master1');
      expect(v.packageVersion).to.equal('1.29.6-1.2');
      expect(v.repo).to.deep.equal({
        url: 'https://pkgs.k8s.io/core:/stable:/v1.29/deb/',
        unsigned: false,
        keyUrl: 'https://pkgs.k8s.io/core:/stable:/v1.29/deb/Release.key',
        keyring: '/etc/apt/keyrings/kubernetes-apt-keyring.gpg',
        listFile: '/etc/apt/sources.list.d/kubernetes.list',
        keyFingerprints: [],
      });
      expect(v.kubeadmApi).to.equal('kubeadm.k8s.io/v1beta3');
    });

    it('uses kubeadm v1beta4 from 1.31 on', () => {
      expect(varsOf(resolve(dedicatedPair({ kubernetes_version: '1.31.0' })), 'master1').kubeadmApi).to.equal('kubeadm.k8s.io/v1beta4');
    });

    it('takes the lab mirror as declared: unsigned, trailing slash added', () => {
      const v = varsOf(resolve(dedicatedPair({ kube_package_repo: 'http://172.29.10.1:8080/kubernetes/v1.30/deb', kube_package_repo_unsigned: true })), 'worker1');
      expect(v.repo).to.include({ url: 'http://172.29.10.1:8080/kubernetes/v1.30/deb/', unsigned: true });
    });

    it('points the endpoint at the VIP through haproxy, or at the endpoint name', () => {
      expect(varsOf(resolve(dedicatedPair()), 'master2').endpoint).to.equal('10.0.0.10:6443');
      const named = varsOf(resolve(dedicatedPair({ control_plane_endpoint_name: 'k8s-api' })), 'master2');
      expect(named.endpoint).to.equal('k8s-api:6443');
      expect(named.certSans).to.deep.equal(['10.0.0.10', 'k8s-api']);
      expect(varsOf(resolve(stacked()), 'master1').endpoint).to.equal('10.0.0.10:8443');
      expect(varsOf(resolve(singleLb()), 'master1').endpoint).to.equal('10.0.0.100:6443');
    });

    it('uses the sole master as endpoint when there is no load balancer at all', () => {
      const inv = buildInventory({ hosts: { m1: { ansible_host: '10.0.0.21' }, w1: { ansible_host: '10.0.0.31' } }, groups: { masters: ['m1'], workers: ['w1'] } });
      expect(varsOf(resolveRole(kubeadm, inv, K8S), 'w1').endpoint).to.equal('10.0.0.21:6443');
    });

    it('refuses several masters without any endpoint', () => {
      const inv = buildInventory({
        hosts: { m1: { ansible_host: '10.0.0.21' }, m2: { ansible_host: '10.0.0.22' } },
        groups: { masters: ['m1', 'm2'] },
      });
      expectVarsError(() => resolveRole(kubeadm, inv, 'masters'), 'apiserver_vip', 'roles/kubeadm/defaults.ts', /no control-plane endpoint for 2 masters/);
    });

    it('fetches admin.conf under kubeconfig_fetch_dir, ~ being the controller home', () => {
      expect(varsOf(resolve(dedicatedPair({ kubeconfig_fetch_dir: '~/.kube/lab' })), 'master1').fetchPath).to.equal(`${homedir()}/.kube/lab/admin.conf`);
    });

    it('gives the connecting user a kubeconfig unless it is root', () => {
      expect(varsOf(resolve(dedicatedPair({ ansible_user: 'debian' })), 'master1').adminUser).to.equal('debian');
      expect(varsOf(resolve(dedicatedPair({ ansible_user: 'root' })), 'master1').adminUser).to.equal(undefined);
      expect(varsOf(resolve(dedicatedPair({ ansible_user: 'debian', kube_admin_user: 'ops' })), 'master1').adminUser).to.equal('ops');
    });
  });

  describe('refused before any host is touched', () => {
    it('an unknown runtime', () => {
      expectVarsError(() => resolve(dedicatedPair({ container_runtime: 'rkt' })), 'container_runtime', `${ALL_FILE}:3`, /must be one of containerd, docker, crio$/);
    });

    it('a version that is not x.y.z, older than 1.28, or newer than the contract covers', () => {
      expectVarsError(() => resolve(dedicatedPair({ kubernetes_version: '1.30' })), 'kubernetes_version', `${ALL_FILE}:3`, /like 1.31.14/);
      expectVarsError(() => resolve(dedicatedPair({ kubernetes_version: 'latest' })), 'kubernetes_version', `${ALL_FILE}:3`, /like 1.31.14/);
      expectVarsError(() => resolve(dedicatedPair({ kubernetes_version: '1.23.17' })), 'kubernetes_version', `${ALL_FILE}:3`, /oldest supported minor is 1.28/);
      expectVarsError(() => resolve(dedicatedPair({ kubernetes_version: '1.38.0' })), 'kubernetes_version', `${ALL_FILE}:3`, /covers 1.28 to 1.37/);
    });

    it('1.27.x: the expired repository key and the oldest supported minor (issue 12)', () => {
      expectVarsError(
        () => resolve(dedicatedPair({ kubernetes_version: '1.27.16' })),
        'kubernetes_version',
        `${ALL_FILE}:3`,
        /key that expired on 2024-11-02 .*kubernetes\/release#3818.*the oldest supported minor is 1\.28/,
      );
      expect(varsOf(resolve(dedicatedPair({ kubernetes_version: '1.28.0' })), 'master1').version.minor).to.equal(28);
    });

    it('plain http for a repository that is not declared unsigned, and a bad key fingerprint', () => {
      expectVarsError(() => resolve(dedicatedPair({ kube_package_repo: 'http://mirror.example/kubernetes/v1.30/deb/' })), 'kube_package_repo', `${ALL_FILE}:3`, /plain http: a signed repository must be https/);
      expectVarsError(
        () => resolve(dedicatedPair({ kube_package_key_url: 'http://mirror.example/Release.key' })),
        'kube_package_key_url',
        `${ALL_FILE}:3`,
        /plain http/,
      );
      const lab = varsOf(resolve(dedicatedPair({ kube_package_repo: 'http://mirror.example/kubernetes/v1.30/deb/', kube_package_repo_unsigned: true })), 'master1');
      expect(lab.repo.url).to.equal('http://mirror.example/kubernetes/v1.30/deb/');
      expectVarsError(() => resolve(dedicatedPair({ kube_package_key_fingerprint: 'DE15 B144 86CD' })), 'kube_package_key_fingerprint', `${ALL_FILE}:3`, /40 \(or 64\) hex digits/);
      const pinned = varsOf(resolve(dedicatedPair({ kube_package_key_fingerprint: 'de15 b144 86cd 377b 9e87  6e1a 2346 54da 9a29 6436' })), 'master1');
      expect(pinned.repo.keyFingerprints).to.deep.equal(['DE15B14486CD377B9E876E1A234654DA9A296436']);
    });

    it('a repository of another minor than the version', () => {
      expectVarsError(
        () => resolve(dedicatedPair({ kubernetes_version: '1.30.2', kube_package_repo: 'https://pkgs.k8s.io/core:/stable:/v1.29/deb/' })),
        'kube_package_repo',
        `${ALL_FILE}:4`,
        /serves v1.29 but kubernetes_version is 1.30.2/,
      );
    });

    it('a pod CIDR over the hosts\' network (ansible_host /24)', () => {
      expectVarsError(
        () => resolve(dedicatedPair({ pod_network_cidr: '10.0.0.0/16' })),
        'pod_network_cidr',
        `${ALL_FILE}:3`,
        /10.0.0.0\/16 overlaps the network of lb1 \(10.0.0.11, assumed \/24; set host_networks if it differs\)/,
      );
    });

    it('calico\'s default 192.168.0.0/16 on hosts living in 192.168.1.0/24 (the dedicated-lb-pair example)', () => {
      const inv = buildInventory({
        hosts: { lb1: { ansible_host: '192.168.1.11' }, master1: { ansible_host: '192.168.1.21' } },
        groups: { lb: ['lb1'], masters: ['master1'] },
        all: { pod_network_cidr: '192.168.0.0/16' },
      });
      expectVarsError(() => resolveRole(kubeadm, inv, 'masters'), 'pod_network_cidr', `${ALL_FILE}:1`, /overlaps the network of lb1/);
    });

    it('a service CIDR over the hosts, or over the pod CIDR', () => {
      expectVarsError(() => resolve(dedicatedPair({ service_cidr: '10.0.0.0/12' })), 'service_cidr', `${ALL_FILE}:3`, /overlaps the network of lb1/);
      expectVarsError(() => resolve(dedicatedPair({ service_cidr: '10.244.0.0/20' })), 'pod_network_cidr', 'roles/kubeadm/defaults.ts', /overlaps service_cidr 10.244.0.0\/20/);
    });

    it('uses host_networks instead of the /24 guess when given', () => {
      // 10.0.0.0/16 would clash with the /24 guesses; the hosts really are in 10.0.0.0/24 only.
      const v = varsOf(resolve(dedicatedPair({ host_networks: ['10.0.0.0/24'], pod_network_cidr: '10.1.0.0/16' })), 'worker1');
      expect(v.networks.pod.text).to.equal('10.1.0.0/16');
      expectVarsError(() => resolve(dedicatedPair({ host_networks: ['10.1.0.0/16'], pod_network_cidr: '10.1.128.0/17' })), 'pod_network_cidr', `${ALL_FILE}:4`, /host network 10.1.0.0\/16 \(host_networks\)/);
      expectVarsError(() => resolve(dedicatedPair({ host_networks: ['10.0.0.0/33'] })), 'host_networks[0]', `${ALL_FILE}:3`, /IPv4 CIDR/);
    });

    it('a pod CIDR smaller than one node\'s /24', () => {
      expectVarsError(() => resolve(dedicatedPair({ pod_network_cidr: '10.244.0.0/25' })), 'pod_network_cidr', `${ALL_FILE}:3`, /at least one node's \/24/);
    });

    it('a node name Kubernetes would refuse', () => {
      const inv = dedicatedPair({}, {});
      const bad = buildInventory({
        hosts: { ...Object.fromEntries([...inv.hosts].map(([n, h]) => [n, { ansible_host: h.vars.ansible_host }])), Worker_1: { ansible_host: '10.0.0.33' } },
        groups: { lb: ['lb1', 'lb2'], masters: ['master1', 'master2', 'master3'], workers: ['worker1', 'Worker_1'] },
        all: { apiserver_vip: '10.0.0.10', keepalived_auth_pass: 'pass1234' },
      });
      expectVarsError(() => resolveRole(kubeadm, bad, K8S), 'kube_node_name', `${HOSTS_FILE}:7`, /'worker_1' is not a valid Kubernetes node name/);
    });

    it('a host in neither masters nor workers', () => {
      expectVarsError(() => resolveRole(kubeadm, dedicatedPair(), 'lb1'), 'masters_group', 'roles/kubeadm/defaults.ts', /lb1 is in neither 'masters' nor 'workers'/);
    });

    it('a reset without -e reset_confirm=yes, naming where the reset was asked for', () => {
      expectVarsError(() => resolve(dedicatedPair(), { kubeadm_reset: true }), 'reset_confirm', '-e', /pass -e reset_confirm=yes/);
      expectVarsError(() => resolve(dedicatedPair(), { kubeadm_reset: true, reset_confirm: 'no' }), 'reset_confirm', '-e', /reset_confirm=yes/);
      expect(varsOf(resolve(dedicatedPair(), { kubeadm_reset: true, reset_confirm: 'yes' }), 'worker1').reset).to.equal(true);
    });

    it('bad package revision and token lifetime', () => {
      expectVarsError(() => resolve(dedicatedPair({ kube_package_revision: '1.1; rm -rf /' })), 'kube_package_revision', `${ALL_FILE}:3`, /Debian revision/);
      expectVarsError(() => resolve(dedicatedPair({ kubeadm_token_ttl: 'forever' })), 'kubeadm_token_ttl', `${ALL_FILE}:3`, /Go duration like 1h/);
    });

    it('a token lifetime of zero (kubeadm: never expires), below a minute or above 24 h (issue 13 row 2)', () => {
      for (const zero of ['0h', '0m', '00s', '0', '0h0m0s']) {
        expectVarsError(() => resolve(dedicatedPair({ kubeadm_token_ttl: zero })), 'kubeadm_token_ttl', `${ALL_FILE}:3`, /more than zero/);
      }
      expectVarsError(() => resolve(dedicatedPair({ kubeadm_token_ttl: '-1h' })), 'kubeadm_token_ttl', `${ALL_FILE}:3`, /more than zero/);
      expectVarsError(() => resolve(dedicatedPair({ kubeadm_token_ttl: '30s' })), 'kubeadm_token_ttl', `${ALL_FILE}:3`, /between 1m0s and 24h0m0s/);
      expectVarsError(() => resolve(dedicatedPair({ kubeadm_token_ttl: '25h' })), 'kubeadm_token_ttl', `${ALL_FILE}:3`, /between 1m0s and 24h0m0s/);
      const ttl = (given: string): string => varsOf(resolve(dedicatedPair({ kubeadm_token_ttl: given })), 'master1').tokenTtl;
      expect([ttl('1.5h'), ttl('90m'), ttl('2h30m'), ttl('24h')]).to.deep.equal(['1h30m0s', '1h30m0s', '2h30m0s', '24h0m0s']);
    });

    it('the same errors from the other cluster roles (they read the same vars)', () => {
      expectVarsError(() => resolveRole(crioOrDocker, dedicatedPair({ container_runtime: 'podman' }), K8S), 'container_runtime', `${ALL_FILE}:3`, /one of containerd, docker, crio/);
      expectVarsError(() => resolveRole(calico, dedicatedPair({ pod_network_cidr: '10.0.0.0/8' }), K8S), 'pod_network_cidr', `${ALL_FILE}:3`, /overlaps/);
    });
  });

  describe('seed 002 checked against its inventory', () => {
    it('accepts its 192.168.1.0/24 pod CIDR (no overlap with 10.1.10.0/24) but warns that it holds one node range for six nodes', () => {
      const r = resolveRole(kubeadm, seed002(), K8S);
      expect(varsOf(r, 'k8s-worker3').endpoint).to.equal('k8s-lb:6443');
      expect(r.warnings).to.deep.equal([
        'pod_network_cidr 192.168.1.0/24 holds 1 node range(s) of /24 but the play has 6 nodes: kube-controller-manager leaves the rest without a pod range (use a /16)',
      ]);
    });

    it('would refuse it on hosts in 192.168.1.0/24', () => {
      const inv = seed002({ host_networks: ['192.168.1.0/24'] });
      expectVarsError(() => resolveRole(kubeadm, inv, K8S), 'pod_network_cidr', `${ALL_FILE}:2`, /192.168.1.0\/24 overlaps host network 192.168.1.0\/24/);
    });
  });

  describe('warnings', () => {
    it('an even number of masters (etcd quorum), as a warning only', () => {
      const inv = buildInventory({
        hosts: { lb1: { ansible_host: '10.0.0.11' }, m1: { ansible_host: '10.0.0.21' }, m2: { ansible_host: '10.0.0.22' } },
        groups: { lb: ['lb1'], masters: ['m1', 'm2'] },
      });
      const r = resolveRole(kubeadm, inv, 'masters');
      expect(r.warnings).to.deep.equal(["group 'masters' has 2 masters: etcd's quorum is 2, so 2 tolerate no more failures than 1; use an odd number"]);
    });

    it('none for three masters and a /16', () => {
      expect(resolve(dedicatedPair()).warnings).to.deep.equal([]);
    });
  });

  it('accepts a per-host kube_node_name', () => {
    const inv = stacked({}, { master2: { kube_node_name: 'cp-2' } });
    expect(varsOf(resolveRole(kubeadm, inv, K8S), 'master2').nodeName).to.equal('cp-2');
    expectVarsError(() => resolveRole(kubeadm, stacked({}, { master2: { kube_node_name: 'cp_2' } }), K8S), 'kube_node_name', `${HOSTS_FILE}:2`, /not a valid Kubernetes node name/);
  });
});
