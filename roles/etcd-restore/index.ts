/**
 * etcd-restore (playbooks/etcd-restore.yml -e snapshot=FILE): the documented restore of kubeadm's
 * stacked etcd from a snapshot on the controller, on every master at once (kubernetes.io
 * "Operating etcd clusters", etcd's disaster recovery guide): the control plane stopped on every
 * master, `etcdctl snapshot restore` into a fresh data dir with each member's name, the same
 * --initial-cluster and a new --initial-cluster-token, the old member data set aside (dated),
 * the control plane started again, then etcd healthy with every master a member and the
 * apiserver answering.
 *
 * Refused (a no-op that says why) while etcd still has quorum, unless etcd_restore_force. The
 * masters move in step (every one has a checked copy before any stops, all stopped before any
 * restores, all restored before any starts); a failure before the swap puts every master back as
 * it was. The snapshot holds every Secret: it reaches the masters on stdin into a 0600 file in a
 * 0700 folder, and is removed from them afterwards, also on failure.
 */
import { resolve as resolvePath } from 'node:path';
import { TaskError, VarsError } from '../../engine/errors.js';
import { expandHome } from '../../engine/home.js';
import { checkControllerInput, readControllerBytes, sha256Hex } from '../../engine/ops/index.js';
import { defineRole } from '../../engine/role.js';
import { base64Of, raw, sh } from '../../engine/shell.js';
import type { Change, HostView, InventoryView, Task, TaskContext, Vars } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { CLUSTER_DEFAULTS } from '../kube-shared/cluster-defaults.js';
import { readCluster, type ClusterVars } from '../kube-shared/cluster.js';
import { parseSnapshotStatus, utcStamp, type SnapshotStatus } from '../kube-shared/etcd-snapshot.js';
import { ETCDCTL, KUBECTL } from '../kube-shared/kube-paths.js';
import {
  apiserverEndpoint,
  apiserverPort,
  CONTROL_PLANE_PODS,
  initialCluster,
  judgeRestore,
  MANIFESTS_DIR,
  memberNames,
  parseEtcdManifest,
  parseProbe,
  probeScript,
  REQUIRED_PODS,
  restoreCommand,
  STAGED_DIR,
  statusCommand,
  stillRunning,
  stoppedProbeScript,
  type ControlPlanePod,
  type EtcdMemberSpec,
  type MasterProbe,
  type RestoreVerdict,
} from './plan.js';
import { readSnapshotStatus, type SnapshotKeys } from './bbolt.js';

export const SNAPSHOT_KEY = 'etcd_restore_snapshot';

export interface EtcdRestoreVars extends ClusterVars {
  /** Absolute controller path of the snapshot. */
  readonly snapshot: string;
  readonly force: boolean;
  readonly timeoutMs: number;
}

type Ctx = TaskContext<EtcdRestoreVars>;

const defaults: Vars = {
  ...CLUSTER_DEFAULTS,
  /** Restore over an etcd that still has quorum (everything written since the snapshot is lost). */
  etcd_restore_force: false,
  /** Seconds each wait may take: the control plane stopping, etcd healthy and the apiserver answering again. */
  etcd_restore_timeout: 300,
};

/** On each master: the snapshot's private folder. */
export const HOST_DIR = '/var/lib/play-etcd-restore';
export const HOST_FILE = `${HOST_DIR}/snapshot.db`;
/** Raw bytes per exec while the snapshot is copied (about 5.5 MB of base64 per script). */
const CHUNK = 4 * 1024 * 1024;
const POLL_MS = 2000;

function resolveRestore(vars: TypedVars, host: HostView, inventory: InventoryView): EtcdRestoreVars {
  if (!vars.has(SNAPSHOT_KEY) || String(vars.raw(SNAPSHOT_KEY)).trim() === '') {
    vars.fail(SNAPSHOT_KEY, 'says which snapshot to restore: pass -e snapshot=FILE (a file on the controller, e.g. from etcd-backup.yml)');
  }
  const snapshot = resolvePath(expandHome(vars.string(SNAPSHOT_KEY).trim()));
  const found = checkControllerInput(snapshot);
  if ('error' in found) vars.fail(SNAPSHOT_KEY, `(-e snapshot=FILE) ${found.error}`);
  return {
    ...readCluster(vars, host, inventory),
    snapshot,
    force: vars.bool('etcd_restore_force'),
    timeoutMs: vars.int('etcd_restore_timeout', { min: 10, max: 3600 }) * 1000,
  };
}

