import { expect } from 'chai';
import { commandFact } from '../../engine/facts/index.js';
import { inventoryView } from '../../engine/runner/host-view.js';
import type { Change, HostView, Task, Vars } from '../../engine/types.js';
import common from '../../roles/common/index.js';
import { firewallRules, parseUfwState, ufwRuleLine } from '../../roles/common/firewall-rules.js';
import { UFW_PROBE } from '../../roles/common/firewall-task.js';
import { commentSwapLines } from '../../roles/common/templates/fstab-swap.js';
import { planHostsEntries, renderHostsBlock } from '../../roles/common/templates/hosts-block.js';
import type { CommonVars } from '../../roles/common/vars.js';
import { expectVarsError } from './helpers/expect-error.js';
import { FakeCluster, converge, fileAnswer } from './helpers/fake-cluster.js';
import { ALL_FILE, HOSTS_FILE, buildInventory } from './helpers/inventory.js';
import { resolveRole, varsOf } from './helpers/resolve.js';
import { dedicatedPair, singleLb, stacked } from './helpers/topologies.js';

const view = (name: string, address: string): HostView => ({ name, address, groups: [], vars: {} });

function task(name: string): Task<CommonVars, Change> {
  const found = common.tasks.find((t) => t.name === name);
  if (!found) throw new Error(`no task ${name}`);
  return found;
}

