/**
 * The apt repository op: tasks that make one flat apt repository available to apt: its signing
 * key (signed repositories) or [trusted=yes] (a repository declared unsigned), and its
 * sources.list.d file. kubeadm (Kubernetes core) and crio-or-docker (cri-o, cri-tools) use it. The package installs that
 * follow use updateCache, so a new source is read before anything is installed from it.
 *
 * The key is not written once and trusted forever: every run compares the keyring with what the
 * key URL serves (fingerprint and expiry, signing-key.ts) and writes it again when the publisher
 * rotated or renewed it, or when it expired; a pinned fingerprint is checked before writing.
 */
import { TaskError, lastLines } from '../errors.js';
import { commandFact } from '../facts/index.js';
import { sh } from '../shell.js';
import type { Change, Task, TaskContext } from '../types.js';
import { judgeSigningKey, parseColonKeys, type KeyState } from './apt-signing-key.js';
import { file } from './file.js';
import { OWNED_FILE_HEADER } from './owned-file.js';
import { packages } from './packages.js';

export interface AptRepo {
  /** Ends with '/'. */
  readonly url: string;
  readonly unsigned: boolean;
  /** Where the signing key is fetched from (signed repositories only). */
  readonly keyUrl: string;
  readonly keyring: string;
  readonly listFile: string;
  /** Fingerprints the signing key must have (<prefix>_package_key_fingerprint); empty: any, checked for expiry only. */
  readonly keyFingerprints: readonly string[];
}

/** The sources.list.d file: one flat-repository line. */
export function renderAptSource(repo: AptRepo): string {
  const option = repo.unsigned ? '[trusted=yes]' : `[signed-by=${repo.keyring}]`;
  const why = repo.unsigned ? '# Unsigned repository (declared so in the inventory): apt trusts it as is.\n' : '';
  return `${OWNED_FILE_HEADER}${why}deb ${option} ${repo.url} /\n`;
}

const PRIVATE_GNUPG = `t=$(mktemp -d) && trap 'rm -rf -- "$t"' EXIT && export GNUPGHOME="$t"`;

/** What the host's keyring holds and what the key URL serves, as gpg lists them. */
export function keyProbeScript(repo: AptRepo): string {
  return [
    PRIVATE_GNUPG,
    'echo "now $(date +%s)"',
    "command -v gpg >/dev/null 2>&1 || { echo 'no-gpg'; exit 0; }",
    sh`if [ -e ${repo.keyring} ]; then echo '--- installed'; gpg --batch --show-keys --with-colons ${repo.keyring} 2>/dev/null; fi`,
    sh`if curl -fsSL --max-time 30 -o "$t/key" -- ${repo.keyUrl} 2>/dev/null; then echo '--- published'; gpg --batch --show-keys --with-colons "$t/key" 2>/dev/null; fi`,
  ].join('\n');
}

export function parseKeyProbe(stdout: string, repo: AptRepo): KeyState | 'no-gpg' {
  if (/^no-gpg$/m.test(stdout)) return 'no-gpg';
  const now = Number(/^now (\d+)$/m.exec(stdout)?.[1] ?? Math.floor(Date.now() / 1000));
  const section = (name: string): string | undefined => {
    const m = new RegExp(`^--- ${name}\\n([\\s\\S]*?)(?=^--- |$(?![\\s\\S]))`, 'm').exec(stdout);
    return m ? (m[1] ?? '') : undefined;
  };
  const installed = section('installed');
  const published = section('published');
  return {
    now,
    ...(installed !== undefined ? { installed: parseColonKeys(installed) } : {}),
    ...(published !== undefined ? { published: parseColonKeys(published) } : {}),
    pinned: repo.keyFingerprints,
    keyUrl: repo.keyUrl,
  };
}

/**
 * Fetches the key again (the bytes written are the ones checked here, not at check time),
 * refuses a fingerprint that is not pinned, and replaces the keyring by a rename in its own
 * directory.
 */
