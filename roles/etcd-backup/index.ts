/**
 * etcd-backup (playbooks/etcd-backup.yml): a snapshot of the stacked etcd, the way kubeadm's
 * and etcd's guides say (`etcdctl snapshot save` against one healthy member), checked with
 * `etcdctl snapshot status` and fetched to the controller: 0600 in a private folder
 * (etcd_backup_dir), a dated name, the newest etcd_backup_keep kept. The snapshot holds every
 * Secret of the cluster, so it never stays on the master and is never printed.
 */
import { join, resolve } from 'node:path';
import { TaskError } from '../../engine/errors.js';
import { expandHome } from '../../engine/home.js';
import { checkControllerSecretDir, pruneControllerDir, sha256Hex, writeControllerFile } from '../../engine/ops/index.js';
import { defineRole } from '../../engine/role.js';
import { sh } from '../../engine/shell.js';
import type { Change, HostView, InventoryView, Task, TaskContext, Vars } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { CLUSTER_DEFAULTS } from '../kube-shared/cluster-defaults.js';
import { readCluster, type ClusterVars } from '../kube-shared/cluster.js';
import { ETCDCTL } from '../kube-shared/kube-paths.js';
import { parseSnapshotStatus } from '../kube-shared/etcd-snapshot.js';
import { snapshotName, snapshotsToPrune } from './snapshot.js';

export interface EtcdBackupVars extends ClusterVars {
  /** Absolute controller folder of the snapshots. */
  readonly backupDir: string;
  readonly keep: number;
}

type Ctx = TaskContext<EtcdBackupVars>;

const defaults: Vars = {
  ...CLUSTER_DEFAULTS,
  /** Controller folder that receives the snapshots (made 0700; yours, not group- or world-writable). */
  etcd_backup_dir: 'backups/etcd',
  /** Snapshots kept in etcd_backup_dir: the oldest beyond this many are deleted after a new one is saved. */
  etcd_backup_keep: 7,
};

const HOST_DIR = '/var/lib/play-etcd-backup';
const HOST_FILE = `${HOST_DIR}/snapshot.db`;

function resolveBackup(vars: TypedVars, host: HostView, inventory: InventoryView): EtcdBackupVars {
  return {
    ...readCluster(vars, host, inventory),
    backupDir: resolve(expandHome(vars.string('etcd_backup_dir').trim())),
    keep: vars.int('etcd_backup_keep', { min: 1, max: 1000 }),
  };
}

/** The first master, in inventory order, whose own etcd member answers a health check. */
async function healthyMember(ctx: Ctx): Promise<string> {
  const masters = ctx.vars.topology.masters.map((m) => m.name);
  const why: string[] = [];
  for (const master of masters) {
    const probe = await ctx.on(master).run(`${ETCDCTL} endpoint health`, { allowFail: true, label: `etcdctl endpoint health on ${master}` }).catch((e: Error) => ({ code: 255, stdout: '', stderr: e.message }));
    if (probe.code === 0) return master;
    why.push(`${master}: ${(probe.stderr || probe.stdout).trim().split('\n').at(-1) ?? `exit ${probe.code}`}`);
  }
  throw new TaskError(`no healthy etcd member to snapshot (${why.join('; ')})`);
}

interface SnapshotChange extends Change {
  readonly target: string;
}

function snapshotTask(): Task<EtcdBackupVars, SnapshotChange> {
  return {
    name: 'Save an etcd snapshot to the controller',
    prefetch: false,
    async check(ctx) {
      const source = await ctx.once('etcd-backup:source', () => healthyMember(ctx));
      if (source !== ctx.vars.host) return null;
      checkControllerSecretDir(ctx.vars.backupDir, 'etcd_backup_dir', 'an etcd snapshot');
      const target = join(ctx.vars.backupDir, snapshotName(new Date()));
      return { summary: `snapshot ${source}'s etcd member to ${target} on the controller, keep the newest ${ctx.vars.keep}`, target };
    },
    async apply(ctx, change) {
      await ctx.run(`umask 077 && mkdir -p ${HOST_DIR} && rm -f ${HOST_FILE} && ${ETCDCTL} snapshot save ${HOST_FILE} >/dev/null`, { label: 'etcdctl snapshot save', timeoutMs: 300_000 });
      try {
        const status = parseSnapshotStatus((await ctx.run(`ETCDCTL_API=3 etcdctl snapshot status ${HOST_FILE} -w json`, { label: 'etcdctl snapshot status' })).stdout);
        if (status.totalKey === 0) throw new TaskError(`the snapshot of ${ctx.vars.host}'s etcd holds no keys: not kept`);
        const copy = await ctx.run(`sha256sum ${HOST_FILE} | cut -d' ' -f1 && base64 -w0 ${HOST_FILE}`, { label: 'read the snapshot', timeoutMs: 300_000 });
        const [sum, data] = copy.stdout.split('\n');
        const bytes = Buffer.from(data ?? '', 'base64');
        if (sha256Hex(bytes) !== sum?.trim()) throw new TaskError('the snapshot changed on its way to the controller (sha256 differs)');
        writeControllerFile(change.target, bytes, 0o600, 'etcd_backup_dir');
        const pruned = pruneControllerDir(ctx.vars.backupDir, (names) => snapshotsToPrune(names, ctx.vars.keep));
        if (pruned.length) ctx.log(`etcd snapshots removed (etcd_backup_keep ${ctx.vars.keep}): ${pruned.join(', ')}`);
        ctx.log(`etcd snapshot: revision ${status.revision}, ${status.totalKey} keys, ${status.totalSize} bytes`);
      } finally {
        await ctx.run(sh`rm -f -- ${HOST_FILE}`, { label: 'remove the snapshot from the master' });
      }
    },
  };
}

export default defineRole<EtcdBackupVars>({
  name: 'etcd-backup',
  defaults,
  resolve: resolveBackup,
  tasks: [snapshotTask()],
});