describe('common', () => {
  it('refuses an inventory name that is not a DNS name when it would go to /etc/hosts (issue 13 row 13)', () => {
    const inv = buildInventory({
      hosts: { lb1: { ansible_host: '10.0.0.11' }, db_1: { ansible_host: '10.0.0.41' }, master1: { ansible_host: '10.0.0.21' } },
      groups: { lb: ['lb1'], masters: ['master1'], db: ['db_1'] },
    });
    const message = expectVarsError(() => resolveRole(common, inv), 'inventory_hostname', `${HOSTS_FILE}:2`, /not a DNS name .* \/etc\/hosts/);
    expect(message).not.to.contain('db_1');
    // Not written there (no IPv4 address): no reason to refuse it.
    const skipped = buildInventory({ hosts: { lb1: { ansible_host: '10.0.0.11' }, db_1: { ansible_host: 'db.example.test' }, master1: { ansible_host: '10.0.0.21' } }, groups: { lb: ['lb1'], masters: ['master1'] } });
    expect(() => resolveRole(common, skipped)).not.to.throw();
  });

  describe('/etc/hosts block', () => {
    it('puts the endpoint first, then every host in inventory order', () => {
      const plan = planHostsEntries([view('lb1', '10.0.0.11'), view('master1', '10.0.0.21')], { name: 'k8s-api', address: '10.0.0.10' });
      expect(renderHostsBlock(plan.entries)).to.equal('10.0.0.10 k8s-api\n10.0.0.11 lb1\n10.0.0.21 master1');
    });

    it('shares a line when the endpoint name is the LB host itself (seed 002)', () => {
      const plan = planHostsEntries([view('k8s-lb', '10.1.10.100'), view('m1', '10.1.10.101')], { name: 'k8s-lb', address: '10.1.10.100' });
      expect(renderHostsBlock(plan.entries)).to.equal('10.1.10.100 k8s-lb\n10.1.10.101 m1');
    });

    it('leaves out hosts without a routable IPv4 address', () => {
      const plan = planHostsEntries([view('a', 'a.example.com'), view('b', '127.0.0.1'), view('c', '10.0.0.3')]);
      expect(plan.skipped).to.deep.equal(['a', 'b']);
      expect(renderHostsBlock(plan.entries)).to.equal('10.0.0.3 c');
    });

    it('refuses an endpoint name that is another host with another address', () => {
      expectVarsError(
        () => resolveRole(common, dedicatedPair({ control_plane_endpoint_name: 'master1' })),
        'control_plane_endpoint_name',
        `${ALL_FILE}:3`,
        /'master1' would point at 10.0.0.10 \(the endpoint\) and at 10.0.0.21/,
      );
    });

    it('refuses an endpoint name with nothing to point at', () => {
      expectVarsError(
        () => resolveRole(common, dedicatedPair({ keepalived_enabled: false, apiserver_vip: null, control_plane_endpoint_name: 'k8s-api' })),
        'control_plane_endpoint_name',
        `${ALL_FILE}:4`,
        /set apiserver_vip, or put exactly one host in group 'lb' \(it has 2\)/,
      );
    });

    it("points the name at the single LB host's address when there is no VIP", () => {
      const v = varsOf(resolveRole(common, singleLb({ control_plane_endpoint_name: 'api.k8s.local' })), 'master1');
      expect(v.hostsEntries[0]).to.deep.equal({ address: '10.0.0.100', names: ['api.k8s.local', 'k8s-lb'] });
    });

    it('refuses two hosts with one address, at the second host\'s line', () => {
      expectVarsError(
        () => resolveRole(common, dedicatedPair({}, { lb2: { ansible_host: '10.0.0.11' } })),
        'ansible_host',
        `${HOSTS_FILE}:2`,
        /hosts lb1 and lb2 are both reached at 10.0.0.11:22: one machine cannot be two cluster hosts/,
      );
    });

    describe('duplicate targets: address and port, whatever the address', () => {
      const forwarded = (ports: Record<string, number>, extraHosts: Record<string, Vars> = {}, extraGroups: Record<string, string[]> = {}) =>
        buildInventory({
          hosts: {
            ...Object.fromEntries(Object.entries(ports).map(([h, port]) => [h, { ansible_host: '127.0.0.1', ansible_port: port }])),
            ...extraHosts,
          },
          groups: { masters: ['master1', 'master2', 'master3'], workers: ['worker1'], ...extraGroups },
          all: { control_plane_endpoint_name: 'k8s-api', apiserver_vip: '10.0.0.10', keepalived_auth_pass: 'pass1234' },
        });

      it('accepts forwarded ports of one loopback address (Vagrant: 127.0.0.1:2222, :2200, ...)', () => {
        expect(() => resolveRole(common, forwarded({ master1: 2222, master2: 2200, master3: 2201, worker1: 2202 }))).to.not.throw();
      });

      it('refuses the same loopback address and port twice', () => {
        expectVarsError(
          () => resolveRole(common, forwarded({ master1: 2222, master2: 2200, master3: 2222, worker1: 2202 })),
          'ansible_host',
          `${HOSTS_FILE}:3`,
          /hosts master1 and master3 are both reached at 127.0.0.1:2222/,
        );
      });

      it('refuses a worker that is a master again, and counts an unset port as 22', () => {
        const inv = buildInventory({
          hosts: { master1: { ansible_host: '10.0.0.21', ansible_port: 22 }, worker1: { ansible_host: '10.0.0.21' } },
          groups: { masters: ['master1'], workers: ['worker1'] },
        });
        expectVarsError(() => resolveRole(common, inv), 'ansible_host', `${HOSTS_FILE}:2`, /hosts master1 and worker1 are both reached at 10.0.0.21:22/);
      });

      it('accepts one address on two ports, and leaves hosts outside lb, masters and workers alone', () => {
        const inv = forwarded({ master1: 22, master2: 2200, master3: 2201, worker1: 2202 }, { bastion: { ansible_host: '127.0.0.1', ansible_port: 22 } }, { jump: ['bastion'] });
        expect(() => resolveRole(common, inv)).to.not.throw();
      });

      it('follows lb_group, masters_group and workers_group', () => {
        const inv = buildInventory({
          hosts: { cp1: { ansible_host: '10.0.0.21' }, node1: { ansible_host: '10.0.0.21' } },
          groups: { control: ['cp1'], nodes: ['node1'] },
          all: { masters_group: 'control', workers_group: 'nodes' },
        });
        expectVarsError(() => resolveRole(common, inv), 'ansible_host', `${HOSTS_FILE}:2`, /hosts cp1 and node1 are both reached at 10.0.0.21:22/);
      });
    });

    it('warns once about hosts left out of /etc/hosts', () => {
      const inv = buildInventory({ hosts: { a: { ansible_host: 'a.example.com' }, b: { ansible_host: '10.0.0.2' } }, groups: { masters: ['a', 'b'] } });
      expect(resolveRole(common, inv).warnings).to.deep.equal(['not in /etc/hosts (ansible_host is not a routable IPv4 address): a']);
    });
  });

  describe('kernel settings', () => {
    it('sets ip_nonlocal_bind on LB hosts only', () => {
      const r = resolveRole(common, dedicatedPair());
      expect(varsOf(r, 'lb1').sysctl).to.deep.equal({
        'net.bridge.bridge-nf-call-iptables': 1,
        'net.bridge.bridge-nf-call-ip6tables': 1,
        'net.ipv4.ip_forward': 1,
        'net.ipv4.ip_nonlocal_bind': 1,
      });
      expect(varsOf(r, 'master1').sysctl).not.to.have.property('net.ipv4.ip_nonlocal_bind');
      expect(varsOf(resolveRole(common, stacked()), 'master1').sysctl).to.have.property('net.ipv4.ip_nonlocal_bind', 1);
    });

    it('loads modules before setting the net.bridge sysctls', () => {
      const names = common.tasks.map((t) => t.name);
      expect(names.indexOf('Load overlay and br_netfilter')).to.be.lessThan(names.indexOf('Set the Kubernetes sysctls'));
    });
  });

  describe('swap', () => {
    it('comments only swap entries, and is idempotent', () => {
      const fstab = [
        '# /etc/fstab',
        'UUID=1 / ext4 errors=remount-ro 0 1',
        '/swap.img none swap sw 0 0',
        '  UUID=2   none   swap   sw   0   0',
        '#/old none swap sw 0 0',
        '/dev/sdb1 /mnt/swapfiles ext4 defaults 0 2',
        '',
      ].join('\n');
      const once = commentSwapLines(fstab);
      expect(once.split('\n')).to.deep.equal([
        '# /etc/fstab',
        'UUID=1 / ext4 errors=remount-ro 0 1',
        '#/swap.img none swap sw 0 0',
        '#  UUID=2   none   swap   sw   0   0',
        '#/old none swap sw 0 0',
        '/dev/sdb1 /mnt/swapfiles ext4 defaults 0 2',
        '',
      ]);
      expect(commentSwapLines(once)).to.equal(once);
    });

    it('turns swap off only when /proc/swaps lists an area', async () => {
      const t = task('Turn swap off');
      const inventory = singleLb();
      const v = varsOf(resolveRole(common, inventory), 'master1');
      const fact = commandFact('[ -z "$(tail -n +2 /proc/swaps 2>/dev/null)" ]').id;
      const on = new FakeCluster<CommonVars>({ master1: { facts: { [fact]: { code: 1, stdout: '', stderr: '' } } } }, inventoryView(inventory), () => v);
      expect(await converge(t, on.ctx('master1'))).not.to.equal(null);
      expect(on.scripts('master1')).to.deep.equal(['swapoff -a']);
      const off = new FakeCluster<CommonVars>({ master1: { facts: { [fact]: { code: 0, stdout: '', stderr: '' } } } }, inventoryView(inventory), () => v);
      expect(await converge(t, off.ctx('master1'))).to.equal(null);
      expect(off.scripts('master1')).to.deep.equal([]);
    });

    it('backs up /etc/fstab once and leaves a host without one alone', async () => {
      const t = task('Comment out swap in /etc/fstab');
      const inventory = singleLb();
      const v = varsOf(resolveRole(common, inventory), 'master1');
      const none = new FakeCluster<CommonVars>({ master1: { facts: { 'file:/etc/fstab': 'missing\n' } } }, inventoryView(inventory), () => v);
      expect(await t.check(none.ctx('master1'))).to.equal(null);
      const some = new FakeCluster<CommonVars>(
        { master1: { facts: { 'file:/etc/fstab': fileAnswer('/swap.img none swap sw 0 0\n') } } },
        inventoryView(inventory),
        () => v,
      );
      const change = (await t.check(some.ctx('master1'))) as unknown as { write: { content: string; backup: boolean } };
      expect(change.write).to.include({ content: '#/swap.img none swap sw 0 0\n', backup: true });
    });
  });

  describe('firewall', () => {
    const base = { sshPort: 22, master: false, worker: false, lb: false, apiserverPort: 6443, lbPort: 6443, vrrpPeers: [], masterPeers: [] };

    it("opens the seeds' port tables per role, ssh first, without duplicates: etcd and the kubelet only from the other masters (issue 13 row 18)", () => {
      const lines = firewallRules({ ...base, master: true, worker: true, masterPeers: ['10.0.0.22', '10.0.0.23'] }).map(ufwRuleLine);
      expect(lines).to.deep.equal([
        "allow 22/tcp comment 'ssh'",
        "allow 6443/tcp comment 'kube-apiserver'",
        "allow from 10.0.0.22 to any port 2379:2380 proto tcp comment 'etcd'",
        "allow from 10.0.0.23 to any port 2379:2380 proto tcp comment 'etcd'",
        "allow from 10.0.0.22 to any port 10250 proto tcp comment 'kubelet'",
        "allow from 10.0.0.23 to any port 10250 proto tcp comment 'kubelet'",
        "allow 30000:32767/tcp comment 'NodePort services'",
      ]);
      // kube-controller-manager and kube-scheduler serve 127.0.0.1 only: nothing opened for them.
      expect(lines.join('\n')).not.to.match(/10257|10259|allow 2379|allow 10250/);
    });

    it('takes the other masters from the inventory: a worker lets every master reach its kubelet', () => {
      const inventory = dedicatedPair({ firewall_enabled: true });
      const lines = (host: string) => (varsOf(resolveRole(common, inventory), host).firewall ?? []).map(ufwRuleLine);
      expect(lines('master2').filter((l) => l.includes('etcd'))).to.deep.equal([
        "allow from 10.0.0.21 to any port 2379:2380 proto tcp comment 'etcd'",
        "allow from 10.0.0.23 to any port 2379:2380 proto tcp comment 'etcd'",
      ]);
      expect(lines('worker1').filter((l) => l.includes('kubelet'))).to.deep.equal(
        ['21', '22', '23'].map((n) => `allow from 10.0.0.${n} to any port 10250 proto tcp comment 'kubelet'`),
      );
      expect(lines('lb1').some((l) => /etcd|kubelet/.test(l))).to.equal(false);
      const named = dedicatedPair({ firewall_enabled: true });
      (named.hosts.get('master3')!.vars as Record<string, unknown>).ansible_host = 'master3.example.test';
      expectVarsError(() => resolveRole(common, named), 'firewall_enabled', `${ALL_FILE}:3`, /IP address as ansible_host of every master.*master3/);
    });

    it('deletes the rules of a master that left and the ones older versions opened to anyone, never other rules', async () => {
      const inventory = dedicatedPair({ firewall_enabled: true });
      const v = varsOf(resolveRole(common, inventory), 'master1');
      const probeId = commandFact(UFW_PROBE).id;
      const state = [
        'Status: active',
        "Added user rules (see 'ufw status' for running firewall):",
        ...(v.firewall ?? []).map((r) => `ufw ${ufwRuleLine(r)}`),
        "ufw allow from 10.0.0.24 to any port 2379:2380 proto tcp comment 'etcd'",
        "ufw allow from 10.0.0.24 to any port 10250 proto tcp comment 'kubelet'",
        "ufw allow 2379:2380/tcp comment 'etcd'",
        "ufw allow 10250/tcp comment 'kubelet'",
        "ufw allow 10257/tcp comment 'kube-controller-manager'",
        "ufw allow 10259/tcp comment 'kube-scheduler'",
        "ufw allow 8080/tcp comment 'my app'",
        'ufw allow from 10.0.0.24 to any port 2379',
      ].join('\n');
      const cluster = new FakeCluster<CommonVars>({ master1: { facts: { [probeId]: state } } }, inventoryView(inventory), () => v);
      const change = await converge(task('Open the Kubernetes ports in ufw'), cluster.ctx('master1'));
      expect(change?.summary).to.match(/^delete /);
      expect(cluster.scripts('master1')).to.deep.equal([
        [
          'set -e',
          "ufw delete allow from 10.0.0.24 to any port 2379:2380 proto tcp comment etcd",
          "ufw delete allow from 10.0.0.24 to any port 10250 proto tcp comment kubelet",
          "ufw delete allow 2379:2380/tcp comment etcd",
          "ufw delete allow 10250/tcp comment kubelet",
          "ufw delete allow 10257/tcp comment kube-controller-manager",
          "ufw delete allow 10259/tcp comment kube-scheduler",
          '',
        ].join('\n'),
      ]);
    });

    it('opens the LB port and VRRP (protocol 112) from the LB peers', () => {
      const lines = firewallRules({ ...base, sshPort: 2222, lb: true, lbPort: 8443, vrrpPeers: ['10.0.0.12'] }).map(ufwRuleLine);
      expect(lines).to.deep.equal([
        "allow 2222/tcp comment 'ssh'",
        "allow 8443/tcp comment 'apiserver load balancer'",
        "allow from 10.0.0.12 proto vrrp comment 'keepalived VRRP'",
      ]);
    });

    it('is off by default: every firewall task skips', () => {
      const inventory = dedicatedPair();
      const v = varsOf(resolveRole(common, inventory), 'lb1');
      const cluster = new FakeCluster<CommonVars>({ lb1: { facts: {} } }, inventoryView(inventory), () => v);
      for (const name of ['Install ufw', 'Let ufw forward pod traffic', 'Open the Kubernetes ports in ufw']) {
        expect(task(name).when?.(cluster.ctx('lb1')), name).to.equal(false);
      }
    });

    it('adds only missing rules, then enables ufw; runs nothing when converged', async () => {
      const inventory = dedicatedPair({ firewall_enabled: true });
      const v = varsOf(resolveRole(common, inventory), 'lb1');
      const t = task('Open the Kubernetes ports in ufw');
      const probeId = commandFact(UFW_PROBE).id;
      const partial = [
        'Status: inactive',
        "Added user rules (see 'ufw status' for running firewall):",
        "ufw allow 22/tcp comment 'ssh'",
        'ufw allow 80/tcp',
      ].join('\n');
      const cluster = new FakeCluster<CommonVars>({ lb1: { facts: { [probeId]: partial } } }, inventoryView(inventory), () => v);
      await converge(t, cluster.ctx('lb1'));
      expect(cluster.scripts('lb1')).to.deep.equal([
        [
          'set -e',
          "ufw allow 6443/tcp comment 'apiserver load balancer'",
          "ufw allow from 10.0.0.12 proto vrrp comment 'keepalived VRRP'",
          'ufw --force enable',
          '',
        ].join('\n'),
      ]);
      const done = [
        'Status: active',
        "Added user rules (see 'ufw status' for running firewall):",
        ...(v.firewall ?? []).map((r) => `ufw ${ufwRuleLine(r)}`),
      ].join('\n');
      const converged = new FakeCluster<CommonVars>({ lb1: { facts: { [probeId]: done } } }, inventoryView(inventory), () => v);
      expect(await converge(t, converged.ctx('lb1'))).to.equal(null);
      expect(converged.scripts('lb1')).to.deep.equal([]);
    });

    it('reads ufw state, and a host without ufw as inactive with no rules', () => {
      expect(parseUfwState('missing\n')).to.deep.equal({ installed: false, active: false, rules: [] });
      expect(parseUfwState("Status: active\nAdded user rules (see 'ufw status' for running firewall):\nufw allow 22/tcp\n")).to.deep.equal({
        installed: true,
        active: true,
        rules: ['allow 22/tcp'],
      });
    });
  });
});
