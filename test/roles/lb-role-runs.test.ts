/**
 * The haproxy and keepalived roles run end to end against canned facts: what a fresh host gets
 * (the commands apply would send), and an already converged host, on which nothing runs.
 */
import { restartIfStaleScript } from '../../engine/ops/restart.js';
import { expect } from 'chai';
import { inventoryView } from '../../engine/runner/host-view.js';
import type { Change, Role } from '../../engine/types.js';
import haproxy from '../../roles/haproxy/index.js';
import { renderHaproxyCfg } from '../../roles/haproxy/templates/haproxy-cfg.js';
import type { HaproxyVars } from '../../roles/haproxy/vars.js';
import keepalived from '../../roles/keepalived/index.js';
import { renderKeepalivedConf } from '../../roles/keepalived/templates/keepalived-conf.js';
import type { KeepalivedOn, KeepalivedVars } from '../../roles/keepalived/vars.js';
import { FakeCluster, converge, fileAnswer, type FakeHost } from './helpers/fake-cluster.js';
import { resolveRole } from './helpers/resolve.js';
import { dedicatedPair } from './helpers/topologies.js';

const RUNNING = 'LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\nNeedDaemonReload=no\n';
const NOT_FOUND = 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\nNeedDaemonReload=no\n';
const NOT_INSTALLED = { code: 1, stdout: '', stderr: 'dpkg-query: no packages found matching' };

async function runRole<V>(role: Role<V>, cluster: FakeCluster<V>, host: string): Promise<{ changed: string[]; notified: Set<string> }> {
  const changed: string[] = [];
  const notified = new Set<string>();
  for (const task of role.tasks) {
    const change: Change | null = await converge(task, cluster.ctx(host));
    if (change) {
      changed.push(task.name);
      task.notify?.forEach((h) => notified.add(h));
    }
  }
  for (const handler of notified) await role.handlers?.[handler]?.(cluster.ctx(host));
  return { changed, notified };
}

describe('LB roles end to end (canned facts)', () => {
  const inventory = dedicatedPair({ keepalived_unicast: true });

  describe('haproxy', () => {
    const v = resolveRole(haproxy, inventory, 'lb').vars.get('lb1')!;
    const cluster = (facts: FakeHost['facts']) => new FakeCluster<HaproxyVars>({ lb1: { facts } }, inventoryView(inventory), () => v);

    it('on a fresh host: installs, writes a config checked by haproxy -c, starts, then reloads', async () => {
      const c = cluster({ 'packages:haproxy': NOT_INSTALLED, 'file:/etc/haproxy/haproxy.cfg': 'missing\n', 'service:haproxy': NOT_FOUND });
      const run = await runRole(haproxy, c, 'lb1');
      expect(run.changed).to.deep.equal(['Install haproxy', 'Write haproxy.cfg', 'Enable and start haproxy']);
      const [install = '', write = '', start = '', reload = ''] = c.scripts('lb1');
      expect(install).to.match(/apt-get .* install --no-install-recommends -- haproxy/);
      expect(write).to.contain('if ! out=$( { haproxy -c -f "$tmp" ; } 2>&1 </dev/null); then');
      expect(start).to.contain('systemctl enable -- haproxy');
      expect(start).to.contain('systemctl start -- haproxy');
      expect(reload).to.equal('systemctl reload-or-restart haproxy');
    });

    it('on a converged host: runs nothing', async () => {
      const c = cluster({
        'packages:haproxy': 'haproxy\tamd64\tii \t2.6.12-1+deb12u1\n',
        'file:/etc/haproxy/haproxy.cfg': fileAnswer(renderHaproxyCfg(v)),
        'service:haproxy': RUNNING,
      });
      expect((await runRole(haproxy, c, 'lb1')).changed).to.deep.equal([]);
      expect(c.scripts('lb1')).to.deep.equal([]);
    });
  });

  describe('keepalived', () => {
    const v = resolveRole(keepalived, inventory, 'lb').vars.get('lb2') as KeepalivedOn;
    const addresses = '2: eth0    inet 10.0.0.12/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever\n';
    const cluster = (facts: FakeHost['facts']) =>
      new FakeCluster<KeepalivedVars>({ lb2: { facts: { 'addresses:ipv4': addresses, ...facts } } }, inventoryView(inventory), () => v);

    it('on a fresh host: writes a config checked by keepalived -t, starts, restarts once if stale; the password stays out of labels', async () => {
      const c = cluster({ 'packages:keepalived,psmisc': NOT_INSTALLED, 'file:/etc/keepalived/keepalived.conf': 'missing\n', 'service:keepalived': NOT_FOUND });
      const run = await runRole(keepalived, c, 'lb2');
      expect(run.changed).to.deep.equal(['Install keepalived', 'Write keepalived.conf', 'Enable and start keepalived']);
      expect([...run.notified]).to.deep.equal(['restart keepalived']);
      const scripts = c.scripts('lb2');
      expect(scripts[1]).to.contain('keepalived -t -f "$tmp"');
      expect(scripts[1]).to.contain('chmod 0640 -- "$tmp"');
      // The content travels base64-encoded inside the script; labels stand in for it in output.
      expect(scripts[1]).not.to.contain('pass1234');
      expect(c.labels.get('lb2')?.[1]).to.equal('write /etc/keepalived/keepalived.conf');
      expect(scripts[3]).to.equal(restartIfStaleScript('keepalived', ['/etc/keepalived/keepalived.conf']));
      expect(c.secrets).to.include('pass1234');
    });

    it('on a converged host: runs nothing (the interface is detected the same way each time)', async () => {
      const c = cluster({
        'packages:keepalived,psmisc': 'keepalived\tamd64\tii \t1:2.2.7-1+b2\npsmisc\tamd64\tii \t23.6-1\n',
        'file:/etc/keepalived/keepalived.conf': fileAnswer(renderKeepalivedConf(v, 'eth0'), 0o640),
        'service:keepalived': RUNNING,
      });
      expect((await runRole(keepalived, c, 'lb2')).changed).to.deep.equal([]);
      expect(c.scripts('lb2')).to.deep.equal([]);
    });
  });
});
