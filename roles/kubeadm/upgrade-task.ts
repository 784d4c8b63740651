/**
 * kubernetes_version moved past what a joined node runs: the node is upgraded the way kubeadm's
 * guide says (kubeadm-upgrade.md) and kubespray's upgrade-cluster.yml does it, one step at a time
 * and each step only when the node is not past it, so an interrupted upgrade resumes where it
 * stopped and a node that is done is never touched again:
 *
 *   control planes, one at a time, the first master first: kubeadm package, then
 *     `kubeadm upgrade plan` + `kubeadm upgrade apply vX --yes` (first; the cluster's
 *     ClusterConfiguration says whether apply already ran) or `kubeadm upgrade node`;
 *   the masters' kubelets, one at a time, once every control plane is done (a kubelet is never
 *     newer than any apiserver);
 *   workers, upgrade_worker_batch at a time, once every master is done: kubeadm package,
 *     `kubeadm upgrade node` (the kubelet configuration);
 *   a kubelet's move: cordon + drain, kubelet and kubectl packages (held again), restart
 *     kubelet, wait until the Node is Ready at the new version, uncordon.
 *
 * A node play cordoned carries a marker file until it is uncordoned: a run that finds the marker
 * finishes the node (Ready wait, uncordon); a node the user cordoned stays cordoned. Whether the
 * cluster may go to the version at all was judged before any change (roles/kube-preflight, and
 * again here from the same once-per-run verdict).
 */
