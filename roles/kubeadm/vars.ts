/** kubeadm's typed vars, validated per host before any host is contacted. */
import { resolve } from 'node:path';
import { VarsError } from '../../engine/errors.js';
import { expandHome } from '../../engine/home.js';
import type { HostView, InventoryView } from '../../engine/types.js';
import { isIPv4, type TypedVars } from '../../engine/vars.js';
import { controlPlaneEndpoint, groupName } from '../lb-shared/topology.js';
import { KUBE_REPO, readAptRepo } from '../kube-shared/apt-repos.js';
import type { AptRepo } from '../../engine/ops/index.js';
import { readCluster, type ClusterVars } from '../kube-shared/cluster.js';
import { formatGoDuration, parseGoDuration } from './go-duration.js';
import { kubeadmApiVersion } from './templates/kubeadm-config.js';
import { readRemoval, type Removal } from './remove-node-vars.js';

export interface KubeadmVars extends ClusterVars {
  readonly repo: AptRepo;
  /** kubelet/kubeadm/kubectl package version: 1.30.2-1.1. */
  readonly packageVersion: string;
  readonly kubeadmApi: string;
  /** host:port every kubeconfig and join uses. */
  readonly endpoint: string;
  readonly certSans: readonly string[];
  readonly advertiseAddress?: string;
  readonly apiserverPort: number;
  /** Non-root user who also gets ~/.kube/config on the masters. */
  readonly adminUser?: string;
  /** Absolute controller path of the fetched admin.conf. */
  readonly fetchPath: string;
  readonly timeoutMs: number;
  /** Lifetime of the bootstrap tokens play makes (init's and each join's), as Go prints it: 1h0m0s. */
  readonly tokenTtl: string;
  /** playbooks/reset.yml: undo instead of build. */
  readonly reset: boolean;
  readonly upgrade: UpgradeSettings;
  /** Days before the first certificate's end at which the masters renew them (cert-renewal.ts). */
  readonly certRenewDays: number;
  /** playbooks/remove-node.yml: the node that leaves, and the master that stays to do the cluster side. */
  readonly remove?: Removal;
}

/** How a kubernetes_version move rolls through the nodes (upgrade-task.ts). */
export interface UpgradeSettings {
  readonly drain: boolean;
  readonly drainTimeoutS: number;
  /** Workers upgraded at the same time. */
  readonly workerSlots: number;
}

const DEB_REVISION = /^[0-9A-Za-z.+~]+$/;
/**
 * A join token has to live through the joins of one run (discovery, then the kubelet's TLS
 * bootstrap: minutes), and play deletes each token right after its join. The cap is kubeadm's own
 * default token lifetime (constants.DefaultTokenDuration, 24 h): a longer-lived token only widens
 * the window in which a leaked one lets anything join the cluster.
 */
export const TOKEN_TTL_MIN_S = 60;
export const TOKEN_TTL_MAX_S = 24 * 3600;
const USER_NAME = /^[a-z_][a-z0-9_-]*[$]?$/;

