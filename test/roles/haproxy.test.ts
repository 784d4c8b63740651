import { expect } from 'chai';
import haproxy from '../../roles/haproxy/index.js';
import { renderHaproxyCfg } from '../../roles/haproxy/templates/haproxy-cfg.js';
import type { HaproxyVars } from '../../roles/haproxy/vars.js';
import { expectVarsError } from './helpers/expect-error.js';
import { ALL_FILE, HOSTS_FILE } from './helpers/inventory.js';
import { resolveRole, varsOf } from './helpers/resolve.js';
import { dedicatedPair, singleLb, stacked } from './helpers/topologies.js';

describe('haproxy', () => {
  describe('vars', () => {
    it('binds every VIP on dedicated LBs, with all masters as backends on apiserver_port', () => {
      const v = varsOf(resolveRole(haproxy, dedicatedPair({ keepalived_vips: ['192.168.0.10/24'] }), 'lb'), 'lb1');
      expect(v.binds).to.deep.equal(['10.0.0.10:6443', '192.168.0.10:6443']);
      expect(v.backends).to.deep.equal([
        { name: 'master1', address: '10.0.0.21', port: 6443 },
        { name: 'master2', address: '10.0.0.22', port: 6443 },
        { name: 'master3', address: '10.0.0.23', port: 6443 },
      ]);
      expect(v).to.include({ healthCheck: 'https', inter: '10s', rise: 3, fall: 2, timeoutClient: '4h', timeoutServer: '4h' });
      expect(v.statsSocket).to.equal('/run/haproxy/admin.sock');
    });

    it('listens on 8443 when stacked on the masters', () => {
      expect(varsOf(resolveRole(haproxy, stacked(), 'lb'), 'master2').binds).to.deep.equal(['10.0.0.10:8443']);
    });

    it('listens on every address of a single LB host (no keepalived)', () => {
      expect(varsOf(resolveRole(haproxy, singleLb(), 'lb'), 'k8s-lb').binds).to.deep.equal(['*:6443']);
    });

    it('honours haproxy_bind_address and haproxy_stats_socket: false', () => {
      const v = varsOf(resolveRole(haproxy, dedicatedPair({ haproxy_bind_address: '*', haproxy_stats_socket: false }), 'lb'), 'lb2');
      expect(v.binds).to.deep.equal(['*:6443']);
      expect(v.statsSocket).to.equal(undefined);
    });

    it('refuses the apiserver port as frontend when stacked', () => {
      expectVarsError(
        () => resolveRole(haproxy, stacked({ apiserver_lb_port: 6443 }), 'lb'),
        'apiserver_lb_port',
        `${ALL_FILE}:3`,
        /kube-apiserver port .* on master1, which is also a master/,
      );
    });

    it('refuses an unknown haproxy_health_check', () => {
      expectVarsError(
        () => resolveRole(haproxy, dedicatedPair({ haproxy_health_check: 'ssl-hello-chk' }), 'lb'),
        'haproxy_health_check',
        `${ALL_FILE}:3`,
        /one of tcp, https/,
      );
    });

    it('refuses bad durations and counts', () => {
      expectVarsError(() => resolveRole(haproxy, dedicatedPair({ haproxy_timeout_client: '4 hours' }), 'lb'), 'haproxy_timeout_client', `${ALL_FILE}:3`, /haproxy time/);
      expectVarsError(() => resolveRole(haproxy, dedicatedPair({ haproxy_inter: '0s' }), 'lb'), 'haproxy_inter', `${ALL_FILE}:3`, /haproxy time/);
      expectVarsError(() => resolveRole(haproxy, dedicatedPair({ haproxy_rise: 0 }), 'lb'), 'haproxy_rise', `${ALL_FILE}:3`, />= 1/);
    });

    it('refuses LB hosts that would serve different endpoints', () => {
      expectVarsError(
        () => resolveRole(haproxy, dedicatedPair({}, { lb2: { apiserver_lb_port: 7443 } }), 'lb'),
        'apiserver_lb_port',
        `${HOSTS_FILE}:2`,
        /lb2 listens on 10.0.0.10:7443 but lb1 on 10.0.0.10:6443/,
      );
    });

    it('refuses a host outside the lb group', () => {
      expectVarsError(() => resolveRole(haproxy, dedicatedPair(), 'masters'), 'lb_group', 'roles/haproxy/defaults.ts', /not in group 'lb'/);
    });
  });

  describe('haproxy.cfg template', () => {
    const base: HaproxyVars = {
      host: 'lb1',
      binds: ['10.0.0.10:6443'],
      backends: [
        { name: 'master1', address: '10.0.0.21', port: 6443 },
        { name: 'master2', address: '10.0.0.22', port: 6443 },
      ],
      healthCheck: 'https',
      inter: '10s',
      rise: 3,
      fall: 2,
      timeoutClient: '4h',
      timeoutServer: '4h',
      statsSocket: '/run/haproxy/admin.sock',
      bindWhere: { key: 'apiserver_lb_port', at: { file: 'x' } },
    };

    it('checks /healthz over TLS without ssl-hello-chk', () => {
      const cfg = renderHaproxyCfg(base);
      expect(cfg).to.contain('    option httpchk GET /healthz\n    http-check expect status 200\n');
      expect(cfg).to.contain('    default-server inter 10s downinter 5s rise 3 fall 2 check-ssl verify none\n');
      expect(cfg).not.to.match(/^\s*option ssl-hello-chk/m);
      expect(cfg).to.contain('    server master1 10.0.0.21:6443 check\n    server master2 10.0.0.22:6443 check\n');
      expect(cfg).to.contain('    stats socket /run/haproxy/admin.sock mode 660 level admin\n');
      expect(cfg).to.contain('    timeout client 4h\n    timeout server 4h\n');
    });

    it('uses a TCP connect check when asked, and no stats socket when none', () => {
      const { statsSocket: _none, ...rest } = base;
      const cfg = renderHaproxyCfg({ ...rest, healthCheck: 'tcp' });
      expect(cfg).to.contain('    option tcp-check\n    default-server inter 10s downinter 5s rise 3 fall 2\n');
      expect(cfg).not.to.contain('httpchk');
      expect(cfg).not.to.contain('stats socket');
    });

    it('is deterministic', () => {
      expect(renderHaproxyCfg(base)).to.equal(renderHaproxyCfg({ ...base }));
    });
  });
});
