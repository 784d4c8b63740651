/**
 * `kubeadm init` on the first master, once: admin.conf is the sign that it ran. Whether it ran
 * now or in an earlier play run, the task publishes INITIALISED so joining hosts can go on.
 */
import { TaskError } from '../../engine/errors.js';
import { pathExistsFact } from '../../engine/facts/index.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { runMust } from '../../engine/ops/index.js';
import { ADMIN_CONF, INITIALISED } from '../kube-shared/kube-paths.js';
import { KUBEADM_CONFIG } from './templates/kubeadm-config.js';
import type { KubeadmVars } from './vars.js';

/**
 * A reset first master next to masters still in a cluster: init would found a second cluster
 * (a second etcd) under the same endpoint. Unreachable masters are left out of the question.
 */
async function mastersInACluster(ctx: TaskContext<KubeadmVars>): Promise<string[]> {
  const others = ctx.vars.topology.masters.filter((m) => m.name !== ctx.vars.firstMaster);
  const answers = await Promise.all(
    others.map(async (m) => {
      try {
        return (await ctx.on(m.name).fact(pathExistsFact(ADMIN_CONF))) ? m.name : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return answers.filter((n): n is string => n !== undefined);
}

export function initTask(name: string, when: (ctx: TaskContext<KubeadmVars>) => boolean): Task<KubeadmVars, Change> {
  return {
    name,
    when,
    async check(ctx) {
      if (await ctx.fact(pathExistsFact(ADMIN_CONF))) {
        ctx.publish(INITIALISED, true);
        return null;
      }
      const joined = await mastersInACluster(ctx);
      if (joined.length > 0) {
        throw new TaskError(
          `${ctx.vars.host} (the first master) has no cluster but ${joined.join(', ')} still belong to one: ` +
            'kubeadm init would start a second cluster. Reset every master (play reset.yml -e reset_confirm=yes --limit masters) or restore this one',
        );
      }
      return { summary: `kubeadm init (endpoint ${ctx.vars.endpoint}, Kubernetes ${ctx.vars.version.text}, ${ctx.vars.runtime})` };
    },
    async apply(ctx) {
      // --skip-token-print: init's own token is never used by play (joins make fresh ones), so
      // it does not need to appear in any output.
      await runMust(ctx, sh`kubeadm init --config ${KUBEADM_CONFIG} --skip-token-print`, {
        timeoutMs: ctx.vars.timeoutMs,
        label: 'kubeadm init',
        tailLines: 8,
        hint: `After fixing the cause, clean the half-made control plane before the next run: play reset.yml -e reset_confirm=yes --limit ${ctx.vars.host}`,
      });
      ctx.publish(INITIALISED, true);
    },
  };
}
