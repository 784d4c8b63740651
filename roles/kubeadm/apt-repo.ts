/**
 * The pkgs.k8s.io-style apt repositories (Kubernetes core, cri-o): flat repositories, one per
 * minor release, signed by a key served next to them as Release.key. A repository the user
 * declares unsigned (the lab's mirror) gets [trusted=yes] instead of a keyring: apt would refuse
 * it otherwise, and trusting it must be a decision someone wrote down.
 */
import type { KubeVersion } from './version.js';
import type { TypedVars } from '../../engine/vars.js';
import { OWNED_FILE_HEADER } from '../../engine/ops/index.js';

export interface AptRepo {
  /** Ends with '/'. */
  readonly url: string;
  readonly unsigned: boolean;
  /** Where the signing key is fetched from (signed repositories only). */
  readonly keyUrl: string;
  readonly keyring: string;
  readonly listFile: string;
}

export interface RepoKind {
  /** Var names: <prefix>_package_repo, <prefix>_package_repo_unsigned, <prefix>_package_key_url. */
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

export const CRIO_REPO: RepoKind = {
  prefix: 'crio',
  defaultUrl: (v) => `https://pkgs.k8s.io/addons:/cri-o:/stable:/v${v.minorText}/deb/`,
  keyring: '/etc/apt/keyrings/cri-o-apt-keyring.gpg',
  listFile: '/etc/apt/sources.list.d/cri-o.list',
};

const URL_SHAPE = /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[A-Za-z0-9._~:@%+,;=\/-]*)?$/;

/** Reads <prefix>_package_repo (null: the pkgs.k8s.io path of the version's minor). */
export function readAptRepo(vars: TypedVars, kind: RepoKind, version: KubeVersion): AptRepo {
  const key = `${kind.prefix}_package_repo`;
  let url = vars.has(key) ? vars.string(key).trim() : kind.defaultUrl(version);
  if (!URL_SHAPE.test(url)) vars.fail(key, `must be an http(s) URL of a flat apt repository, got '${url}'`);
  if (!url.endsWith('/')) url += '/';
  // pkgs.k8s.io has one repository per minor: packages of another minor are simply not there,
  // and apt would only say "version not found" much later, on every host.
  const minor = /\/v(\d+\.\d+)\//.exec(url)?.[1];
  if (minor !== undefined && minor !== version.minorText) {
    vars.fail(key, `serves v${minor} but kubernetes_version is ${version.text}: use the v${version.minorText} repository`);
  }
  const keyKey = `${kind.prefix}_package_key_url`;
  const keyUrl = vars.has(keyKey) ? vars.string(keyKey).trim() : `${url}Release.key`;
  if (!URL_SHAPE.test(keyUrl)) vars.fail(keyKey, `must be an http(s) URL, got '${keyUrl}'`);
  return {
    url,
    unsigned: vars.bool(`${kind.prefix}_package_repo_unsigned`),
    keyUrl,
    keyring: kind.keyring,
    listFile: kind.listFile,
  };
}

/** The sources.list.d file: one flat-repository line. */
export function renderAptSource(repo: AptRepo): string {
  const option = repo.unsigned ? '[trusted=yes]' : `[signed-by=${repo.keyring}]`;
  const why = repo.unsigned ? '# Unsigned repository (declared so in the inventory): apt trusts it as is.\n' : '';
  return `${OWNED_FILE_HEADER}${why}deb ${option} ${repo.url} /\n`;
}
