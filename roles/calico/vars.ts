/** calico's typed vars, validated per host before any host is contacted. */
import type { HostView, InventoryView } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { readCluster, type ClusterVars } from '../kube-shared/cluster.js';

export interface CalicoVars extends ClusterVars {
  readonly manifestUrl: string;
  /** calico_manifest_sha256: the digest the fetched manifest must have (lowercase hex); undefined: not checked. */
  readonly manifestSha256?: string;
  readonly readyTimeoutMs: number;
}

const URL_SHAPE = /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?\/\S*$/;

export function resolveCalico(vars: TypedVars, host: HostView, inventory: InventoryView): CalicoVars {
  const cluster = readCluster(vars, host, inventory);
  const url = vars.string('calico_manifest_url').trim();
  if (!URL_SHAPE.test(url)) vars.fail('calico_manifest_url', `must be an http(s) URL of calico.yaml, got '${url}'`);
  const digest = readSha256(vars, 'calico_manifest_sha256');
  return {
    ...cluster,
    manifestUrl: url,
    ...(digest !== undefined ? { manifestSha256: digest } : {}),
    readyTimeoutMs: vars.int('calico_ready_timeout', { min: 10, max: 3600 }) * 1000,
  };
}

function readSha256(vars: TypedVars, key: string): string | undefined {
  if (!vars.has(key)) return undefined;
  const digest = vars.string(key).trim().replace(/^sha256:/, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(digest)) vars.fail(key, 'must be a sha256 digest: 64 hex digits (as sha256sum prints them)');
  return digest;
}
