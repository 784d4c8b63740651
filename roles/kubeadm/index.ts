/**
 * kubeadm: the Kubernetes packages (pinned, held) from the pkgs.k8s.io-style repository, then
 * `kubeadm init` on the first master from a config file, control-plane joins one at a time,
 * worker joins in parallel, and the admin kubeconfig for root, the connecting user and the
 * controller. With kubeadm_reset (playbooks/reset.yml) it undoes all of that instead.
 */
import { packagesFact, pathExistsFact } from '../../engine/facts/index.js';
import { aptRepoTasks, file, packages, service, type PackagesSpec } from '../../engine/ops/index.js';
import { defineRole } from '../../engine/role.js';
import type { TaskContext } from '../../engine/types.js';
import { certRenewalTask } from './cert-renewal.js';
import { defaults } from './defaults.js';
import { fetchKubeconfigTask } from './fetch-kubeconfig-task.js';
import { initTask } from './init-task.js';
import { kubeadmConfigInput } from './kubeadm-config-input.js';
import { preflightPackages } from './preflight-requirements.js';
import { joinTask } from './join-task.js';
import { kubeconfigTask, ROOT_KUBECONFIG, userTarget } from './kubeconfig-tasks.js';
import { resetTasks } from './reset-tasks.js';
import { removeFirstTasks, removeLastTasks } from './remove-node.js';
import { KUBEADM_CONFIG, renderKubeadmConfig } from './templates/kubeadm-config.js';
import { upgradeTask } from './upgrade-task.js';
import { validateClusterPlay } from './validate-play.js';
import { KUBE_PACKAGES } from '../kube-shared/cluster-report.js';
import { KUBELET_CONF } from '../kube-shared/kube-paths.js';
import { resolveKubeadm, type KubeadmVars } from './vars.js';

type Ctx = TaskContext<KubeadmVars>;

export { KUBE_PACKAGES };

const building = (ctx: Ctx): boolean => !ctx.vars.reset && ctx.vars.remove === undefined;
const firstMaster = (ctx: Ctx): boolean => building(ctx) && ctx.vars.role === 'first-master';
const anyMaster = (ctx: Ctx): boolean => building(ctx) && ctx.vars.role !== 'worker';

/**
 * A node that is not in a cluster yet gets kubernetes_version. A joined node keeps what it runs:
 * moving its packages is the upgrade (upgrade-task.ts: drained, control plane first); here only
 * a package missing from it is installed, at kubernetes_version.
 */
async function kubePackagesSpec(ctx: Ctx): Promise<PackagesSpec> {
  const wanted = (names: readonly string[]): Record<string, string> => Object.fromEntries(names.map((p) => [p, ctx.vars.packageVersion]));
  const spec = { names: [...KUBE_PACKAGES], hold: true, updateCache: true };
  if (!(await ctx.fact(pathExistsFact(KUBELET_CONF)))) return { ...spec, versions: wanted(KUBE_PACKAGES) };
  const found = await ctx.fact(packagesFact([...KUBE_PACKAGES]));
  return { ...spec, versions: wanted(KUBE_PACKAGES.filter((p) => !found.states[p]?.installed)) };
}

export default defineRole<KubeadmVars>({
  name: 'kubeadm',
  defaults,
  resolve: resolveKubeadm,
  validatePlay: validateClusterPlay,
  tasks: [
    ...aptRepoTasks<KubeadmVars>('Kubernetes', (v) => (v.reset || v.remove ? undefined : v.repo)),
    // Before the Kubernetes packages: their Depends no longer bring all of these (see the file).
    packages<KubeadmVars>('Install what kubeadm preflight requires', (ctx) => ({ names: preflightPackages(ctx.vars.version.minor), updateCache: true }), {
      when: building,
    }),
    // etcdctl for the checks remove-node.yml makes against the stacked etcd (and for backups).
    packages<KubeadmVars>('Install etcdctl on the masters (etcd-client)', () => ({ names: ['etcd-client'], updateCache: true }), { when: anyMaster }),
    // Held: an unattended upgrade must never move a node past the control plane's version.
    packages<KubeadmVars>('Install kubelet, kubeadm and kubectl (pinned, held)', kubePackagesSpec, { when: building }),
    // kubeadm starts it; enabled so it comes back after a reboot.
    service<KubeadmVars>('Enable kubelet', () => ({ name: 'kubelet', enabled: true }), { when: building }),
    file<KubeadmVars>(
      'Write the kubeadm config',
      (ctx) => ({
        path: KUBEADM_CONFIG,
        content: renderKubeadmConfig(kubeadmConfigInput(ctx.vars)),
        mode: 0o644,
        owner: 'root',
        group: 'root',
        makeParents: true,
      }),
      { when: firstMaster },
    ),
    initTask('Initialise the control plane on the first master', firstMaster),
    joinTask('Join the cluster', (ctx) => building(ctx) && ctx.vars.role !== 'first-master'),
    upgradeTask('Upgrade the node to kubernetes_version', building),
    // A joined node's kubelet running is desired state too: stopped by hand (or crashed for
    // good) the node goes NotReady, and --check must say so; kubeadm started it the first time.
    service<KubeadmVars>('Keep kubelet running', () => ({ name: 'kubelet', state: 'started' }), { when: building }),
    // Before the kubeconfig tasks: they copy the admin.conf a renewal rewrites.
    certRenewalTask('Renew the control-plane certificates before they expire', anyMaster),
    kubeconfigTask('Give root the admin kubeconfig', async () => ROOT_KUBECONFIG, anyMaster),
    kubeconfigTask('Give the connecting user the admin kubeconfig', (ctx) => userTarget(ctx, ctx.vars.adminUser!), (ctx) => anyMaster(ctx) && ctx.vars.adminUser !== undefined),
    fetchKubeconfigTask('Fetch admin.conf to the controller', firstMaster),
    ...removeFirstTasks(),
    ...resetTasks(),
    ...removeLastTasks(),
  ],
});
