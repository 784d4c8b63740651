/** calico's typed vars, validated per host before any host is contacted. */
import type { HostView, InventoryView } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { readCluster, type ClusterVars } from '../kubeadm/cluster.js';

export interface CalicoVars extends ClusterVars {
  readonly manifestUrl: string;
  readonly readyTimeoutMs: number;
}

const URL_SHAPE = /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?\/\S*$/;

export function resolveCalico(vars: TypedVars, host: HostView, inventory: InventoryView): CalicoVars {
  const cluster = readCluster(vars, host, inventory);
  const url = vars.string('calico_manifest_url').trim();
  if (!URL_SHAPE.test(url)) vars.fail('calico_manifest_url', `must be an http(s) URL of calico.yaml, got '${url}'`);
  return { ...cluster, manifestUrl: url, readyTimeoutMs: vars.int('calico_ready_timeout', { min: 10, max: 3600 }) * 1000 };
}
