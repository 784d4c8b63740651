/**
 * Task: every master's root key (and the controller's, when given) is in this master's
 * /root/.ssh/authorized_keys. Lines are only appended: existing lines, options and comments
 * stay. A master whose key does not exist yet gets it generated on it first (ctx.once), so the
 * hosts need not wait for each other's turn.
 */
import { fileFact } from '../../engine/facts/index.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { appendLinesScript } from './append-lines.js';
import { AUTHORIZED_KEYS, ensureKeyPair, PUBLIC_KEY } from './key-pair.js';
import { formatKey, missingKeys, parsePublicKeyLine, type PublicKey } from './public-keys.js';
import type { SshTrustVars } from './vars.js';

export interface AuthorizedKeysChange extends Change {
  /** Keys read in check that the file lacks. */
  readonly add: readonly PublicKey[];
  /** Masters without a key pair yet: generate, read, and add theirs in apply. */
  readonly generate: readonly string[];
  readonly chmod: boolean;
}

type Ctx = TaskContext<SshTrustVars>;

/** A master's public key from its .pub file; undefined while it has none. */
async function readPublicKey(ctx: Ctx, master: string): Promise<PublicKey | undefined> {
  const state = await ctx.on(master).fact(fileFact(PUBLIC_KEY));
  return state.exists && state.content !== undefined ? parsePublicKeyLine(state.content.trim()) : undefined;
}

/** After generation: read once per master for all hosts. */
function generatedPublicKey(ctx: Ctx, master: string): Promise<PublicKey | undefined> {
  return ctx.once(`ssh-trust:public-key:${master}`, async () => {
    await ensureKeyPair(ctx, master);
    const result = await ctx.on(master).run(sh`cat -- ${PUBLIC_KEY}`, { label: `read ${master}'s public key` });
    return parsePublicKeyLine(result.stdout.trim());
  });
}

export function authorizedKeysTask(name: string): Task<SshTrustVars, AuthorizedKeysChange> {
  return {
    name,
    // Reads other masters' keys, which their own first task may be creating right now: a
    // prefetched answer is dropped as soon as one of those masters runs a command (its epoch).
    async check(ctx) {
      const masters = ctx.vars.masters;
      const [state, ...keys] = await Promise.all([
        ctx.fact(fileFact(AUTHORIZED_KEYS)),
        ...masters.map((m) => readPublicKey(ctx, m.name)),
      ]);
      const generate = masters.filter((_, i) => keys[i] === undefined).map((m) => m.name);
      const controller = ctx.vars.controllerKey !== undefined ? parsePublicKeyLine(ctx.vars.controllerKey) : undefined;
      const wanted = [...keys.flatMap((k) => k ?? []), ...(controller ? [controller] : [])];
      const current = state.exists ? (state.content ?? '') : null;
      const add = missingKeys(current, wanted);
      const chmod = state.exists && state.mode !== 0o600;
      if (add.length === 0 && generate.length === 0 && !chmod) return null;
      const parts = [
        ...(generate.length ? [`generate and add the key of ${generate.join(', ')}`] : []),
        ...(add.length ? [`add ${add.length} key(s): ${add.map((k) => k.comment ?? k.type).join(', ')}`] : []),
        ...(chmod ? ['mode -> 0600'] : []),
      ];
      return { summary: parts.join(', '), add, generate, chmod };
    },
    async apply(ctx, change) {
      const generated = await Promise.all(change.generate.map((m) => generatedPublicKey(ctx, m)));
      // The file may have changed since check only through this task, on this host: no re-read.
      const lines = missingKeys(null, [...change.add, ...generated.flatMap((k) => k ?? [])]).map(formatKey);
      await ctx.run(appendLinesScript(AUTHORIZED_KEYS, lines, '600'), { label: `append to ${AUTHORIZED_KEYS}` });
    },
  };
}
