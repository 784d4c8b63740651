/**
 * What the etcd backup and the etcd restore both know about a snapshot: the UTC stamp that dates
 * files and folders, and what `etcdctl snapshot status -w json` (or etcdutl's) says of a file.
 */
export interface SnapshotStatus {
  readonly hash: number;
  readonly revision: number;
  readonly totalKey: number;
  readonly totalSize: number;
}

/** 20261205T120102Z: sorts by time, no characters a shell or a filesystem minds. */
export function utcStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** etcdctl 3.4/3.5 (and etcdutl) `snapshot status -w json`: {"hash":…,"revision":…,"totalKey":…,"totalSize":…}. */
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
