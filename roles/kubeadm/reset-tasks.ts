/**
 * playbooks/reset.yml: take nodes out of the cluster the way kubeadm's guide says ("Remove the
 * node", create-cluster-kubeadm.md): drain it through the first master's kubectl, `kubeadm reset`
 * on it, then delete its Node object. `kubeadm reset` alone leaves the Node (cmd/kubeadm/app/cmd/
 * reset.go never deletes it): a re-join within the grace period then fails with "a Node with
 * name X and status Ready already exists" (phases/join/kubelet.go), and a node that is not
 * re-joined stays NotReady for the Ready wait. Then what reset leaves on purpose goes too (CNI
 * config, kubeconfigs, /etc/kubernetes). Packages and the runtime stay: the next site.yml run only
 * has to init/join again.
 *
 * Drain and delete go through the first master and are skipped when it has no cluster (it was
 * reset first, or is being reset in the same run: then the whole cluster goes and there is no
 * Node to keep); a failure there is a warning, never a reason to keep a node the user asked to
 * reset (-e reset_confirm=yes).
 */
import { lastLines } from '../../engine/errors.js';
import { commandFact, pathExistsFact } from '../../engine/facts/index.js';
import { absent, command } from '../../engine/ops/index.js';
import { raw, sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { ADMIN_CONF, KUBECTL } from '../kube-shared/kube-paths.js';
import { userTarget } from './kubeconfig-tasks.js';
import type { KubeadmVars } from './vars.js';

type Ctx = TaskContext<KubeadmVars>;

const resetting = (ctx: Ctx): boolean => ctx.vars.reset;
/** The first master cannot drain and delete itself through its own kubectl while resetting. */
const resettingOther = (ctx: Ctx): boolean => ctx.vars.reset && ctx.vars.role !== 'first-master';

/** Anything kubeadm init/join leaves on a host; none of it: nothing to reset. */
const KUBEADM_TRACES = [
  '[ -e /etc/kubernetes/kubelet.conf ]',
  '[ -e /etc/kubernetes/admin.conf ]',
  '[ -e /etc/kubernetes/bootstrap-kubelet.conf ]',
  '[ -e /var/lib/kubelet/config.yaml ]',
  'ls /etc/kubernetes/manifests/*.yaml >/dev/null 2>&1',
].join(' || ');

export const RESET_PATHS = ['/etc/cni/net.d', '/root/.kube', '/etc/kubernetes'] as const;

/** Seconds a drain may take before the reset goes on without it. */
export const DRAIN_TIMEOUT_S = 120;

export function drainCommand(node: string): string {
  return sh`${raw(KUBECTL)} drain ${node} --ignore-daemonsets --delete-emptydir-data --force --timeout=${`${DRAIN_TIMEOUT_S}s`}`;
}

export function deleteNodeCommand(node: string): string {
  return sh`${raw(KUBECTL)} delete node ${node} --ignore-not-found`;
}

const nodeFact = (node: string) => commandFact(sh`${raw(KUBECTL)} get node ${node} -o name`);

/** A step run on the first master for this node, while the cluster there knows the node. */
function throughFirstMaster(name: string, what: (ctx: Ctx) => string, label: string): Task<KubeadmVars, Change> {
  return {
    name,
    when: resettingOther,
    // The node's registration changes while other hosts reset: read it in turn.
    prefetch: false,
    async check(ctx) {
      const first = ctx.on(ctx.vars.firstMaster);
      let cluster: boolean;
      try {
        cluster = await first.fact(pathExistsFact(ADMIN_CONF));
      } catch {
        return null; // the first master is unreachable: nobody to ask, nothing to tidy
      }
      if (!cluster) return null;
      const node = await first.fact(nodeFact(ctx.vars.nodeName));
      if (node.code !== 0 || !node.stdout.trim()) return null;
      return { summary: `${label} ${ctx.vars.nodeName} (on ${ctx.vars.firstMaster})` };
    },
    async apply(ctx) {
      const result = await ctx.on(ctx.vars.firstMaster).run(what(ctx), { allowFail: true, label: `kubectl ${label}`, timeoutMs: (DRAIN_TIMEOUT_S + 30) * 1000 });
      if (result.code !== 0) ctx.warn(`kubectl ${label} ${ctx.vars.nodeName} failed on ${ctx.vars.firstMaster} (exit ${result.code}): ${lastLines(result.stderr || result.stdout, 3)}`);
    },
  };
}

export function resetTasks(): Task<KubeadmVars, Change>[] {
  return [
    throughFirstMaster('Drain the node', (ctx) => drainCommand(ctx.vars.nodeName), 'drain'),
    command<KubeadmVars>(
      'Reset kubeadm on this node',
      (ctx) => ({
        // --cri-socket: with several runtimes installed kubeadm will not guess which to clean.
        command: sh`kubeadm reset -f --cri-socket ${ctx.vars.criSocket}`,
        unless: `! command -v kubeadm >/dev/null 2>&1 || ! { ${KUBEADM_TRACES}; }`,
      }),
      { when: resetting },
    ),
    throughFirstMaster('Delete the Node object', (ctx) => deleteNodeCommand(ctx.vars.nodeName), 'delete node'),
    ...RESET_PATHS.map((path) => absent<KubeadmVars>(`Remove ${path}`, () => ({ path }), { when: resetting })),
    absent<KubeadmVars>(
      'Remove the admin kubeconfig of the connecting user',
      async (ctx) => ({ path: (await userTarget(ctx, ctx.vars.adminUser!)).path }),
      { when: (ctx) => ctx.vars.reset && ctx.vars.adminUser !== undefined && ctx.vars.role !== 'worker' },
    ),
  ];
}
