/** calico's variables and their defaults (README.md beside this file explains each). */
import type { Vars } from '../../engine/types.js';
import { CLUSTER_DEFAULTS } from '../kube-shared/cluster-defaults.js';

export const defaults: Vars = {
  ...CLUSTER_DEFAULTS,
  /** The calico.yaml manifest (Kubernetes API datastore), fetched by the first master with curl. */
  calico_manifest_url: 'https://raw.githubusercontent.com/projectcalico/calico/v3.28.0/manifests/calico.yaml',
  /** sha256 of the manifest at calico_manifest_url; set: a manifest with another digest is never written or applied. */
  calico_manifest_sha256: null,
  /** Seconds to wait for every node to be Ready once calico is applied. */
  calico_ready_timeout: 300,
};
