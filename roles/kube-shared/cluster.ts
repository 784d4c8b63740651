/**
 * What the three cluster roles agree on about one host, read once per role from vars and the
 * inventory: its place in the cluster (first master, master, worker), its node name, the
 * runtime and its CRI socket, the Kubernetes version and the address plan.
 */
import { VarsError } from '../../engine/errors.js';
import type { HostView, InventoryView } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { criSocket, RUNTIMES, type Runtime } from './runtime.js';
import { groupName, readLbTopology, type LbTopology } from '../lb-shared/topology.js';
import { readClusterNetworks, type ClusterNetworks } from './networks.js';
import { readKubeVersion, type KubeVersion } from './version.js';

export type NodeRole = 'first-master' | 'master' | 'worker';

export interface ClusterVars {
  /** Inventory name. */
  readonly host: string;
  readonly nodeName: string;
  readonly role: NodeRole;
  /** Inventory name of the first host of the masters group: init, kubectl, calico run there. */
  readonly firstMaster: string;
  readonly runtime: Runtime;
  readonly criSocket: string;
  readonly version: KubeVersion;
  readonly networks: ClusterNetworks;
  readonly topology: LbTopology;
}

/** RFC 1123 subdomain, what Kubernetes accepts as a node name. */
const NODE_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

export function readNodeName(vars: TypedVars, host: HostView): string {
  const key = 'kube_node_name';
  const given = vars.has(key);
  const name = (given ? vars.string(key) : host.name).toLowerCase();
  if (!NODE_NAME.test(name)) {
    // Derived from the inventory name: point at the host's own line.
    throw new VarsError(
      `'${name}' is not a valid Kubernetes node name (lowercase letters, digits, '-' and '.'); set kube_node_name for ${host.name}`,
      vars.where(given ? key : 'ansible_host'),
      key,
    );
  }
  return name;
}

export function readCluster(vars: TypedVars, host: HostView, inventory: InventoryView): ClusterVars {
  const topology = readLbTopology(vars, inventory);
  const workersGroup = groupName(vars, 'workers_group');
  const first = topology.masters[0];
  if (!first) vars.fail('masters_group', `group '${topology.mastersGroup}' has no hosts: a cluster needs at least one master`);
  let role: NodeRole;
  if (host.name === first.name) role = 'first-master';
  else if (host.groups.includes(topology.mastersGroup)) role = 'master';
  else if (host.groups.includes(workersGroup)) role = 'worker';
  else {
    vars.fail('masters_group', `host ${host.name} is in neither '${topology.mastersGroup}' nor '${workersGroup}': run the cluster roles on those groups only`);
  }
  const runtime = vars.oneOf<Runtime>('container_runtime', RUNTIMES);
  return {
    host: host.name,
    nodeName: readNodeName(vars, host),
    role,
    firstMaster: first.name,
    runtime,
    criSocket: criSocket(runtime),
    version: readKubeVersion(vars),
    networks: readClusterNetworks(vars, inventory, topology.vip),
    topology,
  };
}
