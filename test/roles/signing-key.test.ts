// Repository signing keys compared by fingerprint and expiry (issue 12: a keyring written once
// with `creates:` was never refreshed; issue 13 row 17: pinned fingerprints).
import { expect } from 'chai';
import { parseKeyProbe } from '../../engine/ops/apt-repository.js';
import type { AptRepo } from '../../engine/ops/index.js';
import { judgeSigningKey, parseColonKeys } from '../../engine/ops/apt-signing-key.js';
import { colonKey, FPR_A, FPR_B } from './helpers/colon-keys.js';

const NOW = 1_800_000_000;
const URL = 'https://pkgs.k8s.io/core:/stable:/v1.31/deb/Release.key';
const base = { now: NOW, pinned: [] as string[], keyUrl: URL };
const key = (fp: string, expires: number | '') => parseColonKeys(colonKey(fp, expires));

describe('repository signing keys', () => {
  it('reads fingerprint and expiry from gpg --with-colons', () => {
    expect(parseColonKeys(colonKey(FPR_A, 1_900_000_000))).to.deep.equal([{ fingerprint: FPR_A, expires: 1_900_000_000, signingExpiries: [1_900_000_000] }]);
    expect(parseColonKeys(colonKey(FPR_A, ''))).to.deep.equal([{ fingerprint: FPR_A, signingExpiries: [undefined] }]);
  });

  it('keeps a keyring that holds what the URL serves', () => {
    expect(judgeSigningKey({ ...base, installed: key(FPR_A, 1_900_000_000), published: key(FPR_A, 1_900_000_000) })).to.deep.equal({ action: 'keep' });
  });

  it('fetches again when the publisher rotated the key, renewed it, or the installed one expired', () => {
    expect(judgeSigningKey({ ...base, installed: key(FPR_A, 1_900_000_000), published: key(FPR_B, 1_900_000_000) })).to.deep.include({ action: 'fetch', why: `key rotated: ${FPR_A} -> ${FPR_B}` });
    expect(judgeSigningKey({ ...base, installed: key(FPR_A, 1_850_000_000), published: key(FPR_A, 1_950_000_000) })).to.deep.include({ action: 'fetch', why: 'key renewed (new expiry)' });
    expect(judgeSigningKey({ ...base, installed: key(FPR_A, NOW - 1), published: key(FPR_A, NOW + 1000) })).to.deep.include({ action: 'fetch', why: 'installed key expired, the published one is renewed' });
    expect(judgeSigningKey({ ...base, published: key(FPR_A, '') })).to.deep.include({ action: 'fetch', why: 'no keyring yet' });
  });

  it('refuses an expired published key (the 1.24-1.27 repositories since 2024-11-02) and an unpinned one', () => {
    expect(judgeSigningKey({ ...base, published: key(FPR_A, NOW - 10) })).to.deep.include({ action: 'fail' });
    const wrong = judgeSigningKey({ ...base, pinned: [FPR_B], installed: key(FPR_B, ''), published: key(FPR_A, '') });
    expect(wrong).to.deep.equal({ action: 'fail', why: `${URL} serves key ${FPR_A}, which is not the pinned fingerprint (${FPR_B}): not installed` });
    expect(judgeSigningKey({ ...base, pinned: [FPR_A], published: key(FPR_A, '') })).to.deep.include({ action: 'fetch' });
  });

  it('keeps a valid installed key when the URL cannot be reached, fails when there is none or it expired', () => {
    expect(judgeSigningKey({ ...base, installed: key(FPR_A, '') })).to.deep.include({ action: 'keep-stale' });
    expect(judgeSigningKey({ ...base })).to.deep.include({ action: 'fail', why: `cannot fetch ${URL} and there is no keyring yet` });
    expect(judgeSigningKey({ ...base, installed: key(FPR_A, NOW - 1) })).to.deep.include({ action: 'fail' });
    expect(judgeSigningKey({ ...base, pinned: [FPR_B], installed: key(FPR_A, '') })).to.deep.include({ action: 'fail' });
  });

  it('parses the probe the host answers', () => {
    const repo = { keyFingerprints: [FPR_A], keyUrl: URL } as unknown as AptRepo;
    const state = parseKeyProbe(`now ${NOW}\n--- installed\n${colonKey(FPR_A, '')}--- published\n${colonKey(FPR_B, '')}`, repo);
    expect(state).to.deep.include({ now: NOW, pinned: [FPR_A] });
    expect(state !== 'no-gpg' && state.installed?.[0]?.fingerprint).to.equal(FPR_A);
    expect(state !== 'no-gpg' && state.published?.[0]?.fingerprint).to.equal(FPR_B);
    expect(parseKeyProbe('now 1\nno-gpg\n', repo)).to.equal('no-gpg');
    const unreachable = parseKeyProbe(`now ${NOW}\n--- installed\n${colonKey(FPR_A, '')}`, repo);
    expect(unreachable !== 'no-gpg' && unreachable.published).to.equal(undefined);
  });
});
