/**
 * Task: this master's /root/.ssh/authorized_keys holds, in play's marked block, every master's
 * root key restricted to the masters' addresses (and the controller's, when given), and nothing
 * else play once put there: a master that left the group or a rotated controller key is taken
 * back. Lines outside the block stay (see authorized-keys.ts). A master whose key does not exist
 * yet gets it generated on it first (ctx.once), so the hosts need not wait for each other's turn.
 */
import { fileFact, type FileState } from '../../engine/facts/index.js';
import { applyFileChange, planFile, type FileChange } from '../../engine/ops/index.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { planAuthorizedKeys, wantedKeys, type AuthorizedKeysPlan } from './authorized-keys.js';
import { AUTHORIZED_KEYS, ensureKeyPair, PUBLIC_KEY } from './key-pair.js';
import { parsePublicKeyLine, type PublicKey } from './public-keys.js';
import type { SshTrustVars } from './vars.js';

export interface AuthorizedKeysChange extends Change {
  /** The file as check read it: apply computes the final content from it. */
  readonly state: FileState;
  /** Masters without a key pair yet: generate, read, and add theirs in apply. */
  readonly generate: readonly string[];
  /** Keys of the other masters read in check (undefined: to be generated). */
  readonly keys: readonly (PublicKey | undefined)[];
}

type Ctx = TaskContext<SshTrustVars>;

const FILE_MODE = 0o600;

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

function plan(ctx: Ctx, state: FileState, keys: readonly (PublicKey | undefined)[]): { keys: AuthorizedKeysPlan; file: FileChange | null } {
  const v = ctx.vars;
  const controllerKey = v.controllerKey !== undefined ? parsePublicKeyLine(v.controllerKey) : undefined;
  const wanted = wantedKeys(
    v.masters.map((m, i) => ({ name: m.name, from: m.from, key: keys[i] })),
    controllerKey ? { key: controllerKey, from: v.controllerFrom } : undefined,
  );
  const current = state.exists ? (state.content ?? '') : null;
  const keysPlan = planAuthorizedKeys(current, wanted);
  const content = keysPlan.content ?? current ?? '';
  // owner/group only for a new file: an existing one keeps its own (sshd wants root's or 0600).
  const file = planFile({ path: AUTHORIZED_KEYS, content, mode: FILE_MODE, backup: false, ...(state.exists ? {} : { owner: 'root', group: 'root' }) }, state);
  return { keys: keysPlan, file };
}

function summaryOf(p: AuthorizedKeysPlan, file: FileChange | null, generate: readonly string[]): string {
  return [
    ...(generate.length ? [`generate and add the key of ${generate.join(', ')}`] : []),
    ...(p.added.length ? [`add the key of ${p.added.join(', ')}`] : []),
    ...(p.removed.length ? [`remove ${p.removed.length} key(s): ${p.removed.join(', ')}`] : []),
    ...(p.restricted.length ? [`set from= of ${p.restricted.join(', ')}`] : []),
    ...(p.adopted ? [`move ${p.adopted} line(s) an older play appended into the block`] : []),
    // Nothing in the keys: the file's own summary (mode, owner).
    ...(file && p.content === null ? [file.summary] : []),
  ].join(', ');
}

export function authorizedKeysTask(name: string): Task<SshTrustVars, AuthorizedKeysChange> {
  return {
    name,
    // Reads other masters' keys, which their own first task may be creating right now: a
    // prefetched answer is dropped as soon as one of those masters runs a command (its epoch).
    async check(ctx) {
      const [state, ...keys] = await Promise.all([ctx.fact(fileFact(AUTHORIZED_KEYS)), ...ctx.vars.masters.map((m) => readPublicKey(ctx, m.name))]);
      const generate = ctx.vars.masters.filter((_, i) => keys[i] === undefined).map((m) => m.name);
      const { keys: p, file } = plan(ctx, state, keys);
      for (const owner of p.unrestricted) {
        ctx.warn(`${AUTHORIZED_KEYS} has a line for the key of ${owner} outside play's block without from=: that key still logs in from anywhere until you remove the line`);
      }
      if (!file && generate.length === 0) return null;
      return { summary: summaryOf(p, file, generate), ...(file?.diffs ? { diffs: file.diffs } : {}), state, generate, keys };
    },
    async apply(ctx, change) {
      const generated = new Map(await Promise.all(change.generate.map(async (m) => [m, await generatedPublicKey(ctx, m)] as const)));
      const keys = ctx.vars.masters.map((m, i) => change.keys[i] ?? generated.get(m.name));
      // The file may have changed since check only through this task, on this host: no re-read.
      const { file } = plan(ctx, change.state, keys);
      if (file) await applyFileChange(ctx, file);
    },
  };
}
