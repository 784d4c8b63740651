/** remove-node.yml's variables: which node leaves, and the master that stays to do the cluster side. */
import type { HostView, InventoryView } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';

export interface Removal {
  /** Inventory name of the host that leaves. */
  readonly host: string;
  /** Its Kubernetes node name (and etcd member name). */
  readonly nodeName: string;
  readonly master: boolean;
  /** The master that stays and does the cluster side. */
  readonly actor: string;
}

export const REMOVE_KEY = 'kubeadm_remove_node';

/** Reads kubeadm_remove_node (remove-node.yml sets it from -e node=NAME); refusals that need no host. */
export function readRemoval(vars: TypedVars, inventory: InventoryView, masters: readonly HostView[], workersGroup: string): Removal | undefined {
  if (!vars.has(REMOVE_KEY)) return undefined;
  const name = String(vars.raw(REMOVE_KEY)).trim();
  if (name === '') vars.fail(REMOVE_KEY, 'says which node leaves: pass -e node=NAME (the inventory name of a master or a worker)');
  const host = inventory.hosts.find((h) => h.name === name);
  if (!host) vars.fail(REMOVE_KEY, 'names no host of the inventory (-e node=NAME takes an inventory name)');
  const master = masters.some((m) => m.name === name);
  if (!master && !host.groups.includes(workersGroup)) vars.fail(REMOVE_KEY, `names a host that is neither a master nor in '${workersGroup}'`);
  const actor = masters.find((m) => m.name !== name);
  if (!actor) vars.fail(REMOVE_KEY, 'names the last control plane: removing it would remove the cluster (play reset.yml -e reset_confirm=yes does that)');
  const nodeName = String(host.vars['kube_node_name'] ?? host.name).toLowerCase();
  return { host: name, nodeName, master, actor: actor.name };
}

