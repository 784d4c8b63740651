/**
 * keepalived: floats the apiserver VIP (and any keepalived_vips) across the lb group by VRRP.
 * Skips cleanly (every task 'skipped') when keepalived is off: keepalived_enabled: false, or
 * 'auto' with a single LB host, whose own address is then the endpoint.
 */
import { TaskError } from '../../engine/errors.js';
import { addressesFact } from '../../engine/facts/index.js';
import { file, packages, restartIfStale, service } from '../../engine/ops/index.js';
import { defineRole } from '../../engine/role.js';
import type { TaskContext } from '../../engine/types.js';
import { detectInterface } from '../lb-shared/vrrp-interface.js';
import { defaults } from './defaults.js';
import { renderCheckApiserver } from './templates/check-apiserver.js';
import { CHECK_APISERVER_PATH, KEEPALIVED_CONF, renderKeepalivedConf } from './templates/keepalived-conf.js';
import { validateKeepalivedPlay } from './validate-play.js';
import { resolveKeepalived, type KeepalivedOn, type KeepalivedVars } from './vars.js';

const RESTART = 'restart keepalived';

type Ctx = TaskContext<KeepalivedVars>;

/** The vars of a task that only runs when enabled (its `when` guarantees it). */
function on(ctx: Ctx): KeepalivedOn {
  if (!ctx.vars.enabled) throw new TaskError('keepalived is disabled on this host');
  return ctx.vars;
}

const enabled = (ctx: Ctx): boolean => ctx.vars.enabled;

/** keepalived_interface, or the interface detected from the host's addresses. */
export async function vrrpInterface(ctx: Ctx, v: KeepalivedOn): Promise<string> {
  if (v.interface !== undefined) return v.interface;
  const found = detectInterface(await ctx.fact(addressesFact()), v.vip, v.address);
  if (found === undefined) {
    throw new TaskError(
      `cannot tell which interface keepalived should use on ${v.host}: none has an address in ` +
        `${v.vip}/${v.vipPrefix} or the address ${v.address}; set keepalived_interface`,
    );
  }
  return found;
}

export default defineRole<KeepalivedVars>({
  name: 'keepalived',
  defaults,
  resolve: resolveKeepalived,
  validatePlay: validateKeepalivedPlay,
  handlers: {
    // On a first apply keepalived is started after its config was written: no second start
    // (1.2 s, and a VIP flap while the cluster forms).
    [RESTART]: (ctx) => restartIfStale(ctx, 'keepalived', [KEEPALIVED_CONF]),
  },
  tasks: [
    // updateCache: minimal images ship without an apt index (refreshed only when installing).
    packages<KeepalivedVars>(
      'Install keepalived',
      // The checks' tools: curl for check_apiserver.sh, killall (psmisc) for the haproxy check.
      (ctx) => ({ names: ['keepalived', on(ctx).check === 'apiserver' ? 'curl' : 'psmisc'], updateCache: true }),
      { when: enabled },
    ),
    // Written before keepalived.conf: `keepalived -t` refuses a config whose script is missing.
    file<KeepalivedVars>(
      'Write the apiserver check script',
      (ctx) => {
        const v = on(ctx);
        return {
          path: CHECK_APISERVER_PATH,
          content: renderCheckApiserver({ vip: v.vip, apiserverPort: v.apiserverPort, lbPort: v.lbPort }),
          mode: 0o755,
          owner: 'root',
          group: 'root',
        };
      },
      { when: (ctx) => ctx.vars.enabled && ctx.vars.check === 'apiserver' },
    ),
    file<KeepalivedVars>(
      'Write keepalived.conf',
      (ctx) => {
        const v = on(ctx);
        ctx.secret(v.authPass);
        return {
          path: KEEPALIVED_CONF,
          // A promise: the file is read in the same batch as the addresses the interface needs.
          content: vrrpInterface(ctx, v).then((iface) => renderKeepalivedConf(v, iface)),
          // Holds auth_pass: not world-readable, and its diff is never shown.
          mode: 0o640,
          owner: 'root',
          group: 'root',
          secret: true,
          validate: 'keepalived -t -f %s',
        };
      },
      { when: enabled, notify: [RESTART] },
    ),
    service<KeepalivedVars>('Enable and start keepalived', () => ({ name: 'keepalived', enabled: true, state: 'started' }), {
      when: enabled,
    }),
  ],
});
