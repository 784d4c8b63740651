import { expect } from 'chai';
import keepalived from '../../roles/keepalived/index.js';
import { defaultPriority, initialState, peerPriorities } from '../../roles/keepalived/priorities.js';
import type { KeepalivedOn, KeepalivedVars } from '../../roles/keepalived/vars.js';
import { expectVarsError } from './helpers/expect-error.js';
import { ALL_FILE, HOSTS_FILE, buildInventory } from './helpers/inventory.js';
import { resolveRole, varsOf, type Resolved } from './helpers/resolve.js';
import { dedicatedPair, singleLb, stacked } from './helpers/topologies.js';
import type { Inventory } from '../../engine/types.js';

function on(resolved: Resolved<KeepalivedVars>, host: string): KeepalivedOn {
  const v = varsOf(resolved, host);
  if (!v.enabled) throw new Error(`keepalived is off on ${host}: ${v.reason}`);
  return v;
}

const resolve = (inventory: Inventory, pattern = 'lb') => resolveRole(keepalived, inventory, pattern);

describe('keepalived vars', () => {
  describe('priorities and states', () => {
    it('gives 150, 140, ... by lb group order; the highest starts MASTER', () => {
      const r = resolve(stacked());
      expect(['master1', 'master2', 'master3'].map((h) => on(r, h).priority)).to.deep.equal([150, 140, 130]);
      expect(['master1', 'master2', 'master3'].map((h) => on(r, h).state)).to.deep.equal(['MASTER', 'BACKUP', 'BACKUP']);
    });

    it('elects by keepalived_priority when set per host', () => {
      const r = resolve(dedicatedPair({}, { lb2: { keepalived_priority: 200 } }));
      expect(on(r, 'lb1')).to.include({ priority: 150, state: 'BACKUP' });
      expect(on(r, 'lb2')).to.include({ priority: 200, state: 'MASTER' });
    });

    it('starts everyone as BACKUP when keepalived_preempt_delay is set (keepalived needs it)', () => {
      const r = resolve(dedicatedPair({ keepalived_preempt_delay: 30 }));
      expect(on(r, 'lb1')).to.include({ state: 'BACKUP', preemptDelay: 30 });
      expect(on(r, 'lb2')).to.include({ state: 'BACKUP', preemptDelay: 30 });
    });

    it('yields MASTER to a host declared MASTER in the inventory', () => {
      const r = resolve(dedicatedPair({}, { lb2: { keepalived_state: 'MASTER' } }));
      expect(on(r, 'lb1').state).to.equal('BACKUP');
      expect(on(r, 'lb2').state).to.equal('MASTER');
    });

    it('computes states purely: ties go to the first host, preempt_delay forces BACKUP', () => {
      const peers = [
        { name: 'a', priority: 100 },
        { name: 'b', priority: 100 },
      ];
      expect(initialState('a', 100, peers, false)).to.equal('MASTER');
      expect(initialState('b', 100, peers, false)).to.equal('BACKUP');
      expect(initialState('a', 100, peers, true)).to.equal('BACKUP');
      expect(defaultPriority(0)).to.equal(150);
      expect(defaultPriority(2)).to.equal(130);
    });

    it('reads peers\' priorities from their inventory vars, falling back to the default on junk', () => {
      const inv = dedicatedPair({}, { lb1: { keepalived_priority: '120' }, lb2: { keepalived_priority: 'high' } });
      const lbs = [...inv.hosts.values()].filter((h) => h.groups.includes('lb')).map((h) => ({ name: h.name, address: '', groups: h.groups, vars: h.vars }));
      expect(peerPriorities(lbs).map((p) => p.priority)).to.deep.equal([120, 140]);
    });
  });

  describe('topology', () => {
    it('is off (skips) with a single LB host and keepalived_enabled auto', () => {
      const r = resolve(singleLb());
      const v = varsOf(r, 'k8s-lb');
      expect(v.enabled).to.equal(false);
      if (!v.enabled) expect(v.reason).to.match(/one LB needs no VIP/);
    });

    it('is off when keepalived_enabled is false, even on a pair (and needs no VIP or password)', () => {
      const inv = buildInventory({
        hosts: { lb1: { ansible_host: '10.0.0.11' }, lb2: { ansible_host: '10.0.0.12' }, master1: { ansible_host: '10.0.0.21' } },
        groups: { lb: ['lb1', 'lb2'], masters: ['master1'] },
        all: { keepalived_enabled: false },
      });
      expect(varsOf(resolve(inv), 'lb1').enabled).to.equal(false);
    });

    it('runs on a single LB host when keepalived_enabled is true (a VIP ready for a second LB)', () => {
      const r = resolve(singleLb({ keepalived_enabled: true, apiserver_vip: '10.0.0.9', keepalived_auth_pass: 'abcdefgh' }));
      expect(on(r, 'k8s-lb')).to.include({ state: 'MASTER', priority: 150 });
      expect(on(r, 'k8s-lb').unicastPeers).to.deep.equal([]);
    });

    it('lists the other LB hosts as unicast peers and merges keepalived_vips after the VIP', () => {
      const r = resolve(
        dedicatedPair({
          keepalived_unicast: true,
          keepalived_vips: ['192.168.0.10/24', { address: '10.0.0.10', device: 'ens32' }, { address: '172.16.0.10', prefix: 16, device: 'ens34' }],
        }),
      );
      const v = on(r, 'lb1');
      expect(v.unicastPeers).to.deep.equal(['10.0.0.12']);
      expect(v.vips).to.deep.equal([
        { address: '10.0.0.10', prefix: 24, device: 'ens32' },
        { address: '192.168.0.10', prefix: 24 },
        { address: '172.16.0.10', prefix: 16, device: 'ens34' },
      ]);
    });

    it('goes FAULT on a failed haproxy check, weights the apiserver check, unless told otherwise', () => {
      expect(on(resolve(dedicatedPair()), 'lb1').checkWeight).to.equal(0);
      expect(on(resolve(stacked({ keepalived_check: 'apiserver' })), 'master1').checkWeight).to.equal(-100);
      expect(on(resolve(dedicatedPair({ keepalived_check_weight: -60 })), 'lb1').checkWeight).to.equal(-60);
    });

    it('takes apiserver_lb_port 6443 on dedicated LBs and 8443 stacked', () => {
      expect(on(resolve(dedicatedPair()), 'lb1').lbPort).to.equal(6443);
      expect(on(resolve(stacked()), 'master1').lbPort).to.equal(8443);
    });
  });

  describe('refuses bad input before any host is touched', () => {
    it('an auth_pass longer than 8 characters, without echoing it', () => {
      const message = expectVarsError(
        () => resolve(dedicatedPair({ keepalived_auth_pass: 'toolong-secret' })),
        'keepalived_auth_pass',
        `${ALL_FILE}:2`,
        /14 characters long.*at most 8/,
      );
      expect(message).not.to.contain('toolong-secret');
    });

    it('an auth_pass shorter than 6 characters (issue 13 row 8), without echoing it', () => {
      for (const short of ['x', 'ab1', 'abcd5']) {
        const message = expectVarsError(() => resolve(dedicatedPair({ keepalived_auth_pass: short })), 'keepalived_auth_pass', `${ALL_FILE}:2`, /character\(s\) long: use 6 to 8/);
        expect(message).not.to.contain(`'${short}'`);
      }
    });

    it("an LB host whose inventory name is not a DNS name: keepalived.conf's router_id (issue 13 row 13)", () => {
      const inv = buildInventory({
        hosts: { lb_1: { ansible_host: '10.0.0.11' }, lb2: { ansible_host: '10.0.0.12' }, master1: { ansible_host: '10.0.0.21' } },
        groups: { lb: ['lb_1', 'lb2'], masters: ['master1'] },
        all: { apiserver_vip: '10.0.0.10', keepalived_auth_pass: 'pass1234' },
      });
      expectVarsError(() => resolve(inv), 'inventory_hostname', `${HOSTS_FILE}:1`, /router_id/);
    });

    it('a missing auth_pass', () => {
      const inv = buildInventory({
        hosts: { lb1: { ansible_host: '10.0.0.11' }, lb2: { ansible_host: '10.0.0.12' }, master1: { ansible_host: '10.0.0.21' } },
        groups: { lb: ['lb1', 'lb2'], masters: ['master1'] },
        all: { apiserver_vip: '10.0.0.10' },
      });
      expectVarsError(() => resolve(inv), 'keepalived_auth_pass', 'roles/keepalived/defaults.ts', /is required/);
    });

    it('a router id outside 1-255', () => {
      expectVarsError(() => resolve(dedicatedPair({ keepalived_router_id: 256 })), 'keepalived_router_id', `${ALL_FILE}:3`, /<= 255/);
      expectVarsError(() => resolve(dedicatedPair({ keepalived_router_id: 0 })), 'keepalived_router_id', `${ALL_FILE}:3`, />= 1/);
    });

    it('an unknown keepalived_check', () => {
      expectVarsError(() => resolve(dedicatedPair({ keepalived_check: 'tcp' })), 'keepalived_check', `${ALL_FILE}:3`, /one of haproxy, apiserver/);
    });

    it('the apiserver check on LB hosts that are not masters', () => {
      expectVarsError(() => resolve(dedicatedPair({ keepalived_check: 'apiserver' })), 'keepalived_check', `${ALL_FILE}:3`, /not in group 'masters'/);
    });

    it('a missing VIP when keepalived runs', () => {
      const inv = buildInventory({
        hosts: { lb1: { ansible_host: '10.0.0.11' }, lb2: { ansible_host: '10.0.0.12' }, master1: { ansible_host: '10.0.0.21' } },
        groups: { lb: ['lb1', 'lb2'], masters: ['master1'] },
        all: { keepalived_auth_pass: 'xxxxxxxx' },
      });
      expectVarsError(() => resolve(inv), 'apiserver_vip', 'roles/keepalived/defaults.ts', /required when keepalived runs/);
    });

    it('a VIP that is a host address', () => {
      expectVarsError(() => resolve(dedicatedPair({ apiserver_vip: '10.0.0.22' })), 'apiserver_vip', `${ALL_FILE}:1`, /address of host master2/);
    });

    it('a VIP outside the LB hosts\' subnet', () => {
      expectVarsError(
        () => resolve(dedicatedPair({ apiserver_vip: '10.0.1.10' })),
        'apiserver_vip',
        `${ALL_FILE}:1`,
        /10\.0\.1\.10\/24 does not contain lb1's address 10\.0\.0\.11/,
      );
    });

    it('only warns about the subnet when keepalived_interface says where VRRP runs', () => {
      const r = resolve(dedicatedPair({ apiserver_vip: '10.0.1.10', keepalived_interface: 'eth1' }));
      expect(r.warnings.join('\n')).to.match(/does not contain lb1's address/);
    });

    it('a port outside 1-65535', () => {
      expectVarsError(() => resolve(dedicatedPair({ apiserver_lb_port: 70000 })), 'apiserver_lb_port', `${ALL_FILE}:3`, /<= 65535/);
    });

    it('two hosts with one priority', () => {
      expectVarsError(
        () => resolve(dedicatedPair({}, { lb1: { keepalived_priority: 100 }, lb2: { keepalived_priority: 100 } })),
        'keepalived_priority',
        `${HOSTS_FILE}:2`,
        /lb2 and lb1 both have priority 100/,
      );
    });

    it('two hosts declared MASTER', () => {
      expectVarsError(
        () => resolve(dedicatedPair({}, { lb1: { keepalived_state: 'MASTER' }, lb2: { keepalived_state: 'master' } })),
        'keepalived_state',
        `${HOSTS_FILE}:2`,
        /lb1 and lb2 would all start as MASTER/,
      );
    });

    it('MASTER together with keepalived_preempt_delay', () => {
      expectVarsError(
        () => resolve(dedicatedPair({ keepalived_preempt_delay: 30 }, { lb1: { keepalived_state: 'MASTER' } })),
        'keepalived_state',
        `${HOSTS_FILE}:1`,
        /only on instances that start as BACKUP/,
      );
    });

    it('a check weight too small to move the VIP', () => {
      expectVarsError(
        () => resolve(dedicatedPair({ keepalived_check_weight: -2 }, { lb1: { keepalived_priority: 200 }, lb2: { keepalived_priority: 100 } })),
        'keepalived_check_weight',
        `${ALL_FILE}:3`,
        /span 100/,
      );
    });

    it('a router id that differs between the LB hosts', () => {
      expectVarsError(
        () => resolve(dedicatedPair({}, { lb2: { keepalived_router_id: 52 } })),
        'keepalived_router_id',
        `${HOSTS_FILE}:2`,
        /differs between lb1 \(51\) and lb2 \(52\)/,
      );
    });

    it('a bad keepalived_vips item, naming its index', () => {
      expectVarsError(
        () => resolve(dedicatedPair({ keepalived_vips: [{ address: '10.0.0.50', device: 'not an interface' }] })),
        'keepalived_vips[0].device',
        `${ALL_FILE}:3`,
        /interface name/,
      );
    });

    it('a bad keepalived_enabled', () => {
      expectVarsError(() => resolve(dedicatedPair({ keepalived_enabled: 'sometimes' })), 'keepalived_enabled', `${ALL_FILE}:3`, /true, false or auto/);
    });

    it('unicast with a host whose ansible_host is a DNS name', () => {
      expectVarsError(
        () => resolve(dedicatedPair({ keepalived_unicast: true }, { lb2: { ansible_host: 'lb2.example.com' } })),
        'keepalived_unicast',
        `${ALL_FILE}:3`,
        /lb2's is not one/,
      );
    });
  });
});
