/**
 * The admin kubeconfig for people on the masters: root's ~/.kube/config and the connecting
 * user's (seed 002/004's `mkdir -p $HOME/.kube; cp -i admin.conf; chown`). The content is
 * admin.conf as kubeadm wrote it; it holds a client key, so the files are 0600 and their diffs
 * are masked.
 */
import { TaskError } from '../../engine/errors.js';
import { commandFact, fileFact } from '../../engine/facts/index.js';
import { applyFileChange, type FileChange, notThereYet, planFile } from '../../engine/ops/index.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { ADMIN_CONF } from '../kube-shared/kube-paths.js';
import type { KubeadmVars } from './vars.js';

export interface KubeconfigTarget {
  readonly path: string;
  readonly owner: string;
  readonly group: string;
  /** Create the parent (~/.kube) owned by owner:group, 0700, when missing. */
  readonly dir: string;
}

/** The base64 client key of a kubeconfig: what makes it a credential. */
export function clientKeysIn(kubeconfig: string): string[] {
  return [...kubeconfig.matchAll(/client-key-data:\s*(\S+)/g)].map((m) => m[1]!);
}

/** admin.conf's content (marked secret), or undefined when the host has none yet. */
export async function adminConf(ctx: TaskContext<KubeadmVars>): Promise<string | undefined> {
  const state = await ctx.fact(fileFact(ADMIN_CONF));
  if (!state.exists || state.content === undefined) return undefined;
  clientKeysIn(state.content).forEach((key) => ctx.secret(key));
  return state.content;
}

interface KubeconfigChange extends Change {
  readonly file: FileChange | null;
  /** ~/.kube is missing: create it (owned by the user) first. */
  readonly makeDir?: KubeconfigTarget;
}

export function kubeconfigTask(
  name: string,
  target: (ctx: TaskContext<KubeadmVars>) => Promise<KubeconfigTarget>,
  when: (ctx: TaskContext<KubeadmVars>) => boolean,
): Task<KubeadmVars, KubeconfigChange> {
  return {
    name,
    when,
    // admin.conf appears during this run's init or join: read it in turn, not ahead.
    prefetch: false,
    async check(ctx) {
      // The target and its files are asked along with admin.conf (one exec, not three); their
      // answer, or the target's error, counts only once admin.conf is there.
      const targetAsked = target(ctx);
      const filesAsked = targetAsked.then((t) => Promise.all([ctx.fact(fileFact(t.path)), ctx.fact(fileFact(t.dir))]));
      filesAsked.catch(() => undefined);
      const content = await adminConf(ctx);
      if (content === undefined) {
        return notThereYet<KubeadmVars, KubeconfigChange>(ctx, { summary: `copy ${ADMIN_CONF} once kubeadm has written it`, file: null }, `${ADMIN_CONF} is missing on ${ctx.vars.host} although kubeadm init/join reported success`);
      }
      const t = await targetAsked;
      const [state, dir] = await filesAsked;
      const file = planFile({ path: t.path, content, mode: 0o600, owner: t.owner, group: t.group, secret: true }, state);
      const makeDir = dir.exists ? undefined : t;
      if (!file && !makeDir) return null;
      const summary = [...(makeDir ? [`create ${t.dir}`] : []), ...(file ? [file.summary] : [])].join(', ');
      return { summary, ...(file?.diffs ? { diffs: file.diffs } : {}), file, ...(makeDir ? { makeDir } : {}) };
    },
    async apply(ctx, change) {
      if (change.makeDir) {
        const d = change.makeDir;
        await ctx.run(sh`install -d -m 0700 -o ${d.owner} -g ${d.group} -- ${d.dir}`);
      }
      if (change.file) await applyFileChange(ctx, change.file);
    },
  };
}

export const ROOT_KUBECONFIG: KubeconfigTarget = { path: '/root/.kube/config', owner: 'root', group: 'root', dir: '/root/.kube' };

/** Home and primary group of a user, from the host's passwd database. */
export async function userTarget(ctx: TaskContext<KubeadmVars>, user: string): Promise<KubeconfigTarget> {
  const probe = await ctx.fact(commandFact(sh`getent passwd ${user} | cut -d: -f6; id -gn -- ${user}`));
  const [home, group] = probe.stdout.trim().split('\n').map((s) => s.trim());
  if (probe.code !== 0 || !home || !group || !home.startsWith('/')) {
    throw new TaskError(`user ${user} (kube_admin_user / ansible_user) does not exist on ${ctx.vars.host}`);
  }
  return { path: `${home}/.kube/config`, owner: user, group, dir: `${home}/.kube` };
}
