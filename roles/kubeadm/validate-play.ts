/** Checks across the play's hosts: warnings about the cluster's shape, never errors. */
import type { InventoryView } from '../../engine/types.js';
import { nodeRangeCapacity, NODE_CIDR_MASK } from '../kube-shared/networks.js';
import type { ClusterVars } from '../kube-shared/cluster.js';

export function validateClusterPlay(hosts: ReadonlyMap<string, ClusterVars>, _inventory: InventoryView, warn: (message: string) => void): void {
  const any = [...hosts.values()][0];
  if (!any) return;
  const masters = any.topology.masters.length;
  // etcd needs a majority: 4 members tolerate one failure, like 3, but need 3 up instead of 2.
  if (masters > 1 && masters % 2 === 0) {
    warn(
      `group '${any.topology.mastersGroup}' has ${masters} masters: etcd's quorum is ${masters / 2 + 1}, ` +
        `so ${masters} tolerate no more failures than ${masters - 1}; use an odd number`,
    );
  }
  const nodes = new Set([...hosts.values()].map((v) => v.host)).size;
  const capacity = nodeRangeCapacity(any.networks.pod);
  if (capacity < nodes) {
    warn(
      `pod_network_cidr ${any.networks.pod.text} holds ${capacity} node range(s) of /${NODE_CIDR_MASK} but the play has ${nodes} nodes: ` +
        'kube-controller-manager leaves the rest without a pod range (use a /16)',
    );
  }
}
