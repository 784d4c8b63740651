/**
 * Task: every master's real host keys are in this master's /root/.ssh/known_hosts under its
 * inventory name and address, so `ssh master2` between masters never prompts. The keys are
 * read from each master (/etc/ssh/ssh_host_*_key.pub) as a fact of that master: the checks of all
 * masters ask it in the same batch, which reads it once, and the check may run ahead.
 */
import { commandFact, fileFact } from '../../engine/facts/index.js';
import { TaskError } from '../../engine/errors.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { appendLinesScript, rewriteLinesScript } from './append-lines.js';
import { KNOWN_HOSTS } from './key-pair.js';
import { missingKnownHosts, parseHostKeys, staleKnownHosts, type HostKeys } from './known-hosts.js';
import type { Master, SshTrustVars } from './vars.js';

export interface KnownHostsChange extends Change {
  readonly lines: readonly string[];
  /** play's own lines for a key the master no longer has. */
  readonly stale: readonly string[];
  readonly chmod: boolean;
}

const HOST_KEYS_PROBE = 'cat /etc/ssh/ssh_host_*_key.pub 2>/dev/null || true';

async function hostKeysOf(ctx: TaskContext<SshTrustVars>, master: Master): Promise<HostKeys> {
  const keys = parseHostKeys((await ctx.on(master.name).fact(commandFact(HOST_KEYS_PROBE))).stdout);
  if (keys.length === 0) throw new TaskError(`${master.name} has no /etc/ssh/ssh_host_*_key.pub: is sshd installed?`);
  return { name: master.name, address: master.address, keys };
}

export function knownHostsTask(name: string): Task<SshTrustVars, KnownHostsChange> {
  return {
    name,
    async check(ctx) {
      const [state, ...hosts] = await Promise.all([
        ctx.fact(fileFact(KNOWN_HOSTS)),
        ...ctx.vars.masters.map((m) => hostKeysOf(ctx, m)),
      ]);
      const current = state.exists ? (state.content ?? '') : null;
      const lines = missingKnownHosts(current, hosts);
      const stale = staleKnownHosts(current, hosts);
      const chmod = state.exists && state.mode !== 0o644 && state.mode !== 0o600;
      if (lines.length === 0 && stale.length === 0 && !chmod) return null;
      const parts = [
        ...(lines.length ? [`add ${lines.length} host key(s)`] : []),
        ...(stale.length ? [`remove ${stale.length} old host key(s) of ${staleHosts(stale).join(', ')}`] : []),
        ...(chmod ? ['mode -> 0644'] : []),
      ];
      return { summary: parts.join(', '), lines, stale, chmod };
    },
    async apply(ctx, change) {
      if (change.stale.length === 0) {
        await ctx.run(appendLinesScript(KNOWN_HOSTS, change.lines, '644'), { label: `append to ${KNOWN_HOSTS}` });
        return;
      }
      await ctx.run(rewriteLinesScript(KNOWN_HOSTS, change.stale, change.lines, '644'), { label: `rewrite ${KNOWN_HOSTS}` });
    },
  };
}

/** The inventory names of stale lines (`name,address type key`), once each. */
function staleHosts(stale: readonly string[]): string[] {
  return [...new Set(stale.map((line) => line.split(/[ ,]/)[0]!))];
}