/** Every master must take part: a restore of some members only would make two clusters. */
function validateRestorePlay(hosts: ReadonlyMap<string, EtcdRestoreVars>): void {
  const first = hosts.values().next().value;
  if (!first) return;
  const missing = first.topology.masters.map((m) => m.name).filter((m) => !hosts.has(m));
  if (missing.length) {
    throw new VarsError(`leaves out ${missing.join(', ')}: an etcd restore runs on every master of the inventory or on none`, { file: '--limit' }, 'masters');
  }
}

interface Member extends EtcdMemberSpec {
  readonly host: string;
  readonly endpoint: string;
  readonly ports: readonly number[];
  readonly manifests: Readonly<Record<ControlPlanePod, MasterProbe['manifests'][ControlPlanePod]['place']>>;
}

export interface RestorePlan {
  readonly verdict: RestoreVerdict;
  /** Masters whose control-plane manifests an interrupted restore left in STAGED_DIR. */
  readonly staged: readonly string[];
  readonly members: readonly Member[];
  readonly cluster: string;
  readonly stamp: string;
  readonly token: string;
  readonly sha256: string;
  readonly size: number;
  /** Read on the controller from the snapshot itself; undefined when it is no bbolt file we can read. */
  readonly status?: SnapshotKeys;
  readonly bytes: Buffer;
}

async function probeMaster(ctx: Ctx, host: string): Promise<MasterProbe | string> {
  try {
    const got = await ctx.on(host).run(probeScript(ETCDCTL), { allowFail: true, label: `probe etcd on ${host}` });
    return parseProbe(got.stdout);
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'unreachable';
  }
}

/** Once per run, before any host changes: the snapshot read on the controller, every master probed. */
async function makePlan(ctx: Ctx): Promise<RestorePlan> {
  const v = ctx.vars;
  const bytes = readControllerBytes(v.snapshot, SNAPSHOT_KEY);
  if (bytes.length === 0) throw new TaskError(`the file of ${SNAPSHOT_KEY} is empty`);
  const status = readSnapshotStatus(bytes);
  const hosts = v.topology.masters.map((m) => m.name);
  const probes = await Promise.all(hosts.map((h) => probeMaster(ctx, h)));
  const verdict = judgeRestore(
    probes.map((p, i) => ({ host: hosts[i]!, healthy: typeof p !== 'string' && p.healthy, detail: typeof p === 'string' ? `not reachable: ${p}` : p.healthDetail })),
    v.force,
  );
  const noEtcdctl = hosts.filter((h, i) => typeof probes[i] !== 'string' && (probes[i] as MasterProbe).healthExit === 127);
  if (noEtcdctl.length) throw new TaskError(`refused before any change: no etcdctl on ${noEtcdctl.join(', ')} (install Debian's etcd-client on the masters)`);
  const staged = hosts.filter((h, i) => typeof probes[i] !== 'string' && CONTROL_PLANE_PODS.some((pod) => (probes[i] as MasterProbe).manifests[pod].place === 'staged'));
  const stamp = utcStamp(new Date());
  const base = { verdict, staged, stamp, token: `play-etcd-restore-${stamp}`, sha256: sha256Hex(bytes), size: bytes.length, bytes, ...(status ? { status } : {}) };
  if (!verdict.restore) return { ...base, members: [], cluster: '' };
  const members: Member[] = probes.map((p, i) => {
    const host = hosts[i]!;
    if (typeof p === 'string') throw new TaskError(`refused before any change: ${host} cannot be reached (${p}); every master takes part in a restore (a master lost for good: take it out of the masters group first, add it back with site.yml afterwards)`);
    for (const pod of REQUIRED_PODS) {
      if (p.manifests[pod].place === 'missing') throw new TaskError(`refused before any change: ${host} has no ${pod}.yaml in ${MANIFESTS_DIR} (nor in ${STAGED_DIR}): not a kubeadm control plane; run site.yml first`);
    }
    let spec: EtcdMemberSpec;
    try {
      spec = parseEtcdManifest(p.manifests.etcd.text);
    } catch (e) {
      throw new TaskError(`refused before any change: ${host}: ${(e as Error).message}`);
    }
    const endpoint = apiserverEndpoint(p.manifests['kube-apiserver'].text);
    if (!endpoint) throw new TaskError(`refused before any change: ${host}: kube-apiserver.yaml names no advertise-address endpoint`);
    const peerPort = Number(spec.peerUrl.slice(spec.peerUrl.lastIndexOf(':') + 1));
    const places = Object.fromEntries(CONTROL_PLANE_PODS.map((pod) => [pod, p.manifests[pod].place])) as Member['manifests'];
    return { ...spec, host, endpoint, ports: [2379, peerPort, apiserverPort(p.manifests['kube-apiserver'].text)], manifests: places };
  });
  let cluster: string;
  try {
    cluster = initialCluster(members);
  } catch (e) {
    throw new TaskError(`refused before any change: ${(e as Error).message}`);
  }
  return { ...base, members, cluster };
}

