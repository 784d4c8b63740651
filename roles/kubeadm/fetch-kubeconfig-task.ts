/**
 * Fetches admin.conf from the first master to the controller (kubeconfig_fetch_dir), the way
 * seed 004 copies it to a workstation: `kubectl --kubeconfig <dir>/admin.conf get nodes` then
 * works from here through the load balancer. The fetch op (engine/ops/fetch.ts) writes it
 * atomically, 0600, in a folder only this user can write; the content is a credential: never
 * printed, and the change carries no diff.
 */
import { TaskError } from '../../engine/errors.js';
import { fetch } from '../../engine/ops/index.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { ADMIN_CONF } from '../kube-shared/kube-paths.js';
import { adminConf, clientKeysIn } from './kubeconfig-tasks.js';
import type { KubeadmVars } from './vars.js';

export function fetchKubeconfigTask(name: string, when: (ctx: TaskContext<KubeadmVars>) => boolean): Task<KubeadmVars, Change> {
  return fetch<KubeadmVars>(
    name,
    (ctx) => ({
      source: ADMIN_CONF,
      target: ctx.vars.fetchPath,
      mode: 0o600,
      secret: true,
      targetVar: 'kubeconfig_fetch_dir',
      pending: 'once kubeadm init has written it',
      missingWhy: 'although kubeadm init reported success',
      current: () => adminConf(ctx),
      accept: (content) => {
        clientKeysIn(content).forEach((key) => ctx.secret(key));
        if (!content.includes('server:')) throw new TaskError(`${ADMIN_CONF} on ${ctx.vars.host} is not a kubeconfig`);
      },
    }),
    { when },
  );
}
