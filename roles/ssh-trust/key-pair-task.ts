/** Task: this master has root's ed25519 key pair, private key mode 0600. */
import type { Change, Task } from '../../engine/types.js';
import { ensureKeyPair, keyPairFact } from './key-pair.js';
import type { SshTrustVars } from './vars.js';

export function keyPairTask(name: string): Task<SshTrustVars, Change> {
  return {
    name,
    async check(ctx) {
      const state = await ctx.fact(keyPairFact());
      if (state.privateMode === null) return { summary: 'generate /root/.ssh/id_ed25519 (ed25519, on the host)' };
      const parts = [
        ...(state.publicExists ? [] : ['derive the missing id_ed25519.pub']),
        ...(state.privateMode !== 0o600 ? [`mode ${state.privateMode.toString(8).padStart(4, '0')} -> 0600`] : []),
      ];
      return parts.length ? { summary: parts.join(', ') } : null;
    },
    async apply(ctx) {
      await ensureKeyPair(ctx, ctx.host.name);
    },
  };
}
