/**
 * Pure parts of the etcd backup: the snapshot's name on the controller and which old snapshots
 * the rotation removes (what `etcdctl snapshot status` says is in kube-shared/etcd-snapshot.ts,
 * which the restore reads too).
 */
import { utcStamp } from '../kube-shared/etcd-snapshot.js';

export const SNAPSHOT_NAME = /^etcd-snapshot-\d{8}T\d{6}Z\.db$/;

/** etcd-snapshot-20261205T120102Z.db: sorts by time, no characters a shell or a filesystem minds. */
export function snapshotName(at: Date): string {
  return `etcd-snapshot-${utcStamp(at)}.db`;
}

/** The snapshots to delete so that the newest `keep` stay; only files named like ours count. */
export function snapshotsToPrune(names: readonly string[], keep: number): string[] {
  const ours = names.filter((n) => SNAPSHOT_NAME.test(n)).sort();
  return ours.slice(0, Math.max(0, ours.length - keep));
}