export function resolveKubeadm(vars: TypedVars, host: HostView, inventory: InventoryView): KubeadmVars {
  const cluster = readCluster(vars, host, inventory);
  const revision = vars.string('kube_package_revision').trim();
  if (!DEB_REVISION.test(revision)) vars.fail('kube_package_revision', `must be a Debian revision like 1.1, got '${revision}'`);
  const topology = cluster.topology;
  const endpoint = controlPlaneEndpoint(topology) ?? soleMasterEndpoint(vars, cluster, inventory);
  const tokenTtl = readTokenTtl(vars);
  const reset = vars.bool('kubeadm_reset');
  if (reset && !(vars.has('reset_confirm') && vars.bool('reset_confirm'))) {
    // Unset: point at where the reset was asked for (playbooks/reset.yml), not at a default.
    const where = vars.has('reset_confirm') ? vars.where('reset_confirm') : vars.where('kubeadm_reset');
    throw new VarsError(
      'reset wipes Kubernetes from the hosts (kubeadm reset -f, /etc/kubernetes, /etc/cni/net.d, /root/.kube): pass -e reset_confirm=yes to proceed',
      where,
      'reset_confirm',
    );
  }
  const adminUser = readAdminUser(vars);
  const removal = readRemoval(vars, inventory, topology.masters, groupName(vars, 'workers_group'));
  const leaving = removal?.host === host.name;
  return {
    ...cluster,
    // Removing a node, the master that stays stands in for the first master (drains, deletes,
    // kubectl), and a leaving first master is reset as any other master.
    ...(removal ? { firstMaster: removal.actor, role: leaving && cluster.role === 'first-master' ? 'master' : cluster.role } : {}),
    ...(removal ? { remove: removal } : {}),
    repo: readAptRepo(vars, KUBE_REPO, cluster.version),
    packageVersion: `${cluster.version.text}-${revision}`,
    kubeadmApi: kubeadmApiVersion(cluster.version.minor),
    endpoint,
    certSans: [...new Set([topology.vip, topology.endpointName].filter((s): s is string => s !== undefined))],
    ...(isIPv4(host.address) ? { advertiseAddress: host.address } : {}),
    apiserverPort: topology.apiserverPort,
    ...(adminUser !== undefined ? { adminUser } : {}),
    fetchPath: resolve(expandHome(vars.string('kubeconfig_fetch_dir').trim()), 'admin.conf'),
    timeoutMs: vars.int('kubeadm_timeout', { min: 30, max: 7200 }) * 1000,
    tokenTtl,
    reset: reset || leaving,
    upgrade: {
      drain: vars.bool('upgrade_drain'),
      drainTimeoutS: vars.int('upgrade_drain_timeout', { min: 10, max: 86400 }),
      workerSlots: readWorkerBatch(vars, inventory.groupHosts(groupName(vars, 'workers_group')).length),
    },
    // kubeadm's leaves live 365 days: renewing 365 or more days ahead would renew on every run.
    certRenewDays: vars.int('kube_cert_renew_days', { min: 1, max: 330 }),
  };
}

/** upgrade_worker_batch: 2, or '25%' of the workers (at least one), as Ansible's serial reads them. */
export function readWorkerBatch(vars: TypedVars, workers: number): number {
  const key = 'upgrade_worker_batch';
  const raw = vars.raw(key);
  const text = typeof raw === 'number' ? String(raw) : vars.string(key).trim();
  const m = /^(\d+)(%?)$/.exec(text);
  if (!m || Number(m[1]) === 0 || (m[2] && Number(m[1]) > 100)) vars.fail(key, 'must be a number of workers (1 or more) or a percentage like 25%');
  return m[2] ? Math.max(1, Math.floor((workers * Number(m[1])) / 100)) : Number(m[1]);
}

/**
 * kubeadm_token_ttl, parsed as Go parses it (kubeadm reads --ttl with time.ParseDuration). Zero
 * means "never expires" to kubeadm, so it is refused like anything outside 1m..24h.
 */
export function readTokenTtl(vars: TypedVars): string {
  const key = 'kubeadm_token_ttl';
  const seconds = parseGoDuration(vars.string(key).trim());
  if (seconds === undefined) vars.fail(key, 'must be a Go duration like 1h, 30m or 1h30m');
  if (seconds <= 0) vars.fail(key, 'must be more than zero: kubeadm takes a zero TTL for a token that never expires');
  if (seconds < TOKEN_TTL_MIN_S || seconds > TOKEN_TTL_MAX_S) {
    vars.fail(key, `must be between ${formatGoDuration(TOKEN_TTL_MIN_S)} and ${formatGoDuration(TOKEN_TTL_MAX_S)} (kubeadm's own default token lifetime)`);
  }
  return formatGoDuration(seconds);
}

/**
 * Without a load balancer (no lb group host, no VIP) only a single master can be the endpoint:
 * with several, a kubeconfig pointing at one of them dies with it.
 */
function soleMasterEndpoint(vars: TypedVars, cluster: ClusterVars, inventory: InventoryView): string {
  const masters = cluster.topology.masters;
  if (masters.length > 1) {
    vars.fail(
      'apiserver_vip',
      `no control-plane endpoint for ${masters.length} masters: set apiserver_vip (keepalived) or put one host in group '${cluster.topology.lbGroup}'`,
    );
  }
  return `${inventory.host(cluster.firstMaster).address}:${cluster.topology.apiserverPort}`;
}

function readAdminUser(vars: TypedVars): string | undefined {
  const key = vars.has('kube_admin_user') ? 'kube_admin_user' : vars.has('ansible_user') ? 'ansible_user' : undefined;
  if (key === undefined) return undefined;
  const user = vars.string(key).trim();
  if (!USER_NAME.test(user)) vars.fail(key, `must be a user name, got '${user}'`);
  return user === 'root' ? undefined : user;
}

