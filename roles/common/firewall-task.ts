/**
 * Converges ufw: adds the missing rules, deletes the rules of the restricted services
 * (CONVERGED_COMMENTS) that are no longer wanted (a master that left, a port older play versions
 * opened to anyone), then enables ufw if it is off. Other rules, yours included, are never
 * deleted. A custom task because the rule list varies per host.
 */
import { commandFact } from '../../engine/facts/index.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task } from '../../engine/types.js';
import { convergedRule, parseUfwState, ufwRuleLine, type UfwRule } from './firewall-rules.js';
import type { CommonVars } from './vars.js';

/** ufw's state in one probe: the status line, then the rules as `ufw show added` lists them. */
export const UFW_PROBE = `if command -v ufw >/dev/null 2>&1; then ufw status | head -n 1; ufw show added; else echo missing; fi`;

export interface FirewallChange extends Change {
  readonly add: readonly UfwRule[];
  /** Rules play manages that are not wanted any more. */
  readonly remove: readonly UfwRule[];
  readonly enable: boolean;
}

export function firewallTask(name: string): Task<CommonVars, FirewallChange> {
  return {
    name,
    when: (ctx) => ctx.vars.firewall !== undefined,
    // ufw is installed by the task before this one: read its state only when our turn comes.
    prefetch: false,
    async check(ctx) {
      const wanted = ctx.vars.firewall ?? [];
      const state = parseUfwState((await ctx.fact(commandFact(UFW_PROBE))).stdout);
      const have = new Set(state.rules);
      const keep = new Set(wanted.map(ufwRuleLine));
      const add = wanted.filter((rule) => !have.has(ufwRuleLine(rule)));
      const remove = state.rules.filter((line) => !keep.has(line)).flatMap((line) => convergedRule(line) ?? []);
      const enable = !state.active;
      if (add.length === 0 && remove.length === 0 && !enable) return null;
      const parts = [
        ...(add.length ? [`add ${add.map(ufwRuleLine).join('; ')}`] : []),
        ...(remove.length ? [`delete ${remove.map(ufwRuleLine).join('; ')}`] : []),
        ...(enable ? ['enable ufw'] : []),
      ];
      return { summary: parts.join(', '), add, remove, enable };
    },
    async apply(ctx, change) {
      const script = [
        'set -e',
        ...change.add.map((rule) => sh`ufw ${[...rule.args]}`),
        ...change.remove.map((rule) => sh`ufw delete ${[...rule.args]}`),
        // Rules first (ssh among them), then enable: the running session is never cut off.
        ...(change.enable ? ['ufw --force enable'] : []),
      ];
      await ctx.run(script.join('\n') + '\n', { label: 'ufw rules' });
    },
  };
}
