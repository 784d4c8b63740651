import { expect } from 'chai';
import { parseAddresses } from '../../engine/facts/index.js';
import { inventoryView } from '../../engine/runner/host-view.js';
import type { Change, Task } from '../../engine/types.js';
import keepalived from '../../roles/keepalived/index.js';
import { renderKeepalivedConf } from '../../roles/keepalived/templates/keepalived-conf.js';
import type { KeepalivedOn, KeepalivedVars } from '../../roles/keepalived/vars.js';
import { detectInterface } from '../../roles/lb-shared/vrrp-interface.js';
import { FakeCluster, fileAnswer } from './helpers/fake-cluster.js';
import { ipAddrOutput } from './helpers/fresh-host.js';
import { haproxyCheck, keepalivedTest, realToolsMissing } from './helpers/real-tools.js';
import { requirePrerequisite } from '../helpers/skip.js';
import { resolveRole } from './helpers/resolve.js';
import { dedicatedPair, singleLb, stacked } from './helpers/topologies.js';

const interfaces = (stdout: string) => parseAddresses({ code: 0, stdout, stderr: '' });

function task(name: string): Task<KeepalivedVars, Change> {
  const found = keepalived.tasks.find((t) => t.name === name);
  if (!found) throw new Error(`no task ${name}`);
  return found;
}

function stackedCluster(facts: Record<string, string>) {
  const inventory = stacked({ keepalived_check: 'apiserver' });
  const resolved = resolveRole(keepalived, inventory, 'lb');
  const hosts = Object.fromEntries(['master1', 'master2', 'master3'].map((h) => [h, { facts }]));
  return new FakeCluster<KeepalivedVars>(hosts, inventoryView(inventory), (h) => resolved.vars.get(h)!);
}

