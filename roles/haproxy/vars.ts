/** haproxy's typed vars, validated per host before any host is contacted. */
import type { SourceLocation } from '../../engine/errors.js';
import type { HostView, InventoryView } from '../../engine/types.js';
import { isIPv4, type TypedVars } from '../../engine/vars.js';
import { isDnsName, readLbTopology } from '../lb-shared/topology.js';
import { allVips, readExtraVips } from '../lb-shared/vips.js';
import { readDuration } from './duration.js';

export type HealthCheck = 'tcp' | 'https';

export interface Backend {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export interface HaproxyVars {
  readonly host: string;
  /** Frontend bind lines: 'address:port' or '*:port'. */
  readonly binds: readonly string[];
  readonly backends: readonly Backend[];
  readonly healthCheck: HealthCheck;
  readonly inter: string;
  readonly rise: number;
  readonly fall: number;
  readonly timeoutClient: string;
  readonly timeoutServer: string;
  readonly statsSocket?: string;
  /** Where the frontend came from, for validatePlay's disagreement error. */
  readonly bindWhere: { readonly key: string; readonly at: SourceLocation };
}

const SERVER_NAME = /^[A-Za-z0-9_.:-]+$/;

export function resolveHaproxy(vars: TypedVars, host: HostView, inventory: InventoryView): HaproxyVars {
  const topology = readLbTopology(vars, inventory);
  if (!host.groups.includes(topology.lbGroup)) {
    vars.fail('lb_group', `host ${host.name} runs haproxy but is not in group '${topology.lbGroup}' (whose hosts get ip_nonlocal_bind)`);
  }
  const { lbPort, apiserverPort } = topology;
  // Stacked: kube-apiserver already listens on apiserver_port on this host.
  if (host.groups.includes(topology.mastersGroup) && lbPort === apiserverPort) {
    vars.fail(
      'apiserver_lb_port',
      `is ${lbPort}, the kube-apiserver port (apiserver_port) on ${host.name}, which is also a master: ` +
        'a stacked haproxy needs another port (8443 is the default when stacked; seed 000 uses 16443)',
    );
  }
  if (topology.masters.length === 0) {
    vars.fail('masters_group', `group '${topology.mastersGroup}' has no hosts: haproxy needs the masters as backends`);
  }
  const backends = topology.masters.map((m): Backend => {
    if (!SERVER_NAME.test(m.name)) vars.fail('masters_group', `host name '${m.name}' cannot be a haproxy server name`);
    if (!isIPv4(m.address) && !isDnsName(m.address)) vars.fail('masters_group', `${m.name}'s ansible_host is neither an IPv4 address nor a DNS name`);
    return { name: m.name, address: m.address, port: apiserverPort };
  });

  return {
    host: host.name,
    binds: bindAddresses(vars, topology.keepalived, topology.vip, topology.vipPrefix).map((a) => `${a}:${lbPort}`),
    backends,
    healthCheck: vars.oneOf<HealthCheck>('haproxy_health_check', ['tcp', 'https']),
    inter: readDuration(vars, 'haproxy_inter'),
    rise: vars.int('haproxy_rise', { min: 1, max: 100 }),
    fall: vars.int('haproxy_fall', { min: 1, max: 100 }),
    timeoutClient: readDuration(vars, 'haproxy_timeout_client'),
    timeoutServer: readDuration(vars, 'haproxy_timeout_server'),
    ...statsSocket(vars),
    bindWhere: vars.has('haproxy_bind_address')
      ? { key: 'haproxy_bind_address', at: vars.where('haproxy_bind_address') }
      : { key: 'apiserver_lb_port', at: vars.where('apiserver_lb_port') },
  };
}

/**
 * haproxy_bind_address when set ('*' or an IPv4 address); otherwise every VIP when keepalived
 * floats them (a BACKUP host binds them too, thanks to ip_nonlocal_bind), else all addresses.
 */
function bindAddresses(vars: TypedVars, keepalived: boolean, vip: string | undefined, vipPrefix: number): string[] {
  const key = 'haproxy_bind_address';
  if (vars.has(key)) {
    const value = vars.string(key);
    if (value !== '*' && !isIPv4(value)) vars.fail(key, "must be '*' or an IPv4 address");
    return [value];
  }
  if (keepalived && vip !== undefined) return allVips(vip, vipPrefix, readExtraVips(vars, vipPrefix)).map((v) => v.address);
  return ['*'];
}

function statsSocket(vars: TypedVars): { statsSocket?: string } {
  const key = 'haproxy_stats_socket';
  if (!vars.has(key) || vars.raw(key) === false) return {};
  const path = vars.string(key);
  if (!/^\/[A-Za-z0-9_.\/-]+$/.test(path)) vars.fail(key, 'must be an absolute path without spaces');
  return { statsSocket: path };
}
