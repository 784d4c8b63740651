/**
 * playbooks/reset.yml: undo kubeadm on the play's hosts (`--limit` chooses them) so a cluster
 * can be rebuilt: `kubeadm reset -f`, then what reset leaves on purpose (CNI config,
 * kubeconfigs, /etc/kubernetes). Packages and the container runtime stay: the next site.yml
 * run only has to init/join again.
 */
import { absent, command } from '../../engine/ops/index.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { userTarget } from './kubeconfig-tasks.js';
import type { KubeadmVars } from './vars.js';

const resetting = (ctx: TaskContext<KubeadmVars>): boolean => ctx.vars.reset;

/** Anything kubeadm init/join leaves on a host; none of it: nothing to reset. */
const KUBEADM_TRACES = [
  '[ -e /etc/kubernetes/kubelet.conf ]',
  '[ -e /etc/kubernetes/admin.conf ]',
  '[ -e /etc/kubernetes/bootstrap-kubelet.conf ]',
  '[ -e /var/lib/kubelet/config.yaml ]',
  'ls /etc/kubernetes/manifests/*.yaml >/dev/null 2>&1',
].join(' || ');

export const RESET_PATHS = ['/etc/cni/net.d', '/root/.kube', '/etc/kubernetes'] as const;

export function resetTasks(): Task<KubeadmVars, Change>[] {
  return [
    command<KubeadmVars>(
      'Reset kubeadm on this node',
      (ctx) => ({
        // --cri-socket: with several runtimes installed kubeadm will not guess which to clean.
        command: sh`kubeadm reset -f --cri-socket ${ctx.vars.criSocket}`,
        unless: `! command -v kubeadm >/dev/null 2>&1 || ! { ${KUBEADM_TRACES}; }`,
      }),
      { when: resetting },
    ),
    ...RESET_PATHS.map((path) => absent<KubeadmVars>(`Remove ${path}`, () => ({ path }), { when: resetting })),
    absent<KubeadmVars>(
      'Remove the admin kubeconfig of the connecting user',
      async (ctx) => ({ path: (await userTarget(ctx, ctx.vars.adminUser!)).path }),
      { when: (ctx) => ctx.vars.reset && ctx.vars.adminUser !== undefined && ctx.vars.role !== 'worker' },
    ),
  ];
}
