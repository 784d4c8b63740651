/**
 * keepalived's typed vars: everything validated here, per host, before any host is contacted.
 * Checks that need every LB host at once live in validate-play.ts.
 */
import type { SourceLocation } from '../../engine/errors.js';
import type { HostView, InventoryView } from '../../engine/types.js';
import { describe, isIPv4, type TypedVars } from '../../engine/vars.js';
import { requireDnsHostNames } from '../lb-shared/host-names.js';
import { readLbTopology } from '../lb-shared/topology.js';
import { allVips, isInterfaceName, readExtraVips, type VipSpec } from '../lb-shared/vips.js';
import {
  defaultPriority,
  initialState,
  MAX_PRIORITY,
  MIN_PRIORITY,
  parseState,
  peerPriorities,
  type VrrpState,
} from './priorities.js';

export type KeepalivedCheck = 'haproxy' | 'apiserver';

/**
 * 0 = FAULT on a failed check. haproxy: a host without haproxy should resign at once (~2 s
 * failover, against ~4.5 s for a priority drop the peers wait out); if haproxy is down
 * everywhere no VIP helps anyway. apiserver: weighted, because before `kubeadm init` no
 * apiserver exists anywhere, and FAULT everywhere would leave no VIP for init to reach.
 */
export const DEFAULT_WEIGHT: Readonly<Record<KeepalivedCheck, number>> = { haproxy: 0, apiserver: -100 };

/** keepalived reads only the first 8 characters of a PASS password (it truncates the rest). */
export const AUTH_PASS_MAX = 8;
/** Shorter ones are guessed at once, and output could not mask them (engine/secrets.ts masks from 4). */
export const AUTH_PASS_MIN = 6;

export interface Notification {
  readonly emails: readonly string[];
  readonly from: string;
  readonly smtpServer: string;
}

export interface KeepalivedOff {
  readonly enabled: false;
  /** Why the role skips on this host (shown by the README and tests). */
  readonly reason: string;
}

export interface KeepalivedOn {
  readonly enabled: true;
  readonly host: string;
  /** The host's ansible_host: unicast source, and a peer address for the others. */
  readonly address: string;
  readonly routerId: number;
  readonly authPass: string;
  readonly advertInt: number;
  /** keepalived_interface when set; otherwise detected on the host at check time. */
  readonly interface?: string;
  readonly priority: number;
  readonly state: VrrpState;
  readonly preemptDelay?: number;
  readonly unicast: boolean;
  /** The other LB hosts' addresses, in inventory order. */
  readonly unicastPeers: readonly string[];
  readonly vip: string;
  readonly vipPrefix: number;
  /** Every VIP (apiserver_vip first); a VIP without device goes on the VRRP interface. */
  readonly vips: readonly VipSpec[];
  readonly trackInterfaces: readonly string[];
  readonly check: KeepalivedCheck;
  /** 0: a failed check means FAULT; otherwise the priority change (keepalived's weight). */
  readonly checkWeight: number;
  readonly apiserverPort: number;
  readonly lbPort: number;
  readonly notification?: Notification;
  /** Where the values validatePlay may complain about came from. */
  readonly where: Readonly<Record<WhereKey, SourceLocation>>;
}

export type KeepalivedVars = KeepalivedOff | KeepalivedOn;

const WHERE_KEYS = [
  'apiserver_vip',
  'apiserver_vip_prefix',
  'keepalived_priority',
  'keepalived_state',
  'keepalived_check_weight',
  'keepalived_router_id',
  'keepalived_auth_pass',
  'keepalived_unicast',
  'ansible_host',
] as const;
export type WhereKey = (typeof WHERE_KEYS)[number];

