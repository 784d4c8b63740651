/**
 * Pure parts of the etcd backup: the snapshot's name on the controller, what
 * `etcdctl snapshot status -w json` says, and which old snapshots the rotation removes.
 */
export interface SnapshotStatus {
  readonly hash: number;
  readonly revision: number;
  readonly totalKey: number;
  readonly totalSize: number;
}

export const SNAPSHOT_NAME = /^etcd-snapshot-\d{8}T\d{6}Z\.db$/;

/** etcd-snapshot-20261205T120102Z.db: sorts by time, no characters a shell or a filesystem minds. */
export function snapshotName(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `etcd-snapshot-${stamp}.db`;
}

/** etcdctl 3.4/3.5 `snapshot status -w json`: {"hash":…,"revision":…,"totalKey":…,"totalSize":…}. */
export function parseSnapshotStatus(text: string): SnapshotStatus {
  let doc: unknown;
  try {
    doc = JSON.parse(text.trim());
  } catch {
    throw new Error('etcdctl snapshot status did not print JSON');
  }
  const d = doc as Record<string, unknown>;
  const fields = ['hash', 'revision', 'totalKey', 'totalSize'] as const;
  for (const f of fields) {
    if (typeof d[f] !== 'number') throw new Error(`etcdctl snapshot status printed no ${f}`);
  }
  return { hash: d.hash as number, revision: d.revision as number, totalKey: d.totalKey as number, totalSize: d.totalSize as number };
}

/** The snapshots to delete so that the newest `keep` stay; only files named like ours count. */
export function snapshotsToPrune(names: readonly string[], keep: number): string[] {
  const ours = names.filter((n) => SNAPSHOT_NAME.test(n)).sort();
  return ours.slice(0, Math.max(0, ours.length - keep));
}
