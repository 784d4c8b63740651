/**
 * Where the Kubernetes core and cri-o apt repositories are (pkgs.k8s.io-style flat repositories,
 * one per minor release, signed by a key served next to them as Release.key), read from the
 * <prefix>_package_* variables; engine/ops/apt-repository.ts makes one available to apt. A repository the user
 * declares unsigned (the lab's mirror) gets [trusted=yes] instead of a keyring: apt would refuse
 * it otherwise, and trusting it must be a decision someone wrote down.
 */
import type { KubeVersion } from './version.js';
import type { TypedVars } from '../../engine/vars.js';
import type { AptRepo } from '../../engine/ops/index.js';

export interface RepoKind {
  /** Var names: <prefix>_package_repo, <prefix>_package_repo_unsigned, <prefix>_package_key_url, <prefix>_package_key_fingerprint. */
  readonly prefix: 'kube' | 'crio';
  readonly defaultUrl: (version: KubeVersion) => string;
  readonly keyring: string;
  readonly listFile: string;
}

export const KUBE_REPO: RepoKind = {
  prefix: 'kube',
  defaultUrl: (v) => `https://pkgs.k8s.io/core:/stable:/v${v.minorText}/deb/`,
  keyring: '/etc/apt/keyrings/kubernetes-apt-keyring.gpg',
  listFile: '/etc/apt/sources.list.d/kubernetes.list',
};

/**
 * CRI-O's own repositories (cri-o/packaging README, "We switched from pkgs.k8s.io/addons:/cri-o
 * to a new subproject download.opensuse.org/repositories/isv:/cri-o", commit b133393 of
 * 2025-02-12): isv:cri-o:stable:vX.Y holds every minor play supports (1.28 on).
 */
export const CRIO_REPO: RepoKind = {
  prefix: 'crio',
  defaultUrl: (v) => `https://download.opensuse.org/repositories/isv:/cri-o:/stable:/v${v.minorText}/deb/`,
  keyring: '/etc/apt/keyrings/cri-o-apt-keyring.gpg',
  listFile: '/etc/apt/sources.list.d/cri-o.list',
};

/**
 * The layout CRI-O published in before the switch, still selectable (crio_package_repo_layout:
 * pkgs.k8s.io): deprecated for 1.28-1.32, and never published for 1.33 on (the 1.33 stream was
 * made after the switch, cri-o/packaging 132a320).
 */
export const CRIO_LEGACY_URL = (v: KubeVersion): string => `https://pkgs.k8s.io/addons:/cri-o:/stable:/v${v.minorText}/deb/`;
export const CRIO_LEGACY_LAST_MINOR = 32;
export const CRIO_LAYOUTS = ['isv-cri-o', 'pkgs.k8s.io'] as const;

/** Written in <prefix>_package_repo, replaced by the version's minor: .../v{minor}/deb/. */
export const MINOR_MARKER = '{minor}';

const URL_SHAPE = /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[A-Za-z0-9._~:@%+,;=\/-]*)?$/;

/** OpenPGP v4 (40 hex) or v5/v6 (64 hex) fingerprints, spaces allowed as gpg prints them. */
const FINGERPRINT = /^(?:[0-9A-F]{40}|[0-9A-F]{64})$/;

function readFingerprints(vars: TypedVars, key: string): string[] {
  if (!vars.has(key)) return [];
  const raw = vars.raw(key);
  const given = Array.isArray(raw) ? vars.stringList(key) : [vars.string(key)];
  return given.map((text, i) => {
    const fp = text.replace(/\s+/g, '').toUpperCase();
    if (!FINGERPRINT.test(fp)) vars.fail(key, `${Array.isArray(raw) ? `item ${i}: ` : ''}must be a key fingerprint of 40 (or 64) hex digits, as \`gpg --show-keys\` prints it`);
    return fp;
  });
}

/** Reads <prefix>_package_repo (null: the default location of the version's minor). */
export function readAptRepo(vars: TypedVars, kind: RepoKind, version: KubeVersion, defaultUrl = kind.defaultUrl(version)): AptRepo {
  const key = `${kind.prefix}_package_repo`;
  // pkgs.k8s.io has one repository per minor: '{minor}' follows kubernetes_version (an upgrade
  // to the next minor then needs no second edit), as the default location does.
  let url = vars.has(key) ? vars.string(key).trim().replaceAll(MINOR_MARKER, version.minorText) : defaultUrl;
  if (!URL_SHAPE.test(url)) vars.fail(key, 'must be an http(s) URL of a flat apt repository');
  const unsigned = vars.bool(`${kind.prefix}_package_repo_unsigned`);
  // Over http a signed repository's key (and so every package) could be swapped on the way.
  if (!unsigned && url.startsWith('http:')) {
    vars.fail(key, `is plain http: a signed repository must be https (or declare it unsigned with ${kind.prefix}_package_repo_unsigned: true, as a local mirror would)`);
  }
  if (!url.endsWith('/')) url += '/';
  // pkgs.k8s.io has one repository per minor: packages of another minor are simply not there,
  // and apt would only say "version not found" much later, on every host.
  const minor = /\/v(\d+\.\d+)\//.exec(url)?.[1];
  if (minor !== undefined && minor !== version.minorText) {
    vars.fail(key, `serves v${minor} but kubernetes_version is ${version.text}: use the v${version.minorText} repository, or write v${MINOR_MARKER} in the URL to follow kubernetes_version`);
  }
  const keyKey = `${kind.prefix}_package_key_url`;
  const keyUrl = vars.has(keyKey) ? vars.string(keyKey).trim() : `${url}Release.key`;
  if (!URL_SHAPE.test(keyUrl)) vars.fail(keyKey, 'must be an http(s) URL');
  if (!unsigned && keyUrl.startsWith('http:')) vars.fail(keyKey, 'is plain http: the signing key must come over https');
  return {
    url,
    unsigned,
    keyUrl,
    keyring: kind.keyring,
    listFile: kind.listFile,
    keyFingerprints: readFingerprints(vars, `${kind.prefix}_package_key_fingerprint`),
  };
}