import { TaskError } from '../../engine/errors.js';
import { packageManager, packagesFact, pathExistsFact } from '../../engine/facts/index.js';
import { packagesScript, planPackages, runMust } from '../../engine/ops/index.js';
import { raw, sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { isBehind, parseNodes, readNodeVersions, upgradeVerdict, type KubePackage, type NodeVersions } from '../kube-shared/cluster-report.js';
import { KUBECTL } from '../kube-shared/kube-paths.js';
import { compareVersions, parseReportedVersion, type KubeVersion } from '../kube-shared/version.js';
import type { NodeRole } from '../kube-shared/cluster.js';
import type { KubeadmVars } from './vars.js';

type Ctx = TaskContext<KubeadmVars>;

/** Written before play cordons a node for its upgrade, removed after it uncordons it. */
export const UPGRADE_MARKER = '/var/lib/kubelet/play-upgrade-cordoned';
const CONTROL_PLANE_LOCK = 'kubeadm:upgrade:control-plane';
const MASTER_NODE_LOCK = 'kubeadm:upgrade:master-nodes';
const WORKER_LOCK = 'kubeadm:upgrade:workers';
const APPLIED = 'kubeadm:upgrade:applied';
const controlPlaneKey = (host: string): string => `kubeadm:upgrade:control-plane:${host}`;
const doneKey = (host: string): string => `kubeadm:upgrade:done:${host}`;
const POLL_MS = 2000;

export interface NodeUpgrade extends Change {
  readonly to: KubeVersion;
  readonly kubeadmPackage: boolean;
  /** A master whose static pods run an older version. */
  readonly controlPlane: boolean;
  /** A worker whose kubelet moves: `kubeadm upgrade node` writes its new kubelet configuration. */
  readonly nodeConfig: boolean;
  readonly kubeletPackages: boolean;
  /** play cordoned the node in an earlier run and did not uncordon it yet. */
  readonly cordonedByPlay: boolean;
}

/** Pure: what this node still needs to be at `target`, in order; null when it is done. */
export function planNodeUpgrade(node: NodeVersions, target: KubeVersion, role: NodeRole, cordonedByPlay: boolean, drain: boolean, nodeName: string): NodeUpgrade | null {
  if (!node.joined) return null;
  const kubeadmPackage = isBehind(node.packages.kubeadm, target);
  const controlPlane = role !== 'worker' && isBehind(node.controlPlane, target);
  const kubeletPackages = isBehind(node.packages.kubelet, target) || isBehind(node.packages.kubectl, target);
  const nodeConfig = role === 'worker' && kubeletPackages;
  if (!kubeadmPackage && !controlPlane && !kubeletPackages && !cordonedByPlay) return null;
  const v = target.text;
  const steps = [
    kubeadmPackage && `kubeadm ${v}`,
    controlPlane && (role === 'first-master' ? `kubeadm upgrade apply v${v}` : 'kubeadm upgrade node'),
    nodeConfig && 'kubeadm upgrade node',
    kubeletPackages && drain && 'cordon and drain',
    kubeletPackages && `kubelet and kubectl ${v}, restart kubelet, wait Ready`,
    !kubeletPackages && cordonedByPlay && 'restart kubelet if it still runs an older version, wait Ready',
    ((kubeletPackages && drain) || cordonedByPlay) && 'uncordon',
  ].filter((s): s is string => typeof s === 'string');
  const versions = [...Object.values(node.packages), node.controlPlane].filter((x): x is KubeVersion => x !== undefined);
  const from = versions.reduce<KubeVersion | undefined>((a, b) => (a === undefined || compareVersions(b, a) < 0 ? b : a), undefined);
  const head = cordonedByPlay && !kubeletPackages && !controlPlane && !kubeadmPackage ? `finish the upgrade of ${nodeName} to ${v}` : `upgrade ${nodeName} ${from?.text ?? '?'} -> ${v}`;
  return { summary: `${head}: ${steps.join(', ')}`, to: target, kubeadmPackage, controlPlane, nodeConfig, kubeletPackages, cordonedByPlay };
}

/**
 * Masters tell the hosts waiting on them how far they are: control plane at the target (the
 * first master: `upgrade apply` done), and the whole node done. Said from check too, since a
 * master with nothing to do never reaches apply.
 */
function publishProgress(ctx: Ctx, node: NodeVersions, plan: NodeUpgrade | null): void {
  if (ctx.vars.role === 'worker') return;
  if (isBehind(node.controlPlane, ctx.vars.version)) return;
  if (ctx.vars.role === 'first-master') ctx.publish(APPLIED, true);
  ctx.publish(controlPlaneKey(ctx.vars.host), true);
  if (!plan) ctx.publish(doneKey(ctx.vars.host), true);
}

/** Moves packages to the target version and holds them again (one script). */
async function movePackages(ctx: Ctx, names: readonly KubePackage[]): Promise<void> {
  const found = await ctx.fact(packagesFact([...names]));
  const change = planPackages(
    { names: [...names], versions: Object.fromEntries(names.map((n) => [n, ctx.vars.packageVersion])), hold: true, updateCache: true },
    found.states,
    packageManager(found.manager),
    found.names,
  );
  if (change) await runMust(ctx, packagesScript(change), { label: `move ${names.join(', ')} to ${ctx.vars.packageVersion}`, timeoutMs: ctx.vars.timeoutMs, tailLines: 6 });
}

/** ClusterConfiguration.kubernetesVersion in the kubeadm-config ConfigMap: what `upgrade apply` set last. */
async function clusterConfigVersion(ctx: Ctx): Promise<KubeVersion | undefined> {
  const result = await runMust(ctx, sh`${raw(KUBECTL)} -n kube-system get configmap kubeadm-config -o ${'jsonpath={.data.ClusterConfiguration}'}`, {
    label: 'kubectl get configmap kubeadm-config',
  });
  return parseReportedVersion(/^kubernetesVersion:\s*["']?([^"'\s]+)/m.exec(result.stdout)?.[1]);
}

async function upgradeControlPlane(ctx: Ctx): Promise<void> {
  const v = `v${ctx.vars.version.text}`;
  const cluster = await clusterConfigVersion(ctx);
  const opts = { timeoutMs: ctx.vars.timeoutMs, tailLines: 10 };
  if (cluster === undefined || compareVersions(cluster, ctx.vars.version) < 0) {
    await runMust(ctx, sh`kubeadm upgrade plan ${v}`, { ...opts, label: `kubeadm upgrade plan ${v}` });
    await runMust(ctx, sh`kubeadm upgrade apply ${v} --yes`, {
      ...opts,
      label: `kubeadm upgrade apply ${v}`,
      hint: 'kubeadm rolls a failed apply back; after fixing the cause, run site.yml again: it resumes here.',
    });
  } else {
    await runMust(ctx, 'kubeadm upgrade node', { ...opts, label: 'kubeadm upgrade node' });
  }
}

/** Workers and masters both drive kubectl from a master: its own admin.conf, or the first master's. */
const kubectlHost = (ctx: Ctx): Ctx => (ctx.vars.role === 'worker' ? ctx.on(ctx.vars.firstMaster) : ctx);

async function cordonAndDrain(ctx: Ctx, markerThere: boolean): Promise<boolean> {
  const k = kubectlHost(ctx);
  const node = ctx.vars.nodeName;
  const spec = await runMust(k, sh`${raw(KUBECTL)} get node ${node} -o ${'jsonpath={.spec.unschedulable}'}`, { label: `kubectl get node ${node}` });
  // Cordoned by someone else: drained like the others, but left cordoned afterwards.
  const ours = markerThere || spec.stdout.trim() !== 'true';
  if (ours && !markerThere) await ctx.run(sh`mkdir -p /var/lib/kubelet && echo ${ctx.vars.version.text} > ${UPGRADE_MARKER}`, { label: 'mark the node cordoned by play' });
  await runMust(k, sh`${raw(KUBECTL)} cordon ${node}`, { label: `kubectl cordon ${node}` });
  const timeout = ctx.vars.upgrade.drainTimeoutS;
  await runMust(k, sh`${raw(KUBECTL)} drain ${node} --ignore-daemonsets --delete-emptydir-data --timeout=${`${timeout}s`}`, {
    label: `kubectl drain ${node}`,
    what: `draining ${node} for its upgrade`,
    timeoutMs: (timeout + 60) * 1000,
    tailLines: 6,
    hint:
      `${node} stays cordoned and the next run resumes there. A pod whose PodDisruptionBudget allows no eviction blocks a drain for good: ` +
      'scale its workload up or relax the budget, or set upgrade_drain: false to upgrade without draining.',
  });
  return ours;
}

async function uncordon(ctx: Ctx): Promise<void> {
  const node = ctx.vars.nodeName;
  await runMust(kubectlHost(ctx), sh`${raw(KUBECTL)} uncordon ${node}`, { label: `kubectl uncordon ${node}` });
  await ctx.run(sh`rm -f ${UPGRADE_MARKER}`, { label: 'clear the cordon mark' });
}

/** The kubelet version the Node reports (what runs, not what is installed); undefined when unknown. */
async function runningKubelet(ctx: Ctx): Promise<string | undefined> {
  const got = await kubectlHost(ctx).run(sh`${raw(KUBECTL)} get nodes ${ctx.vars.nodeName} -o json`, { allowFail: true, label: `kubectl get node ${ctx.vars.nodeName}` });
  return got.code === 0 ? parseNodes(`{"items":[${got.stdout}]}`)[0]?.kubelet?.text : undefined;
}

/** Until the Node is Ready and reports the new kubelet version. */
async function waitNodeAt(ctx: Ctx): Promise<void> {
  const k = kubectlHost(ctx);
  const node = ctx.vars.nodeName;
  const want = ctx.vars.version.text;
  const deadline = Date.now() + ctx.vars.timeoutMs;
  let last = 'not read yet';
  for (;;) {
    const got = await k.run(sh`${raw(KUBECTL)} get nodes ${node} -o json`, { allowFail: true, poll: true, label: `kubectl get node ${node}` });
    if (got.code === 0) {
      const [report] = parseNodes(`{"items":[${got.stdout}]}`);
      if (report?.ready && report.kubelet?.text === want) return;
      last = `${report?.ready ? 'Ready' : 'NotReady'}, kubelet ${report?.kubelet?.text ?? 'unknown'}`;
    } else last = `kubectl exit ${got.code}`;
    if (Date.now() > deadline) {
      const kubelet = await ctx.run('systemctl is-active kubelet', { allowFail: true, label: 'systemctl is-active kubelet' });
      throw new TaskError(`${node} did not come back Ready at ${want} within ${ctx.vars.timeoutMs / 1000}s (last: ${last}; kubelet on ${ctx.vars.host}: ${kubelet.stdout.trim() || 'unknown'})`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The control-plane half of a master: its kubeadm, then `upgrade apply` (the first) or `upgrade node`. */
async function upgradeMasterControlPlane(ctx: Ctx, change: NodeUpgrade): Promise<void> {
  if (change.kubeadmPackage) await movePackages(ctx, ['kubeadm']);
  if (change.controlPlane) await upgradeControlPlane(ctx);
  if (ctx.vars.role === 'first-master') ctx.publish(APPLIED, true);
}

/** The kubelet half of any node: cordon and drain, kubelet and kubectl, restart, Ready, uncordon. */
async function upgradeKubelet(ctx: Ctx, change: NodeUpgrade): Promise<void> {
  let cordoned = change.cordonedByPlay;
  if (change.kubeletPackages && ctx.vars.upgrade.drain) cordoned = (await cordonAndDrain(ctx, change.cordonedByPlay)) || cordoned;
  if (change.kubeletPackages) await movePackages(ctx, ['kubelet', 'kubectl']);
  // Resuming: the packages moved in the run that stopped, the restart may not have happened.
  if (change.kubeletPackages || (await runningKubelet(ctx)) !== ctx.vars.version.text) {
    await runMust(ctx, 'systemctl daemon-reload && systemctl restart kubelet', { label: 'restart kubelet' });
  }
  await waitNodeAt(ctx);
  if (cordoned) await uncordon(ctx);
}

async function upgradeWorker(ctx: Ctx, change: NodeUpgrade): Promise<void> {
  if (change.kubeadmPackage) await movePackages(ctx, ['kubeadm']);
  if (change.nodeConfig) await runMust(ctx, 'kubeadm upgrade node', { label: 'kubeadm upgrade node', timeoutMs: ctx.vars.timeoutMs, tailLines: 10 });
  await upgradeKubelet(ctx, change);
}

/** Waits for `key`; when nobody will publish it (its host failed, or is outside --limit), asks `fallback`. */
async function waitOr(ctx: Ctx, key: string, fallback: () => Promise<void>): Promise<void> {
  try {
    await ctx.waitFor(key);
  } catch {
    await fallback();
  }
}

/**
 * Until every master is past `stage`: its control plane at the target, or (`node`) its kubelet
 * too. A kubelet is never newer than any apiserver (version-skew-policy.md), so no kubelet
 * moves before every control plane did, and workers wait for the masters' own kubelets so that
 * one node at a time is cordoned.
 */
async function mastersPast(ctx: Ctx, stage: 'control-plane' | 'node'): Promise<void> {
  const target = ctx.vars.version;
  for (const master of ctx.vars.topology.masters.map((m) => m.name)) {
    await waitOr(ctx, stage === 'node' ? doneKey(master) : controlPlaneKey(master), async () => {
      const node = await readNodeVersions(ctx, master, true).catch((err: Error) => {
        throw new TaskError(`cannot tell whether ${master} is upgraded to ${target.text} (${err.message}): kubelets never move past the apiservers`);
      });
      if (!node.controlPlane || isBehind(node.controlPlane, target)) {
        throw new TaskError(`the control plane on ${master} is at ${node.controlPlane?.text ?? 'no version'}, not ${target.text}: kubelets move only once every control plane did`);
      }
      if (stage === 'node' && isBehind(node.packages.kubelet, target)) {
        throw new TaskError(`the kubelet on ${master} is at ${node.packages.kubelet?.text}, not ${target.text}: the workers follow the masters`);
      }
    });
  }
}

async function firstControlPlaneDone(ctx: Ctx): Promise<void> {
  await waitOr(ctx, APPLIED, async () => {
    const cluster = await clusterConfigVersion(ctx);
    if (!cluster || isBehind(cluster, ctx.vars.version)) {
      throw new TaskError(`the first master (${ctx.vars.firstMaster}) has not run kubeadm upgrade apply v${ctx.vars.version.text}: the other control planes follow it`);
    }
  });
}

export function upgradeTask(name: string, when: (ctx: Ctx) => boolean): Task<KubeadmVars, NodeUpgrade> {
  return {
    name,
    when,
    async check(ctx) {
      const node = await readNodeVersions(ctx);
      const cordonedByPlay = node.joined && (await ctx.fact(pathExistsFact(UPGRADE_MARKER)));
      const plan = planNodeUpgrade(node, ctx.vars.version, ctx.vars.role, cordonedByPlay, ctx.vars.upgrade.drain, ctx.vars.nodeName);
      publishProgress(ctx, node, plan);
      return plan;
    },
    async apply(ctx, change) {
      const verdict = await upgradeVerdict(ctx);
      if (verdict.kind === 'refused') throw new TaskError(`refused: ${verdict.reason}`);
      if (ctx.vars.role === 'worker') {
        await mastersPast(ctx, 'node');
        await ctx.exclusive(WORKER_LOCK, () => upgradeWorker(ctx, change), { slots: ctx.vars.upgrade.workerSlots });
        return;
      }
      if (ctx.vars.role === 'master') await firstControlPlaneDone(ctx);
      await ctx.exclusive(CONTROL_PLANE_LOCK, () => upgradeMasterControlPlane(ctx, change));
      ctx.publish(controlPlaneKey(ctx.vars.host), true);
      await mastersPast(ctx, 'control-plane');
      await ctx.exclusive(MASTER_NODE_LOCK, () => upgradeKubelet(ctx, change));
      ctx.publish(doneKey(ctx.vars.host), true);
    },
  };
}
