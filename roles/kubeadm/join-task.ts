/**
 * `kubeadm join` on every host but the first master, once: kubelet.conf is the sign that the
 * node is in the cluster. Control planes join one at a time (each adds an etcd member, and
 * etcd must reach quorum with it before the next); workers join together.
 */
import { TaskError } from '../../engine/errors.js';
import { pathExistsFact } from '../../engine/facts/index.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { runMust } from '../../engine/ops/index.js';
import { certificateKey, createJoinToken, deleteJoinToken, uploadCertificates } from './join-secrets.js';
import { ADMIN_CONF, INITIALISED, KUBELET_CONF } from '../kube-shared/kube-paths.js';
import { kubeadmWithSecretConfig } from './secret-config.js';
import { renderJoinConfiguration, type JoinConfigInput } from './templates/join-configuration.js';
import type { KubeadmVars } from './vars.js';

export const CONTROL_PLANE_JOIN_LOCK = 'kubeadm:control-plane-join';

/**
 * Waits for the first master's INITIALISED: its init task publishes it in this run whether it
 * ran `kubeadm init` now or found the cluster made. Not admin.conf first: kubeadm writes it
 * early in init (kubeconfig phase), minutes before the API and the cluster-info a join needs
 * exist. When the first master is not in the run (`--limit worker3`) nobody publishes, and the
 * wait fails as soon as every running host is waiting: then the first master is asked directly.
 */
async function firstMasterReady(ctx: TaskContext<KubeadmVars>): Promise<void> {
  try {
    await ctx.waitFor(INITIALISED);
  } catch (err) {
    const first = ctx.on(ctx.vars.firstMaster);
    const made = await first.run(sh`test -e ${ADMIN_CONF}`, { allowFail: true, label: `is ${ADMIN_CONF} on ${ctx.vars.firstMaster}` });
    if (made.code === 0) return;
    throw new TaskError(`${ctx.vars.firstMaster} (the first master) is not initialised and not initialising in this run: ${(err as Error).message}`);
  }
}

type ControlPlaneJoin = JoinConfigInput['controlPlane'];

/** `kubeadm join --config` with this node's own token, which is deleted right after, joined or not. */
async function runJoin(ctx: TaskContext<KubeadmVars>, controlPlane?: ControlPlaneJoin): Promise<void> {
  const join = await createJoinToken(ctx);
  try {
    const config = renderJoinConfiguration({
      apiVersion: ctx.vars.kubeadmApi,
      ...join,
      nodeName: ctx.vars.nodeName,
      criSocket: ctx.vars.criSocket,
      ...(controlPlane ? { controlPlane } : {}),
    });
    await runMust(ctx, kubeadmWithSecretConfig(['join'], config), {
      secret: true,
      timeoutMs: ctx.vars.timeoutMs,
      label: 'kubeadm join',
      tailLines: 8,
      hint: `After fixing the cause, clean this node before the next run: play reset.yml -e reset_confirm=yes --limit ${ctx.vars.host}`,
    });
  } finally {
    await deleteJoinToken(ctx, join);
  }
}

export function joinTask(name: string, when: (ctx: TaskContext<KubeadmVars>) => boolean): Task<KubeadmVars, Change> {
  return {
    name,
    when,
    async check(ctx) {
      if (await ctx.fact(pathExistsFact(KUBELET_CONF))) return null;
      const as = ctx.vars.role === 'master' ? 'a control-plane node' : 'a worker';
      return { summary: `kubeadm join ${ctx.vars.endpoint} as ${as} (node ${ctx.vars.nodeName})` };
    },
    async apply(ctx) {
      await firstMasterReady(ctx);
      if (ctx.vars.role !== 'master') {
        await runJoin(ctx);
        return;
      }
      const key = await certificateKey(ctx);
      await ctx.exclusive(CONTROL_PLANE_JOIN_LOCK, async () => {
        await uploadCertificates(ctx, key);
        await runJoin(ctx, {
          certificateKey: key,
          bindPort: ctx.vars.apiserverPort,
          ...(ctx.vars.advertiseAddress !== undefined ? { advertiseAddress: ctx.vars.advertiseAddress } : {}),
        });
      });
    },
  };
}
