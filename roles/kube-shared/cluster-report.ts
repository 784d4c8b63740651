/**
 * Where a node and the cluster stand, version-wise, read from the hosts: a node's installed
 * Kubernetes packages and (on a master) its kube-apiserver static pod's image tag are host facts
 * (batched with the other checks, so a converged run pays nothing for them); the Node objects
 * come from a master's kubectl, only when some node is not at kubernetes_version.
 */
import { TaskError } from '../../engine/errors.js';
import { commandFact, fileFact, packagesFact, pathExistsFact } from '../../engine/facts/index.js';
import { raw, sh } from '../../engine/shell.js';
import type { TaskContext } from '../../engine/types.js';
import type { ClusterVars } from './cluster.js';
import { ADMIN_CONF, KUBECTL, KUBELET_CONF } from './kube-paths.js';
import { judgeUpgrade, type ControlPlaneReport, type NodeReport, type UpgradeVerdict } from './upgrade-policy.js';
import { compareVersions, parseReportedVersion, type KubeVersion } from './version.js';

export const KUBE_PACKAGES = ['kubelet', 'kubeadm', 'kubectl'] as const;
export type KubePackage = (typeof KUBE_PACKAGES)[number];

export const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';

export interface NodeVersions {
  /** kubelet.conf exists: the node joined (or is the initialised first master). */
  readonly joined: boolean;
  readonly packages: Readonly<Record<KubePackage, KubeVersion | undefined>>;
  /** Masters: the version of the control plane this host runs; undefined without a manifest. */
  readonly controlPlane?: KubeVersion;
}

/** `image: registry.k8s.io/kube-apiserver:v1.30.5` in the static pod manifest. */
export function manifestVersion(content: string | undefined): KubeVersion | undefined {
  const tag = /^\s*image:\s*\S*\/kube-apiserver:(\S+)\s*$/m.exec(content ?? '')?.[1];
  return parseReportedVersion(tag?.replace(/^["']|["']$/g, ''));
}

export async function readNodeVersions(ctx: TaskContext<ClusterVars>, host = ctx.vars.host, master = ctx.vars.role !== 'worker'): Promise<NodeVersions> {
  const on = host === ctx.vars.host ? ctx : ctx.on(host);
  const [joined, found, manifest] = await Promise.all([
    on.fact(pathExistsFact(KUBELET_CONF)),
    on.fact(packagesFact([...KUBE_PACKAGES])),
    master ? on.fact(fileFact(APISERVER_MANIFEST)) : Promise.resolve(undefined),
  ]);
  const version = (p: KubePackage): KubeVersion | undefined => (found.states[p]?.installed ? parseReportedVersion(found.states[p]?.version) : undefined);
  const packages = { kubelet: version('kubelet'), kubeadm: version('kubeadm'), kubectl: version('kubectl') };
  const controlPlane = manifest?.exists ? manifestVersion(manifest.content) : undefined;
  return { joined, packages, ...(controlPlane ? { controlPlane } : {}) };
}

const behind = (v: KubeVersion | undefined, target: KubeVersion): boolean => v !== undefined && compareVersions(v, target) < 0;
const ahead = (v: KubeVersion | undefined, target: KubeVersion): boolean => v !== undefined && compareVersions(v, target) > 0;

/** The node runs something other than the target: the cluster must be judged before anything moves. */
export function offTarget(node: NodeVersions, target: KubeVersion): boolean {
  if (!node.joined) return false;
  const versions = [...Object.values(node.packages), node.controlPlane];
  return versions.some((v) => behind(v, target) || ahead(v, target));
}

export function isBehind(v: KubeVersion | undefined, target: KubeVersion): boolean {
  return behind(v, target);
}

/** `kubectl get nodes -o json`, reduced to what the upgrade policy reads. */
export function parseNodes(json: string): NodeReport[] {
  const doc = JSON.parse(json) as { items?: unknown[] };
  return (doc.items ?? []).map((item) => {
    const node = item as { metadata?: { name?: string }; spec?: { unschedulable?: boolean }; status?: { nodeInfo?: { kubeletVersion?: string }; conditions?: { type?: string; status?: string }[] } };
    const kubelet = parseReportedVersion(node.status?.nodeInfo?.kubeletVersion);
    return {
      name: node.metadata?.name ?? '?',
      ...(kubelet ? { kubelet } : {}),
      ready: (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      unschedulable: node.spec?.unschedulable === true,
    };
  });
}

const NODES_JSON = sh`${raw(KUBECTL)} get nodes -o json`;

/** The first master with a cluster answers for it (the first master first: it is usually the one). */
async function readNodes(ctx: TaskContext<ClusterVars>, masters: readonly string[]): Promise<NodeReport[]> {
  const reasons: string[] = [];
  for (const master of masters) {
    const on = ctx.on(master);
    try {
      if (!(await on.fact(pathExistsFact(ADMIN_CONF)))) {
        reasons.push(`${master}: no ${ADMIN_CONF}`);
        continue;
      }
      const nodes = await on.fact(commandFact(NODES_JSON));
      if (nodes.code === 0) return parseNodes(nodes.stdout);
      reasons.push(`${master}: kubectl get nodes failed (exit ${nodes.code})`);
    } catch (err) {
      reasons.push(`${master}: ${(err as Error).message}`);
    }
  }
  throw new TaskError(`no master answered for the cluster's nodes (${reasons.join('; ')})`);
}

/**
 * Reads every master's control plane version and the Node objects, and judges: once per run
 * (every host's check asks the same question), and only when some node is off target.
 */
export function upgradeVerdict(ctx: TaskContext<ClusterVars>): Promise<UpgradeVerdict> {
  return ctx.once('kube:upgrade-verdict', async () => {
    const masters = ctx.vars.topology.masters.map((m) => m.name);
    const controlPlanes: ControlPlaneReport[] = [];
    for (const host of masters) {
      let node: NodeVersions;
      try {
        node = await readNodeVersions(ctx, host, true);
      } catch (err) {
        return { kind: 'refused', reason: `${host} cannot be read (${(err as Error).message}): an upgrade needs every control plane` } as const;
      }
      if (node.controlPlane) controlPlanes.push({ host, version: node.controlPlane });
    }
    if (controlPlanes.length === 0) return judgeUpgrade(ctx.vars.version, { nodes: [], controlPlanes });
    return judgeUpgrade(ctx.vars.version, { nodes: await readNodes(ctx, masters), controlPlanes });
  });
}
