/**
 * The cluster's address plan: the pod network, the service network and the networks the hosts
 * live on must not overlap. A pod CIDR over the hosts' own network makes every host address look
 * like a pod to the CNI's routes; a service CIDR over it makes kube-proxy capture host traffic.
 * Neither fails at install time: it breaks later, so it is refused here.
 */
import { VarsError } from '../../engine/errors.js';
import type { InventoryView } from '../../engine/types.js';
import { cidrContains, cidrsOverlap, isIPv4, parseCidr, type Cidr, type TypedVars } from '../../engine/vars.js';

/** The prefix assumed around each host address when host_networks is not set. */
export const ASSUMED_HOST_PREFIX = 24;
/** kube-controller-manager's --node-cidr-mask-size for IPv4 (kubeadm's default). */
export const NODE_CIDR_MASK = 24;

export interface HostNetwork {
  readonly cidr: Cidr;
  /** Which host it was derived from (undefined: listed in host_networks). */
  readonly host?: { readonly name: string; readonly address: string };
}

export interface ClusterNetworks {
  readonly pod: Cidr;
  readonly service: Cidr;
  readonly hosts: readonly HostNetwork[];
}

/** host_networks as given, else each inventory host's IPv4 address widened to a /24. */
export function readHostNetworks(vars: TypedVars, inventory: InventoryView): HostNetwork[] {
  const key = 'host_networks';
  if (vars.has(key)) {
    return vars.stringList(key).map((text, i) => {
      const cidr = parseCidr(text.trim());
      if (!cidr) throw new VarsError(`must be an IPv4 CIDR like 192.168.1.0/24, got '${text}'`, vars.where(key), `${key}[${i}]`);
      return { cidr };
    });
  }
  const seen = new Set<string>();
  const out: HostNetwork[] = [];
  for (const host of inventory.hosts) {
    if (!isIPv4(host.address) || host.address.startsWith('127.')) continue;
    const cidr = parseCidr(`${host.address}/${ASSUMED_HOST_PREFIX}`)!;
    const text = `${networkText(cidr)}/${cidr.prefix}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ cidr: { ...cidr, text }, host: { name: host.name, address: host.address } });
  }
  return out;
}

function networkText(cidr: Cidr): string {
  const n = cidr.network;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function describeNetwork(net: HostNetwork): string {
  return net.host
    ? `the network of ${net.host.name} (${net.host.address}, assumed /${ASSUMED_HOST_PREFIX}; set host_networks if it differs)`
    : `host network ${net.cidr.text} (host_networks)`;
}

/** Reads and cross-checks pod_network_cidr, service_cidr and the host networks. */
export function readClusterNetworks(vars: TypedVars, inventory: InventoryView, vip: string | undefined): ClusterNetworks {
  const pod = vars.cidr('pod_network_cidr');
  const service = vars.cidr('service_cidr');
  if (pod.prefix > NODE_CIDR_MASK) {
    vars.fail('pod_network_cidr', `is a /${pod.prefix}: it must hold at least one node's /${NODE_CIDR_MASK} pod range (e.g. 10.244.0.0/16)`);
  }
  if (service.prefix < 12) {
    vars.fail('service_cidr', `is a /${service.prefix}: kube-apiserver takes at most a /12 for services`);
  }
  if (cidrsOverlap(pod, service)) {
    vars.fail('pod_network_cidr', `${pod.text} overlaps service_cidr ${service.text}: pods and services need separate ranges`);
  }
  const hosts = readHostNetworks(vars, inventory);
  for (const [key, range] of [['pod_network_cidr', pod], ['service_cidr', service]] as const) {
    const clash = hosts.find((net) => cidrsOverlap(net.cidr, range));
    if (clash) {
      vars.fail(key, `${range.text} overlaps ${describeNetwork(clash)}: choose a range the hosts do not use (e.g. 10.244.0.0/16 for pods, 10.96.0.0/12 for services)`);
    }
    if (vip !== undefined && cidrContains(range, vip)) {
      vars.fail(key, `${range.text} contains the apiserver VIP ${vip}`);
    }
  }
  return { pod, service, hosts };
}

/** How many nodes can get a /24 pod range from the pod CIDR. */
export function nodeRangeCapacity(pod: Cidr): number {
  return 2 ** (NODE_CIDR_MASK - pod.prefix);
}
