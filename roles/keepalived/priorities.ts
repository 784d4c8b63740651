/**
 * VRRP priorities and initial states, computed the same way on every LB host from the inventory:
 * the first host of the lb group gets 150, the next 140, and so on, unless keepalived_priority
 * is set; the highest priority starts as MASTER and the rest as BACKUP.
 */
import type { HostView } from '../../engine/types.js';

export type VrrpState = 'MASTER' | 'BACKUP';

export const TOP_PRIORITY = 150;
export const PRIORITY_STEP = 10;
/** keepalived's range for a non-owner router (255 is reserved for the address owner). */
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 254;

export function defaultPriority(index: number): number {
  return TOP_PRIORITY - PRIORITY_STEP * index;
}

export interface PeerPriority {
  readonly name: string;
  readonly priority: number;
  /** keepalived_state as set in the inventory for that host, if any. */
  readonly state?: VrrpState;
}

/**
 * A peer's priority as its own resolve() will compute it, from its inventory vars. A value that
 * is not a valid priority falls back to the default here: that host's own resolve() reports it
 * with file and line, so this host need not.
 */
export function peerPriorities(lbHosts: readonly HostView[]): PeerPriority[] {
  return lbHosts.map((peer, index) => {
    const raw = peer.vars.keepalived_priority;
    const num = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
    const valid = typeof num === 'number' && Number.isInteger(num) && num >= MIN_PRIORITY && num <= MAX_PRIORITY;
    const state = parseState(peer.vars.keepalived_state);
    return { name: peer.name, priority: valid ? num : defaultPriority(index), ...(state ? { state } : {}) };
  });
}

export function parseState(raw: unknown): VrrpState | undefined {
  if (typeof raw !== 'string') return undefined;
  const upper = raw.toUpperCase();
  return upper === 'MASTER' || upper === 'BACKUP' ? upper : undefined;
}

/**
 * The initial state of `self`. All BACKUP when preempt_delay is used: keepalived ignores
 * preempt_delay on an instance that starts as MASTER, so the delay only works if everyone starts
 * as BACKUP and the election (by priority) picks the MASTER. Otherwise the strictly highest
 * priority starts as MASTER (ties: the first in inventory order; validatePlay refuses ties), unless
 * another host is declared MASTER in the inventory.
 */
export function initialState(self: string, selfPriority: number, peers: readonly PeerPriority[], preemptDelay: boolean): VrrpState {
  if (preemptDelay) return 'BACKUP';
  const others = peers.filter((p) => p.name !== self);
  if (others.some((p) => p.state === 'MASTER')) return 'BACKUP';
  const selfIndex = peers.findIndex((p) => p.name === self);
  const beaten = others.some((p) => {
    if (p.priority !== selfPriority) return p.priority > selfPriority;
    return peers.indexOf(p) < selfIndex;
  });
  return beaten ? 'BACKUP' : 'MASTER';
}