describe('keepalived tasks', () => {
  describe('VRRP interface detection', () => {
    const two = [
      '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
      '2: ens32    inet 192.168.1.11/24 brd 192.168.1.255 scope global ens32\\       valid_lft forever preferred_lft forever',
      '2: ens32    inet 192.168.1.10/24 scope global secondary ens32\\       valid_lft forever preferred_lft forever',
      '3: ens33    inet 192.168.0.11/24 brd 192.168.0.255 scope global ens33\\       valid_lft forever preferred_lft forever',
    ].join('\n');

    it('picks the interface whose subnet holds the VIP, whatever holds the VIP itself right now', () => {
      expect(detectInterface(interfaces(two), '192.168.0.10', '192.168.1.11')).to.equal('ens33');
      expect(detectInterface(interfaces(two), '192.168.1.10', '192.168.1.11')).to.equal('ens32');
    });

    it("falls back to the interface carrying the host's address, else gives up", () => {
      expect(detectInterface(interfaces(two), '10.9.9.9', '192.168.0.11')).to.equal('ens33');
      expect(detectInterface(interfaces(two), '10.9.9.9', '10.9.9.8')).to.equal(undefined);
    });

    it('fails the task with a hint to set keepalived_interface when nothing fits', async () => {
      const cluster = stackedCluster({ 'addresses:ipv4': ipAddrOutput('172.31.0.5'), 'file:/etc/keepalived/keepalived.conf': 'missing\n' });
      let message = '';
      await task('Write keepalived.conf')
        .check(cluster.ctx('master1'))
        .catch((err: Error) => (message = err.message));
      expect(message).to.match(/set keepalived_interface/);
    });
  });

  describe('Write keepalived.conf', () => {
    it('writes 0640 root:root, validated by keepalived -t, secret, restarting keepalived on change', async () => {
      const cluster = stackedCluster({ 'addresses:ipv4': ipAddrOutput('10.0.0.21'), 'file:/etc/keepalived/keepalived.conf': 'missing\n' });
      const t = task('Write keepalived.conf');
      const change = (await t.check(cluster.ctx('master1'))) as unknown as {
        summary: string;
        write: { mode: number; owner: string; validate: string; content: string };
        diffs: { after: string; secret?: boolean }[];
      };
      expect(change.write).to.include({ mode: 0o640, owner: 'root', validate: 'keepalived -t -f %s' });
      expect(change.write.content).to.contain('    interface eth0\n');
      expect(change.write.content).to.contain('        auth_pass pass1234\n');
      expect(change.diffs[0]?.secret).to.equal(true);
      expect(change.diffs[0]?.after).not.to.contain('pass1234');
      expect(change.summary).not.to.contain('pass1234');
      expect(cluster.secrets).to.include('pass1234');
      expect(t.notify).to.deep.equal(['restart keepalived']);
    });

    it('changes nothing when the file already has that content, mode and owner', async () => {
      const inventory = stacked({ keepalived_check: 'apiserver' });
      const v = resolveRole(keepalived, inventory, 'lb').vars.get('master1') as KeepalivedOn;
      const cluster = stackedCluster({
        'addresses:ipv4': ipAddrOutput('10.0.0.21'),
        'file:/etc/keepalived/keepalived.conf': fileAnswer(renderKeepalivedConf(v, 'eth0'), 0o640),
      });
      expect(await task('Write keepalived.conf').check(cluster.ctx('master1'))).to.equal(null);
    });

    it('writes the check script (0755) before keepalived.conf, only for the apiserver check', () => {
      const names = keepalived.tasks.map((t) => t.name);
      expect(names.indexOf('Write the apiserver check script')).to.be.lessThan(names.indexOf('Write keepalived.conf'));
      const dedicated = resolveRole(keepalived, dedicatedPair(), 'lb').vars.get('lb1')!;
      const script = task('Write the apiserver check script');
      const cluster = stackedCluster({});
      expect(script.when?.(cluster.ctx('master1'))).to.equal(true);
      expect(script.when?.(cluster.ctx('master1', dedicated))).to.equal(false);
    });

    it('skips every task when keepalived is off (single LB)', () => {
      const inventory = singleLb();
      const off = resolveRole(keepalived, inventory, 'lb').vars.get('k8s-lb')!;
      const cluster = new FakeCluster<KeepalivedVars>({ 'k8s-lb': { facts: {} } }, inventoryView(inventory), () => off);
      for (const t of keepalived.tasks) expect(t.when?.(cluster.ctx('k8s-lb')), t.name).to.equal(false);
    });
  });

  describe('keepalived.conf template', () => {
    const resolveLb1 = (all: Record<string, unknown>) => resolveRole(keepalived, dedicatedPair(all), 'lb').vars.get('lb1') as KeepalivedOn;

    it('tracks the VIP devices and extra interfaces, never the VRRP interface itself (keepalived -t warns)', () => {
      const conf = renderKeepalivedConf(
        resolveLb1({ keepalived_vips: [{ address: '192.168.0.10', device: 'ens33' }], keepalived_track_interfaces: ['bond0', 'ens32'] }),
        'ens32',
      );
      expect(conf).to.contain('    track_interface {\n        bond0\n        ens33\n    }\n');
    });

    it('has no track_interface block when everything is on the VRRP interface', () => {
      expect(renderKeepalivedConf(resolveLb1({}), 'eth0')).not.to.contain('track_interface');
    });

    it('adds unicast source and peers only with keepalived_unicast', () => {
      expect(renderKeepalivedConf(resolveLb1({}), 'eth0')).not.to.contain('unicast');
      const conf = renderKeepalivedConf(resolveLb1({ keepalived_unicast: true }), 'eth0');
      expect(conf).to.contain('    unicast_src_ip 10.0.0.11\n    track_src_ip\n    unicast_peer {\n        10.0.0.12\n    }\n');
    });

    it('checks the haproxy process by absolute path, going FAULT on failure (no weight)', () => {
      const conf = renderKeepalivedConf(resolveLb1({}), 'eth0');
      expect(conf).to.contain('vrrp_script chk_haproxy {\n    script "/usr/bin/killall -0 haproxy"\n    interval 1\n    fall 2\n    rise 2\n');
      expect(conf).not.to.match(/^\s*weight/m);
      expect(conf).to.contain('    state MASTER\n');
      expect(conf).to.contain('    virtual_ipaddress {\n        10.0.0.10/24 dev eth0\n    }\n');
    });

    it('weights the apiserver check (-100) so the VIP survives a cluster without apiservers', () => {
      const v = resolveRole(keepalived, stacked({ keepalived_check: 'apiserver' }), 'lb').vars.get('master1') as KeepalivedOn;
      const conf = renderKeepalivedConf(v, 'eth0');
      expect(conf).to.contain('    script "/etc/keepalived/check_apiserver.sh"\n    interval 3\n    fall 10\n    rise 2\n');
      expect(conf).to.match(/^    weight -100$/m);
      expect(renderKeepalivedConf({ ...v, checkWeight: 0 }, 'eth0')).not.to.match(/^\s*weight/m);
    });
  });

  describe('the real-tool harness', () => {
    before(function () {
      requirePrerequisite(this, realToolsMissing());
    });

    it('is not vacuous: keepalived -t rejects what keepalived rejects', () => {
      const good = renderKeepalivedConf(resolveRole(keepalived, dedicatedPair(), 'lb').vars.get('lb1') as KeepalivedOn, 'eth0');
      expect(keepalivedTest(good).code, keepalivedTest(good).output).to.equal(0);
      // keepalived ignores preempt_delay on a MASTER (the reason the role starts all as BACKUP).
      const bad = good.replace('    advert_int 1\n', '    advert_int 1\n    preempt_delay 30\n');
      const result = keepalivedTest(bad);
      expect(result.code).not.to.equal(0);
      expect(result.output).to.match(/preempt delay will not work with initial state MASTER/);
    });

    it('is not vacuous: haproxy -c rejects a broken config', () => {
      expect(haproxyCheck('defaults\n    mode tcp\nbackend b\n    balance nonsense\n').code).not.to.equal(0);
    });
  });
});