export function keyInstallScript(repo: AptRepo): string {
  const dir = repo.keyring.slice(0, repo.keyring.lastIndexOf('/'));
  const pinCheck = repo.keyFingerprints.length
    ? [
        `for fp in $(gpg --batch --show-keys --with-colons "$t/key" | awk -F: '$1=="pub"{p=1;next} $1=="fpr"&&p{print $10;p=0}'); do`,
        sh`  case " ${repo.keyFingerprints.join(' ')} " in *" $fp "*) ;; *) echo "key $fp is not pinned" >&2; exit 1;; esac`,
        'done',
      ]
    : [];
  return [
    'set -e',
    PRIVATE_GNUPG,
    sh`curl -fsSL --max-time 60 -o "$t/key" -- ${repo.keyUrl}`,
    `gpg --batch --show-keys --with-colons "$t/key" | grep -q '^pub:' || { echo 'no OpenPGP key in the download' >&2; exit 1; }`,
    ...pinCheck,
    // apt reads binary keyrings from signed-by; Release.key is ASCII-armored.
    `if grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$t/key"; then gpg --batch --yes --dearmor -o "$t/keyring" "$t/key"; else cp -- "$t/key" "$t/keyring"; fi`,
    sh`install -d -m 0755 -- ${dir}`,
    sh`install -m 0644 -- "$t/keyring" ${`${repo.keyring}.play-new`}`,
    sh`mv -f -- ${`${repo.keyring}.play-new`} ${repo.keyring}`,
  ].join('\n');
}

interface KeyChange extends Change {
  readonly repo: AptRepo;
}

function signingKeyTask<V>(label: string, repoOf: (vars: V) => AptRepo | undefined, when: (ctx: TaskContext<V>) => boolean): Task<V, KeyChange> {
  return {
    name: `Fetch the ${label} signing key`,
    when,
    // After the gnupg install in the same list: read in turn.
    prefetch: false,
    async check(ctx) {
      const repo = repoOf(ctx.vars)!;
      const probe = await ctx.fact(commandFact(keyProbeScript(repo)));
      const state = parseKeyProbe(probe.stdout, repo);
      if (state === 'no-gpg') {
        if (ctx.checkMode) return { summary: `fetch ${repo.keyUrl} into ${repo.keyring} (gnupg is not installed yet)`, repo };
        throw new TaskError(`gpg is missing on ${ctx.host.name} although gnupg was just installed`);
      }
      const verdict = judgeSigningKey(state);
      switch (verdict.action) {
        case 'keep':
          return null;
        case 'keep-stale':
          ctx.warn(verdict.warning);
          return null;
        case 'fail':
          throw new TaskError(`${label} signing key: ${verdict.why}`);
        case 'fetch':
          return { summary: `fetch ${repo.keyUrl} into ${repo.keyring} (${verdict.why})`, repo };
      }
    },
    async apply(ctx, change) {
      const result = await ctx.run(keyInstallScript(change.repo), { allowFail: true, label: `fetch the ${label} signing key` });
      if (result.code !== 0) throw new TaskError(`could not install the ${label} signing key (exit ${result.code}): ${lastLines(result.stderr, 3)}`);
    },
  };
}

export function aptRepoTasks<V>(label: string, repoOf: (vars: V) => AptRepo | undefined): Task<V, Change>[] {
  const signed = (ctx: TaskContext<V>): boolean => {
    const repo = repoOf(ctx.vars);
    return repo !== undefined && !repo.unsigned;
  };
  const repo = (ctx: TaskContext<V>): AptRepo => {
    const r = repoOf(ctx.vars);
    if (!r) throw new TaskError(`${label}: no repository for this host`);
    return r;
  };
  return [
    packages<V>(`Install what fetches the ${label} signing key`, () => ({ names: ['ca-certificates', 'curl', 'gnupg'], updateCache: true }), {
      when: signed,
    }),
    signingKeyTask<V>(label, repoOf, signed),
    file<V>(
      `Add the ${label} apt repository`,
      (ctx) => ({ path: repo(ctx).listFile, content: renderAptSource(repo(ctx)), mode: 0o644, owner: 'root', group: 'root' }),
      { when: (ctx) => repoOf(ctx.vars) !== undefined },
    ),
  ];
}
