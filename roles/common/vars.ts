/** common's typed vars: the /etc/hosts entries, kernel settings and firewall rules of one host. */
import { isIP } from 'node:net';
import type { SourceLocation } from '../../engine/errors.js';
import type { HostView, InventoryView } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { requireDnsHostNames } from '../lb-shared/host-names.js';
import { groupName, readLbTopology } from '../lb-shared/topology.js';
import { firewallRules, type UfwRule } from './firewall-rules.js';
import { planHostsEntries, type HostsEntry } from './templates/hosts-block.js';
import { sysctlValues } from './templates/kernel-settings.js';

export interface CommonVars {
  readonly host: string;
  readonly address: string;
  /** Where this host's ansible_host was set, for the duplicate-target error. */
  readonly addressWhere: SourceLocation;
  /** The groups whose hosts each need a machine of their own: lb, masters, workers. */
  readonly machineGroups: readonly string[];
  readonly hostsEntries: readonly HostsEntry[];
  /** Inventory hosts left out of /etc/hosts (no IPv4 address): validatePlay warns once. */
  readonly hostsSkipped: readonly string[];
  /** In the lb group: gets ip_nonlocal_bind. */
  readonly lbHost: boolean;
  readonly sysctl: Readonly<Record<string, number>>;
  /** ufw rules when firewall_enabled; undefined leaves the firewall alone. */
  readonly firewall?: readonly UfwRule[];
}

export function resolveCommon(vars: TypedVars, host: HostView, inventory: InventoryView): CommonVars {
  const topology = readLbTopology(vars, inventory);
  const workersGroup = groupName(vars, 'workers_group');
  const endpoint =
    topology.endpointName !== undefined && topology.endpointAddress !== undefined
      ? { name: topology.endpointName, address: topology.endpointAddress }
      : undefined;
  const hosts = planHostsEntries(inventory.hosts, endpoint);
  const skipped = new Set(hosts.skipped);
  requireDnsHostNames(inventory.hosts.filter((h) => !skipped.has(h.name)), '/etc/hosts');
  if (hosts.conflict) {
    const { name, addresses } = hosts.conflict;
    vars.fail(
      'control_plane_endpoint_name',
      `'${name}' would point at ${addresses[0]} (the endpoint) and at ${addresses[1]} (the inventory host of that name): ` +
        'use another name, or make that host the endpoint',
    );
  }
  const lbHost = host.groups.includes(topology.lbGroup);
  let firewall: UfwRule[] | undefined;
  if (vars.bool('firewall_enabled')) {
    firewall = firewallRules({
      sshPort: vars.has('ansible_port') ? vars.port('ansible_port') : 22,
      master: host.groups.includes(topology.mastersGroup),
      worker: host.groups.includes(workersGroup),
      lb: lbHost,
      apiserverPort: topology.apiserverPort,
      lbPort: topology.lbPort,
      vrrpPeers: topology.keepalived && lbHost ? topology.lbHosts.filter((h) => h.name !== host.name).map((h) => h.address) : [],
      masterPeers: masterPeers(vars, topology.masters, host),
    });
  }
  return {
    host: host.name,
    address: host.address,
    addressWhere: vars.where('ansible_host'),
    machineGroups: [topology.lbGroup, topology.mastersGroup, workersGroup],
    hostsEntries: hosts.entries,
    hostsSkipped: hosts.skipped,
    lbHost,
    sysctl: sysctlValues(lbHost),
    ...(firewall ? { firewall } : {}),
  };
}

/** The other masters' addresses, for ufw's `from`: each must be an IP address. */
function masterPeers(vars: TypedVars, masters: readonly HostView[], host: HostView): string[] {
  const peers = masters.filter((m) => m.name !== host.name);
  const named = peers.find((m) => isIP(m.address) === 0);
  if (named) {
    vars.fail('firewall_enabled', `needs an IP address as ansible_host of every master (ufw allows etcd and the kubelet from them); ${named.name} has none`);
  }
  return peers.map((m) => m.address);
}
