/**
 * What `etcdctl snapshot status` says of a snapshot (revision, number of keys, size), read on the
 * controller from the file itself, so that --check can say it without copying the snapshot to a
 * master. An etcd snapshot is a bbolt database (go.etcd.io/bbolt): two meta pages, then B+trees
 * of pages; the root tree maps bucket names to buckets ("key", "meta", "members", ...). As
 * etcdutl's Status does, every key of every bucket counts, and the revision is the main revision
 * of the last key of the "key" bucket. `etcdctl snapshot save` appends a sha256 of the database:
 * pages are read by offset, so it is ignored. Anything that does not read as bbolt gives
 * undefined (the masters' etcdctl then has the last word).
 */
export interface SnapshotKeys {
  readonly revision: number;
  readonly totalKey: number;
  readonly totalSize: number;
}

const MAGIC = 0xed0cdaed;
const PAGE_HEADER = 16;
const ELEMENT = 16;
const BRANCH = 0x01;
const LEAF = 0x02;
const BUCKET_LEAF = 0x01;
const BUCKET_HEADER = 16;
/** A snapshot's trees are shallow; a deeper one is a loop in a damaged file. */
const MAX_DEPTH = 64;

class Reader {
  constructor(
    private readonly buf: Buffer,
    private readonly pageSize: number,
  ) {}

  /** The page `id` (a view from its start: overflow pages follow it in the file). */
  page(id: bigint): Buffer {
    const at = Number(id) * this.pageSize;
    if (!Number.isSafeInteger(at) || at + PAGE_HEADER > this.buf.length) throw new Error('page out of the file');
    return this.buf.subarray(at);
  }

  /** Calls `visit` for every leaf element (key, value, flags) of the tree rooted at `page`, in key order. */
  walk(page: Buffer, visit: (key: Buffer, value: Buffer, flags: number) => void, depth = 0): void {
    if (depth > MAX_DEPTH) throw new Error('tree too deep');
    const flags = page.readUInt16LE(8);
    const count = page.readUInt16LE(10);
    for (let i = 0; i < count; i++) {
      const el = PAGE_HEADER + i * ELEMENT;
      if (flags & LEAF) {
        const elFlags = page.readUInt32LE(el);
        const pos = page.readUInt32LE(el + 4);
        const ksize = page.readUInt32LE(el + 8);
        const vsize = page.readUInt32LE(el + 12);
        const start = el + pos;
        if (start + ksize + vsize > page.length) throw new Error('element out of the page');
        visit(page.subarray(start, start + ksize), page.subarray(start + ksize, start + ksize + vsize), elFlags);
      } else if (flags & BRANCH) {
        this.walk(this.page(page.readBigUInt64LE(el + 8)), visit, depth + 1);
      } else {
        throw new Error('neither a branch nor a leaf page');
      }
    }
  }

  /** The root page of a bucket from its value in the parent tree (inline buckets carry their page). */
  bucketRoot(value: Buffer): Buffer {
    if (value.length < BUCKET_HEADER) throw new Error('short bucket header');
    const root = value.readBigUInt64LE(0);
    return root === 0n ? value.subarray(BUCKET_HEADER) : this.page(root);
  }
}

interface Meta {
  readonly pageSize: number;
  readonly root: bigint;
  readonly highWater: bigint;
  readonly txid: bigint;
}

function readMeta(buf: Buffer, at: number): Meta | undefined {
  if (at + PAGE_HEADER + 64 > buf.length) return undefined;
  const m = at + PAGE_HEADER;
  if (buf.readUInt32LE(m) !== MAGIC || buf.readUInt32LE(m + 4) !== 2) return undefined;
  return { pageSize: buf.readUInt32LE(m + 8), root: buf.readBigUInt64LE(m + 16), highWater: buf.readBigUInt64LE(m + 40), txid: buf.readBigUInt64LE(m + 48) };
}

export function readSnapshotStatus(buf: Buffer): SnapshotKeys | undefined {
  try {
    const first = readMeta(buf, 0);
    if (!first || first.pageSize < 512 || first.pageSize > 65536) return undefined;
    const second = readMeta(buf, first.pageSize);
    const meta = second && second.txid > first.txid ? second : first;
    const reader = new Reader(buf, meta.pageSize);
    let totalKey = 0;
    let revision = 0;
    reader.walk(reader.page(meta.root), (name, value, flags) => {
      if (!(flags & BUCKET_LEAF)) throw new Error('a key outside any bucket');
      const isKey = name.toString('latin1') === 'key';
      reader.walk(reader.bucketRoot(value), (key) => {
        totalKey++;
        if (isKey && key.length >= 8) revision = Number(key.readBigUInt64BE(0));
      });
    });
    return { revision, totalKey, totalSize: Number(meta.highWater) * meta.pageSize };
  } catch {
    return undefined;
  }
}
