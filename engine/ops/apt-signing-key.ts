/**
 * A repository's signing key on a host, compared with the one its publisher serves now, by
 * fingerprint and expiry (gpg --with-colons, doc/DETAILS in GnuPG: `pub`/`sub` field 7 is the
 * expiry as seconds since the epoch, field 12 the capabilities, `fpr` field 10 the fingerprint).
 * A keyring written once and never looked at again is how the 1.24-1.27 repositories broke
 * (their key expired on 2024-11-02, kubernetes/release#3818): here a rotated, renewed or expired
 * key is fetched again, and a pinned fingerprint (<prefix>_package_key_fingerprint) is checked
 * before anything is written. Pure.
 */
export interface OpenPgpKey {
  /** Primary key fingerprint (uppercase hex). */
  readonly fingerprint: string;
  /** Seconds since the epoch; undefined: never expires. */
  readonly expires?: number;
  /** Expiry of every key that can sign (primary and subkeys with 's'). */
  readonly signingExpiries: ReadonlyArray<number | undefined>;
}

/** Parses `gpg --show-keys --with-colons` output into the keys it lists. */
export function parseColonKeys(text: string): OpenPgpKey[] {
  const keys: Array<{ fingerprint: string; expires?: number; signing: Array<number | undefined> }> = [];
  let current: (typeof keys)[number] | undefined;
  let expectFprOf: 'pub' | 'sub' | undefined;
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const kind = f[0];
    if (kind === 'pub' || kind === 'sub') {
      const expires = f[6] ? Number(f[6]) : undefined;
      const signs = (f[11] ?? '').includes('s') || (kind === 'pub' && (f[11] ?? '').includes('S'));
      if (kind === 'pub') {
        current = { fingerprint: '', ...(expires !== undefined ? { expires } : {}), signing: [] };
        keys.push(current);
      }
      if (signs && current) current.signing.push(expires);
      expectFprOf = kind;
    } else if (kind === 'fpr' && expectFprOf === 'pub' && current) {
      current.fingerprint = (f[9] ?? '').toUpperCase();
      expectFprOf = undefined;
    } else if (kind === 'fpr') {
      expectFprOf = undefined;
    }
  }
  return keys.map((k) => ({ fingerprint: k.fingerprint, ...(k.expires !== undefined ? { expires: k.expires } : {}), signingExpiries: k.signing }));
}

/** The key can no longer sign: its primary expired, or every signing (sub)key did. */
export function isExpired(key: OpenPgpKey, now: number): boolean {
  if (key.expires !== undefined && key.expires <= now) return true;
  return key.signingExpiries.length > 0 && key.signingExpiries.every((e) => e !== undefined && e <= now);
}

const describe = (keys: readonly OpenPgpKey[]): string => keys.map((k) => k.fingerprint).join(', ') || 'no key';
const sameKeys = (a: readonly OpenPgpKey[], b: readonly OpenPgpKey[]): boolean =>
  JSON.stringify(a.map((k) => [k.fingerprint, k.expires ?? null, k.signingExpiries])) === JSON.stringify(b.map((k) => [k.fingerprint, k.expires ?? null, k.signingExpiries]));

export type KeyVerdict =
  | { readonly action: 'keep' }
  | { readonly action: 'keep-stale'; readonly warning: string }
  | { readonly action: 'fetch'; readonly why: string }
  | { readonly action: 'fail'; readonly why: string };

export interface KeyState {
  /** What the keyring on the host holds; undefined: no keyring. */
  readonly installed?: readonly OpenPgpKey[];
  /** What the key URL serves now; undefined: it could not be fetched. */
  readonly published?: readonly OpenPgpKey[];
  readonly now: number;
  /** Pinned fingerprints; empty: none pinned. */
  readonly pinned: readonly string[];
  readonly keyUrl: string;
}

function unpinned(keys: readonly OpenPgpKey[], pinned: readonly string[]): OpenPgpKey | undefined {
  return pinned.length === 0 ? undefined : keys.find((k) => !pinned.includes(k.fingerprint));
}

/** What to do with the keyring. */
export function judgeSigningKey(s: KeyState): KeyVerdict {
  const installedOk =
    s.installed !== undefined && s.installed.length > 0 && !s.installed.some((k) => isExpired(k, s.now)) && unpinned(s.installed, s.pinned) === undefined;
  if (s.published === undefined) {
    if (installedOk) return { action: 'keep-stale', warning: `cannot fetch ${s.keyUrl} to compare: keeping the installed key (${describe(s.installed!)})` };
    const why = s.installed === undefined ? 'there is no keyring yet' : 'the installed key is expired or not the pinned one';
    return { action: 'fail', why: `cannot fetch ${s.keyUrl} and ${why}` };
  }
  if (s.published.length === 0) return { action: 'fail', why: `${s.keyUrl} serves no OpenPGP key` };
  const stray = unpinned(s.published, s.pinned);
  if (stray) return { action: 'fail', why: `${s.keyUrl} serves key ${stray.fingerprint}, which is not the pinned fingerprint (${s.pinned.join(', ')}): not installed` };
  if (s.published.some((k) => isExpired(k, s.now))) {
    return { action: 'fail', why: `${s.keyUrl} serves an expired key (${describe(s.published)}): apt would refuse the repository` };
  }
  if (s.installed === undefined || s.installed.length === 0) return { action: 'fetch', why: 'no keyring yet' };
  if (sameKeys(s.installed, s.published)) return { action: 'keep' };
  const rotated = s.installed.map((k) => k.fingerprint).join() !== s.published.map((k) => k.fingerprint).join();
  if (rotated) return { action: 'fetch', why: `key rotated: ${describe(s.installed)} -> ${describe(s.published)}` };
  return { action: 'fetch', why: s.installed.some((k) => isExpired(k, s.now)) ? 'installed key expired, the published one is renewed' : 'key renewed (new expiry)' };
}