const EMAIL = /^[^\s@{}"'#!]+@[^\s@{}"'#!]+$/;

export function resolveKeepalived(vars: TypedVars, host: HostView, inventory: InventoryView): KeepalivedVars {
  const topology = readLbTopology(vars, inventory);
  if (!topology.keepalived) {
    return {
      enabled: false,
      reason: vars.has('keepalived_enabled') && vars.raw('keepalived_enabled') !== 'auto'
        ? 'keepalived_enabled is false'
        : `group '${topology.lbGroup}' has ${topology.lbHosts.length} host(s): one LB needs no VIP`,
    };
  }
  const lbIndex = topology.lbHosts.findIndex((h) => h.name === host.name);
  if (lbIndex < 0) {
    vars.fail('lb_group', `host ${host.name} runs keepalived but is not in group '${topology.lbGroup}'`);
  }
  const vip = topology.vip!; // readLbTopology refuses keepalived without a VIP
  requireDnsHostNames([host], 'keepalived.conf (router_id)');

  const routerId = vars.int('keepalived_router_id', { min: 1, max: 255 });
  const authPass = readAuthPass(vars);
  const advertInt = vars.int('keepalived_advert_int', { min: 1, max: 255 });

  const iface = vars.optionalString('keepalived_interface');
  if (iface !== undefined && !isInterfaceName(iface)) vars.fail('keepalived_interface', 'must be an interface name');

  const priority = vars.optionalInt('keepalived_priority', { min: MIN_PRIORITY, max: MAX_PRIORITY }) ?? defaultPriority(lbIndex);
  if (priority < MIN_PRIORITY) {
    vars.fail('keepalived_priority', `is needed: host ${host.name} is number ${lbIndex + 1} in group '${topology.lbGroup}', past the default range (150 down by 10)`);
  }
  const preemptDelay = vars.optionalInt('keepalived_preempt_delay', { min: 0, max: 1000 });
  const state = readState(vars, host.name, priority, topology.lbHosts, preemptDelay !== undefined);

  const unicast = vars.bool('keepalived_unicast');
  const peers = topology.lbHosts.filter((h) => h.name !== host.name);
  if (unicast) {
    const bad = [host, ...peers].find((h) => !isIPv4(h.address));
    if (bad) vars.fail('keepalived_unicast', `needs an IPv4 ansible_host on every LB host; ${bad.name}'s is not one`);
  }

  const check = vars.oneOf<KeepalivedCheck>('keepalived_check', ['haproxy', 'apiserver']);
  if (check === 'apiserver' && !host.groups.includes(topology.mastersGroup)) {
    vars.fail(
      'keepalived_check',
      `is 'apiserver', which checks the local kube-apiserver, but ${host.name} is not in group ` +
        `'${topology.mastersGroup}': use 'haproxy' on dedicated LB hosts`,
    );
  }
  const checkWeight = vars.optionalInt('keepalived_check_weight', { min: -253, max: 253 }) ?? DEFAULT_WEIGHT[check];

  const trackInterfaces = vars.stringList('keepalived_track_interfaces');
  trackInterfaces.forEach((name, i) => {
    if (!isInterfaceName(name)) vars.failItem('keepalived_track_interfaces', i, 'is not an interface name');
  });

  const notification = readNotification(vars, host.name);
  const where = Object.fromEntries(WHERE_KEYS.map((k) => [k, vars.where(k)])) as Record<WhereKey, SourceLocation>;

  return {
    enabled: true,
    host: host.name,
    address: host.address,
    routerId,
    authPass,
    advertInt,
    ...(iface !== undefined ? { interface: iface } : {}),
    priority,
    state,
    ...(preemptDelay !== undefined ? { preemptDelay } : {}),
    unicast,
    unicastPeers: peers.map((p) => p.address),
    vip,
    vipPrefix: topology.vipPrefix,
    vips: allVips(vip, topology.vipPrefix, readExtraVips(vars, topology.vipPrefix)),
    trackInterfaces,
    check,
    checkWeight,
    apiserverPort: topology.apiserverPort,
    lbPort: topology.lbPort,
    ...(notification ? { notification } : {}),
    where,
  };
}

function readAuthPass(vars: TypedVars): string {
  const key = 'keepalived_auth_pass';
  if (!vars.has(key)) vars.fail(key, 'is required: one shared secret of up to 8 characters for every LB host');
  const pass = vars.string(key);
  // The value never goes into a message: only its length and what is wrong with it.
  if (pass.length < AUTH_PASS_MIN) vars.fail(key, `is ${pass.length} character(s) long: use ${AUTH_PASS_MIN} to ${AUTH_PASS_MAX}`);
  if (pass.length > AUTH_PASS_MAX) {
    vars.fail(key, `is ${pass.length} characters long; keepalived uses only the first ${AUTH_PASS_MAX}, so use at most ${AUTH_PASS_MAX}`);
  }
  if (/[\s#!"'{}\\]/.test(pass)) vars.fail(key, 'must not contain spaces, quotes, braces, backslashes, # or ! (keepalived.conf syntax)');
  return pass;
}

function readState(vars: TypedVars, self: string, priority: number, lbHosts: readonly HostView[], preemptDelay: boolean): VrrpState {
  const key = 'keepalived_state';
  if (vars.has(key)) {
    const raw = vars.raw(key);
    const state = parseState(raw);
    if (!state) vars.fail(key, `must be MASTER or BACKUP, got ${describe(raw)}`);
    if (state === 'MASTER' && preemptDelay) {
      vars.fail(key, 'is MASTER, but keepalived honours keepalived_preempt_delay only on instances that start as BACKUP');
    }
    return state;
  }
  const peers = peerPriorities(lbHosts).map((p) => (p.name === self ? { ...p, priority } : p));
  return initialState(self, priority, peers, preemptDelay);
}

function readNotification(vars: TypedVars, host: string): Notification | undefined {
  const key = 'keepalived_notification_email';
  if (!vars.has(key)) return undefined;
  const raw = vars.raw(key);
  const emails = Array.isArray(raw) ? vars.stringList(key) : [vars.string(key)];
  if (emails.length === 0) return undefined;
  emails.forEach((email, i) => {
    if (!EMAIL.test(email)) (Array.isArray(raw) ? vars.failItem(key, i, 'is not an email address') : vars.fail(key, 'is not an email address'));
  });
  const from = vars.optionalString('keepalived_notification_email_from') ?? `keepalived@${host}`;
  if (!EMAIL.test(from)) vars.fail('keepalived_notification_email_from', 'is not an email address');
  const smtpServer = vars.string('keepalived_smtp_server');
  if (!/^[A-Za-z0-9.:_-]+$/.test(smtpServer)) vars.fail('keepalived_smtp_server', 'must be a host name or address');
  return { emails: [...emails].sort(), from, smtpServer };
}
