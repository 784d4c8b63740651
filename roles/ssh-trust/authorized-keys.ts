/**
 * The pure half of the authorized_keys task. What play authorizes lives in one marked block, which
 * it rewrites whole: a master that left the group, or a controller key replaced by another, is
 * gone from it on the next run. Each master key line carries from="<addresses of the masters
 * holding that key>", so the key works only from them. Lines outside the block are never touched,
 * with one exception: a line that is exactly what an older play appended for a key play still
 * authorizes (no options) moves into the block, or its missing from= would keep the key usable
 * from anywhere (sshd tries every line holding the key).
 */
import { blockInFileContent, blockMarkers } from '../../engine/ops/index.js';
import { splitLines, joinLines } from '../../engine/ops/text-lines.js';
import { findKey, formatKey, sameKey, type PublicKey } from './public-keys.js';

export const AUTHORIZED_KEYS_MARKER = '# {mark} play ssh-trust: keys of the masters group and the controller (managed: edits here are replaced)';

export interface AuthorizedKey {
  readonly key: PublicKey;
  /** Addresses (IPs, CIDRs) the key may log in from; none: from anywhere. */
  readonly from: readonly string[];
  /** For summaries: the masters holding the key, or 'controller'. */
  readonly owner: string;
}

export function authorizedLine(k: AuthorizedKey): string {
  return k.from.length ? `from="${k.from.join(',')}" ${formatKey(k.key)}` : formatKey(k.key);
}

export interface AuthorizedKeysPlan {
  /** The whole desired file; null when the current one is already it. */
  readonly content: string | null;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Keys whose from= list changes. */
  readonly restricted: readonly string[];
  /** Lines an older play appended outside the block, now moved into it. */
  readonly adopted: number;
  /** Owners of wanted keys that also have a line outside the block without from= (warned about). */
  readonly unrestricted: readonly string[];
}

/** The lines between the markers of `current`. */
function blockLines(current: string, marker: string): string[] {
  const { begin, end } = blockMarkers(marker);
  const lines = splitLines(current);
  const at = lines.indexOf(begin);
  const endAt = at >= 0 ? lines.indexOf(end, at + 1) : -1;
  return at >= 0 && endAt > at ? lines.slice(at + 1, endAt) : [];
}

/** Whether an authorized_keys line restricts its key with a from= option (before the key type). */
function hasFrom(line: string, key: PublicKey): boolean {
  const at = line.indexOf(`${key.type} ${key.body}`);
  const options = at > 0 ? line.slice(0, at) : '';
  return /(^|,)\s*from="/i.test(options.trim());
}

export function planAuthorizedKeys(current: string | null, wanted: readonly AuthorizedKey[]): AuthorizedKeysPlan {
  const text = current ?? '';
  const { begin, end } = blockMarkers(AUTHORIZED_KEYS_MARKER);
  const before = blockLines(text, AUTHORIZED_KEYS_MARKER);
  const beforeKeys = before.flatMap((l) => (findKey(l) ? [{ key: findKey(l)!, line: l }] : []));
  const legacy = new Set(wanted.map((k) => formatKey(k.key)));

  let inBlock = false;
  let adopted = 0;
  const unrestricted = new Set<string>();
  const outside: string[] = [];
  for (const line of splitLines(text)) {
    if (line === begin) inBlock = true;
    if (!inBlock) {
      if (legacy.has(line.trim())) {
        adopted++;
        continue;
      }
      const key = findKey(line);
      const owner = key && wanted.find((k) => sameKey(k.key, key));
      if (key && owner && owner.from.length && !hasFrom(line, key)) unrestricted.add(owner.owner);
    }
    outside.push(line);
    if (line === end) inBlock = false;
  }
  const lines = wanted.map(authorizedLine);
  const base = adopted ? joinLines(outside) : text;
  const next = blockInFileContent(base === '' && current === null ? null : base, { block: lines.join('\n'), marker: AUTHORIZED_KEYS_MARKER });

  const had = (k: AuthorizedKey) => beforeKeys.find((b) => sameKey(b.key, k.key));
  const added = wanted.filter((k) => !had(k)).map((k) => k.owner);
  const restricted = wanted.filter((k) => had(k) && had(k)!.line !== authorizedLine(k)).map((k) => k.owner);
  const removed = beforeKeys.filter((b) => !wanted.some((k) => sameKey(k.key, b.key))).map((b) => b.key.comment ?? b.key.type);
  return {
    content: next === current ? null : next,
    added,
    removed,
    restricted,
    adopted,
    unrestricted: [...unrestricted],
  };
}

/**
 * The keys to authorize: each distinct master key once, from the addresses of every master that
 * holds it (cloned hosts may share one), then the controller's.
 */
export function wantedKeys(
  masters: readonly { name: string; from: string; key: PublicKey | undefined }[],
  controller?: { key: PublicKey; from: readonly string[] },
): AuthorizedKey[] {
  const out: AuthorizedKey[] = [];
  for (const m of masters) {
    if (!m.key) continue;
    const same = out.find((k) => sameKey(k.key, m.key!));
    if (same) {
      out[out.indexOf(same)] = { ...same, from: [...same.from, m.from], owner: `${same.owner}+${m.name}` };
    } else {
      out.push({ key: m.key, from: [m.from], owner: m.name });
    }
  }
  if (controller && !out.some((k) => sameKey(k.key, controller.key))) out.push({ key: controller.key, from: controller.from, owner: 'controller' });
  return out;
}
