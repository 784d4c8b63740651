/**
 * haproxy: a TCP load balancer on every LB host, in front of every master's kube-apiserver.
 * The config is checked with `haproxy -c` before it replaces the old one, and a change reloads
 * haproxy (open connections, e.g. watches, finish on the old process).
 */
import { file, packages, service } from '../../engine/ops/index.js';
import { defineRole } from '../../engine/role.js';
import { defaults } from './defaults.js';
import { HAPROXY_CFG, renderHaproxyCfg } from './templates/haproxy-cfg.js';
import { validateHaproxyPlay } from './validate-play.js';
import { resolveHaproxy, type HaproxyVars } from './vars.js';

const RELOAD = 'reload haproxy';

export default defineRole<HaproxyVars>({
  name: 'haproxy',
  defaults,
  resolve: resolveHaproxy,
  validatePlay: validateHaproxyPlay,
  handlers: {
    // reload-or-restart: a plain reload fails when haproxy is not running (first install with
    // a config the package's default could not start with).
    [RELOAD]: async (ctx) => {
      await ctx.run('systemctl reload-or-restart haproxy', { label: 'systemctl reload haproxy' });
    },
  },
  tasks: [
    // updateCache: minimal images ship without an apt index (refreshed only when installing).
    packages<HaproxyVars>('Install haproxy', () => ({ names: ['haproxy'], updateCache: true })),
    file<HaproxyVars>(
      'Write haproxy.cfg',
      (ctx) => ({
        path: HAPROXY_CFG,
        content: renderHaproxyCfg(ctx.vars),
        mode: 0o644,
        owner: 'root',
        group: 'root',
        validate: 'haproxy -c -f %s',
      }),
      { notify: [RELOAD] },
    ),
    service<HaproxyVars>('Enable and start haproxy', () => ({ name: 'haproxy', enabled: true, state: 'started' })),
  ],
});
