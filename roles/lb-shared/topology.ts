/**
 * The load-balancing layout every LB-related role agrees on, read once from vars + inventory:
 * which hosts balance, which are backends, whether keepalived floats a VIP, and the address the
 * cluster endpoint (name) points at. common, keepalived and haproxy all call readLbTopology, so
 * they cannot disagree on a default such as the frontend port.
 */
import type { HostView, InventoryView } from '../../engine/types.js';
import { toBoolean } from '../../engine/values.js';
import { describe, isIPv4, type TypedVars } from '../../engine/vars.js';

export interface LbTopology {
  readonly lbGroup: string;
  readonly mastersGroup: string;
  /** Hosts of the lb group, in inventory order. */
  readonly lbHosts: readonly HostView[];
  /** Hosts of the masters group, in inventory order: haproxy's backends. */
  readonly masters: readonly HostView[];
  /** Some LB host is also a master: haproxy shares the host (and port space) with kube-apiserver. */
  readonly stacked: boolean;
  /** keepalived runs on the LB hosts and floats the VIP. */
  readonly keepalived: boolean;
  readonly vip?: string;
  readonly vipPrefix: number;
  /** haproxy's frontend port: what clients (kubeadm's controlPlaneEndpoint) use. */
  readonly lbPort: number;
  /** kube-apiserver's port on every master. */
  readonly apiserverPort: number;
  readonly endpointName?: string;
  /** Where the endpoint is: the VIP, or the only LB host when no VIP floats. */
  readonly endpointAddress?: string;
}

/** Frontend ports when apiserver_lb_port is unset: a stacked haproxy must not take 6443. */
export const DEDICATED_LB_PORT = 6443;
export const STACKED_LB_PORT = 8443;

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function isDnsName(text: string): boolean {
  return DNS_NAME.test(text);
}

export function groupName(vars: TypedVars, key: string): string {
  const name = vars.string(key);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)) vars.fail(key, 'must be an inventory group name');
  return name;
}

/** keepalived_enabled: true, false, or auto (on when the lb group has two or more hosts). */
export function keepalivedEnabled(vars: TypedVars, lbHostCount: number): boolean {
  const key = 'keepalived_enabled';
  if (!vars.has(key)) return lbHostCount >= 2;
  const raw = vars.raw(key);
  if (typeof raw === 'string' && raw.toLowerCase() === 'auto') return lbHostCount >= 2;
  if (typeof raw === 'boolean') return raw;
  if (toBoolean(raw) !== undefined) return vars.bool(key);
  return vars.fail(key, `must be true, false or auto, got ${describe(raw)}`);
}

export function readLbTopology(vars: TypedVars, inventory: InventoryView): LbTopology {
  const lbGroup = groupName(vars, 'lb_group');
  const mastersGroup = groupName(vars, 'masters_group');
  const lbHosts = inventory.groupHosts(lbGroup);
  const masters = inventory.groupHosts(mastersGroup);
  const stacked = lbHosts.some((h) => h.groups.includes(mastersGroup));
  const keepalived = keepalivedEnabled(vars, lbHosts.length);
  const vip = vars.has('apiserver_vip') ? vars.ipv4('apiserver_vip') : undefined;
  const vipPrefix = vars.int('apiserver_vip_prefix', { min: 1, max: 32 });
  const apiserverPort = vars.port('apiserver_port');
  const lbPort = vars.has('apiserver_lb_port')
    ? vars.port('apiserver_lb_port')
    : stacked
      ? STACKED_LB_PORT
      : DEDICATED_LB_PORT;

  if (keepalived && vip === undefined) {
    vars.fail(
      'apiserver_vip',
      `is required when keepalived runs (group '${lbGroup}' has ${lbHosts.length} hosts): ` +
        'set the floating address, or keepalived_enabled: false',
    );
  }

  // Without a VIP the endpoint can only be the LB host itself, and only when there is one.
  const soleLb = lbHosts.length === 1 ? lbHosts[0] : undefined;
  const endpointAddress = vip ?? soleLb?.address;

  let endpointName: string | undefined;
  if (vars.has('control_plane_endpoint_name')) {
    endpointName = vars.string('control_plane_endpoint_name');
    if (!isDnsName(endpointName)) vars.fail('control_plane_endpoint_name', 'must be a DNS name');
    if (endpointAddress === undefined) {
      vars.fail(
        'control_plane_endpoint_name',
        `has no address to point at: set apiserver_vip, or put exactly one host in group '${lbGroup}' ` +
          `(it has ${lbHosts.length})`,
      );
    }
    if (!isIPv4(endpointAddress)) {
      vars.fail(
        'control_plane_endpoint_name',
        `would point at '${endpointAddress}', the ansible_host of ${soleLb?.name ?? 'the LB host'}, ` +
          'which is not an IPv4 address: /etc/hosts needs one (set apiserver_vip)',
      );
    }
  }

  return {
    lbGroup,
    mastersGroup,
    lbHosts,
    masters,
    stacked,
    keepalived,
    ...(vip !== undefined ? { vip } : {}),
    vipPrefix,
    lbPort,
    apiserverPort,
    ...(endpointName !== undefined ? { endpointName } : {}),
    ...(endpointAddress !== undefined ? { endpointAddress } : {}),
  };
}

/** The host:port kubeadm's controlPlaneEndpoint should use (name when set, else the address). */
export function controlPlaneEndpoint(topology: LbTopology): string | undefined {
  const host = topology.endpointName ?? topology.endpointAddress;
  return host === undefined ? undefined : `${host}:${topology.lbPort}`;
}