const describeStatus = (s: SnapshotKeys | undefined): string => (s ? `revision ${s.revision}, ${s.totalKey} keys` : 'revision and keys read by etcdctl on the masters');
const aside = (m: Member, plan: RestorePlan): string => `${m.dataDir}.before-restore-${plan.stamp}`;
const fresh = (m: Member, plan: RestorePlan): string => `${m.dataDir}.play-restore-${plan.stamp}`;

/** How to undo a restore that got as far as the swap, for the failure's message. */
function wayBack(m: Member, plan: RestorePlan): string {
  return (
    `to go back to the data etcd had before the restore, on every master: move ${CONTROL_PLANE_PODS.map((p) => `${p}.yaml`).join(', ')} from ${MANIFESTS_DIR} to ${STAGED_DIR}, ` +
    `then 'mv ${m.dataDir}/member ${fresh(m, plan)}; mv ${aside(m, plan)}/member ${m.dataDir}/member' and move the manifests back`
  );
}

interface RestoreChange extends Change {
  readonly plan: RestorePlan;
  /** Undefined when the restore is refused (a waitOnly change that says why). */
  readonly member?: Member;
}

/** A step every master must reach before any goes on; a master that failed says so to the others. */
class Phases {
  private readonly told = new Set<string>();
  constructor(
    private readonly ctx: Ctx,
    private readonly hosts: readonly string[],
  ) {}

  static readonly ALL = ['verified', 'stopped', 'restored'] as const;

  async reach(phase: (typeof Phases.ALL)[number]): Promise<void> {
    this.told.add(phase);
    this.ctx.publish(`etcd-restore:${phase}:${this.ctx.vars.host}`, { ok: true });
    for (const host of this.hosts) {
      const got = await this.ctx.waitFor<{ ok: boolean; why?: string }>(`etcd-restore:${phase}:${host}`).catch((e: Error) => ({ ok: false, why: e.message }));
      if (!got.ok) throw new TaskError(`${host} failed before the etcd members were all ${phase} (${got.why ?? 'no reason given'}): stopped here too`);
    }
  }

  fail(why: string): void {
    for (const phase of Phases.ALL) {
      if (!this.told.has(phase)) this.ctx.publish(`etcd-restore:${phase}:${this.ctx.vars.host}`, { ok: false, why });
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The snapshot to the master over stdin, in chunks, into a 0600 file in a 0700 folder; then checked. */
async function copySnapshot(ctx: Ctx, plan: RestorePlan): Promise<SnapshotStatus> {
  const part = `${HOST_FILE}.part`;
  await ctx.run(sh`umask 077 && rm -rf -- ${HOST_DIR} && mkdir -m 700 -- ${HOST_DIR} && : > ${part}`, { label: 'make the snapshot folder (0700)' });
  for (let at = 0; at < plan.bytes.length; at += CHUNK) {
    const chunk = plan.bytes.subarray(at, at + CHUNK);
    await ctx.run(sh`printf %s ${base64Of(chunk)} | base64 -d >> ${part}`, { label: 'copy the snapshot', secret: true, timeoutMs: 300_000 });
  }
  const got = await ctx.run(sh`mv -f -- ${part} ${HOST_FILE} && chmod 600 -- ${HOST_FILE} && sha256sum -- ${HOST_FILE} | cut -d' ' -f1`, { label: 'sha256 of the snapshot copy' });
  if (got.stdout.trim() !== plan.sha256) throw new TaskError(`the snapshot changed on its way to ${ctx.vars.host} (sha256 differs)`);
  const status = await ctx.run(statusCommand(HOST_FILE), { allowFail: true, label: 'etcdctl snapshot status' });
  let read: SnapshotStatus;
  try {
    if (status.code !== 0) throw new Error(status.stderr.trim().split('\n').at(-1) ?? `exit ${status.code}`);
    read = parseSnapshotStatus(status.stdout);
  } catch (e) {
    throw new TaskError(`etcdctl snapshot status cannot read the snapshot on ${ctx.vars.host}: ${(e as Error).message}`);
  }
  if (read.totalKey === 0) throw new TaskError(`the snapshot holds no keys (etcdctl snapshot status on ${ctx.vars.host}): not restored`);
  if (plan.status && (plan.status.revision !== read.revision || plan.status.totalKey !== read.totalKey)) {
    throw new TaskError(`etcdctl snapshot status on ${ctx.vars.host} reads ${describeStatus(read)}, the controller read ${describeStatus(plan.status)}`);
  }
  return read;
}

const moveManifests = (from: string, to: string): string =>
  `umask 077 && mkdir -p -m 700 -- ${to} && for p in ${CONTROL_PLANE_PODS.join(' ')}; do if [ -f ${from}/$p.yaml ]; then mv -f -- ${from}/$p.yaml ${to}/$p.yaml; fi; done`;

async function waitUntil(ctx: Ctx, what: string, probe: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + ctx.vars.timeoutMs;
  for (;;) {
    const left = await probe();
    if (left === undefined) return;
    if (Date.now() > deadline) throw new TaskError(`${what} on ${ctx.vars.host} did not happen within ${ctx.vars.timeoutMs / 1000}s (${left})`);
    await sleep(POLL_MS);
  }
}

const crictl = (ctx: Ctx): string => sh`crictl --runtime-endpoint ${ctx.vars.criSocket}`;

async function stopControlPlane(ctx: Ctx, m: Member): Promise<void> {
  await ctx.run(moveManifests(MANIFESTS_DIR, STAGED_DIR), { label: `move the control-plane manifests to ${STAGED_DIR}` });
  await waitUntil(ctx, 'the control plane stopping', async () => {
    const got = await ctx.run(stoppedProbeScript(crictl(ctx), ctx.vars.nodeName), { allowFail: true, poll: true, label: 'control plane stopped?' });
    const left = stillRunning(got.stdout, m.ports);
    return left.length ? left.join(', ') : undefined;
  });
}

async function waitHealthy(ctx: Ctx, plan: RestorePlan, m: Member): Promise<void> {
  const want = plan.members.map((x) => x.name).sort();
  await waitUntil(ctx, 'etcd healthy with every master a member', async () => {
    const health = await ctx.run(`${ETCDCTL} endpoint health`, { allowFail: true, poll: true, label: 'etcdctl endpoint health' });
    if (health.code !== 0) return (health.stderr || health.stdout).trim().split('\n').at(-1) ?? `exit ${health.code}`;
    const list = await ctx.run(`${ETCDCTL} member list`, { allowFail: true, poll: true, label: 'etcdctl member list' });
    const names = memberNames(list.stdout).sort();
    if (names.join(',') !== want.join(',')) return `members: ${names.join(', ') || 'none'}`;
    return undefined;
  });
  await waitUntil(ctx, 'the apiserver answering', async () => {
    const got = await ctx.run(sh`${raw(KUBECTL)} --server ${`https://${m.endpoint}`} get nodes -o name`, { allowFail: true, poll: true, label: `kubectl get nodes via ${m.endpoint}` });
    return got.code === 0 ? undefined : (got.stderr.trim().split('\n').at(-1) ?? `exit ${got.code}`);
  });
}

/** Stops, restores, swaps and starts one master, in step with the others. */
async function restoreMaster(ctx: Ctx, plan: RestorePlan, m: Member): Promise<void> {
  const phases = new Phases(ctx, plan.members.map((x) => x.host));
  let swapped = false;
  try {
    const status = await copySnapshot(ctx, plan);
    ctx.log(`etcd snapshot on ${ctx.vars.host}: revision ${status.revision}, ${status.totalKey} keys`);
    await phases.reach('verified');
    await stopControlPlane(ctx, m);
    await phases.reach('stopped');
    await ctx.run(sh`rm -rf -- ${fresh(m, plan)}`, { label: 'clear the restore folder' });
    await ctx.run(restoreCommand(HOST_FILE, m, plan.cluster, plan.token, fresh(m, plan)), { label: 'etcdctl snapshot restore', timeoutMs: 600_000 });
    await phases.reach('restored');
    swapped = true;
    const old = aside(m, plan);
    await ctx.run(
      sh`set -e; mkdir -m 700 -- ${old}; if [ -d ${m.dataDir}/member ]; then mv -- ${m.dataDir}/member ${old}/member; fi; mkdir -p -m 700 -- ${m.dataDir}; mv -- ${fresh(m, plan)}/member ${m.dataDir}/member; rmdir -- ${fresh(m, plan)}`,
      { label: `set the old etcd data aside (${old}) and swap the restored data in` },
    );
    await ctx.run(moveManifests(STAGED_DIR, MANIFESTS_DIR), { label: `put the control-plane manifests back in ${MANIFESTS_DIR}` });
    await waitHealthy(ctx, plan, m);
    await ctx.run(sh`rmdir -- ${STAGED_DIR} 2>/dev/null || true`, { label: `remove ${STAGED_DIR}` });
    ctx.log(`etcd on ${ctx.vars.host} restored; its data before the restore is in ${old}`);
  } catch (e) {
    const why = (e as Error).message;
    phases.fail(`${ctx.vars.host}: ${why.split('\n')[0]}`);
    if (swapped) throw new TaskError(`${why}\nthe restored data is in place on ${ctx.vars.host}; ${wayBack(m, plan)}`);
    // Before the swap the old data never moved: put the control plane back as it was.
    const back = await ctx.run(`rm -rf -- ${sh`${fresh(m, plan)}`}; ${moveManifests(STAGED_DIR, MANIFESTS_DIR)}`, { allowFail: true, label: 'put the control plane back as it was' });
    const state = back.code === 0 ? `nothing changed on ${ctx.vars.host}: its etcd data was not touched and its control-plane manifests are back in ${MANIFESTS_DIR}` : `the control-plane manifests of ${ctx.vars.host} may still be in ${STAGED_DIR}: move them back to ${MANIFESTS_DIR} (its etcd data was not touched)`;
    throw new TaskError(`${why}\n${state}`);
  } finally {
    await ctx.run(sh`rm -rf -- ${HOST_DIR}`, { allowFail: true, label: 'remove the snapshot from the master' });
  }
}

function restoreTask(): Task<EtcdRestoreVars, RestoreChange> {
  return {
    name: 'Restore etcd from the snapshot on every master',
    prefetch: false,
    async check(ctx) {
      const plan = await ctx.once('etcd-restore:plan', () => makePlan(ctx));
      if (!plan.verdict.restore) {
        if (plan.staged.includes(ctx.vars.host)) {
          ctx.warn(`${ctx.vars.host}: control-plane manifests are still in ${STAGED_DIR} (an interrupted restore): move them back to ${MANIFESTS_DIR} to start those pods again`);
        }
        return { summary: plan.verdict.why, waitOnly: true, plan };
      }
      const member = plan.members.find((x) => x.host === ctx.vars.host);
      if (!member) return null;
      const stopped = CONTROL_PLANE_PODS.filter((p) => member.manifests[p] === 'staged');
      return {
        summary:
          `${plan.verdict.why}; restore ${member.name} of ${plan.members.map((x) => x.host).join(', ')} from the snapshot ` +
          `(${describeStatus(plan.status)}, ${plan.size} bytes, sha256 ${plan.sha256.slice(0, 12)}…) with --initial-cluster ${plan.cluster}; ` +
          `its data before the restore goes to ${aside(member, plan)}` +
          (stopped.length ? `; ${stopped.join(', ')} already set aside in ${STAGED_DIR} (an interrupted restore)` : ''),
        plan,
        member,
      };
    },
    async apply(ctx, change) {
      if (change.member) await restoreMaster(ctx, change.plan, change.member);
    },
  };
}

export default defineRole<EtcdRestoreVars>({
  name: 'etcd-restore',
  defaults,
  resolve: resolveRestore,
  validatePlay: validateRestorePlay,
  tasks: [restoreTask()],
});
