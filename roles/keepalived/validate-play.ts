/**
 * Checks that need every LB host's vars at once. Each error is a VarsError at the file and line
 * of the value to fix, so it is refused before any host is contacted.
 */
import { VarsError } from '../../engine/errors.js';
import type { InventoryView } from '../../engine/types.js';
import { cidrContains, parseCidr } from '../../engine/vars.js';
import type { KeepalivedOn, KeepalivedVars } from './vars.js';

export function validateKeepalivedPlay(
  hosts: ReadonlyMap<string, KeepalivedVars>,
  inventory: InventoryView,
  warn: (message: string) => void,
): void {
  const on = [...hosts.values()].filter((v): v is KeepalivedOn => v.enabled);
  if (on.length === 0) return;

  sameEverywhere(on, 'vip', 'apiserver_vip', (v) => v.vip);
  sameEverywhere(on, 'routerId', 'keepalived_router_id', (v) => String(v.routerId));
  sameEverywhere(on, 'unicast', 'keepalived_unicast', (v) => String(v.unicast));
  // The password itself never appears in a message: only that the hosts disagree.
  sameEverywhere(on, 'authPass', 'keepalived_auth_pass', () => '(hidden)');

  for (const v of on) {
    for (const vip of v.vips) {
      const owner = inventory.hosts.find((h) => h.address === vip.address);
      if (owner) {
        throw new VarsError(
          `${vip.address} is the address of host ${owner.name}: a VIP must be an unused address`,
          v.where.apiserver_vip,
          'apiserver_vip',
        );
      }
    }
    // VRRP needs the LB hosts on the VIP's network; with keepalived_interface set the user has
    // said where VRRP runs (e.g. ansible_host on a management network), so only warn then.
    const subnet = parseCidr(`${v.vip}/${v.vipPrefix}`);
    if (subnet && !cidrContains(subnet, v.address)) {
      const reason =
        `${v.vip}/${v.vipPrefix} does not contain ${v.host}'s address ${v.address}: ` +
        'keepalived can only float the VIP on a network the LB hosts are on';
      if (v.interface === undefined) {
        throw new VarsError(`${reason} (or set keepalived_interface)`, v.where.apiserver_vip, 'apiserver_vip');
      }
      warn(reason);
    }
  }

  const byPriority = new Map<number, KeepalivedOn>();
  for (const v of on) {
    const other = byPriority.get(v.priority);
    if (other) {
      throw new VarsError(
        `${v.host} and ${other.host} both have priority ${v.priority}: VRRP would elect by address; ` +
          'give each LB host its own keepalived_priority (or leave it unset everywhere)',
        v.where.keepalived_priority,
        'keepalived_priority',
      );
    }
    byPriority.set(v.priority, v);
  }

  const masters = on.filter((v) => v.state === 'MASTER');
  if (masters.length > 1) {
    const second = masters[1]!;
    throw new VarsError(
      `${masters.map((m) => m.host).join(' and ')} would all start as MASTER: set keepalived_state BACKUP on all but one`,
      second.where.keepalived_state,
      'keepalived_state',
    );
  }

  // The weight must be able to move the VIP: a failing top host has to fall below every
  // healthy peer (or a passing low host rise above a failing top one).
  const priorities = on.map((v) => v.priority);
  const spread = Math.max(...priorities) - Math.min(...priorities);
  for (const v of on) {
    if (v.checkWeight !== 0 && Math.abs(v.checkWeight) <= spread) {
      throw new VarsError(
        `${v.checkWeight} cannot move the VIP: the LB priorities span ${spread}, so |weight| must exceed it`,
        v.where.keepalived_check_weight,
        'keepalived_check_weight',
      );
    }
  }
}

function sameEverywhere(
  on: readonly KeepalivedOn[],
  field: 'vip' | 'routerId' | 'unicast' | 'authPass',
  key: 'apiserver_vip' | 'keepalived_router_id' | 'keepalived_unicast' | 'keepalived_auth_pass',
  show: (v: KeepalivedOn) => string,
): void {
  const first = on[0]!;
  const value = (v: KeepalivedOn): unknown => v[field];
  const odd = on.find((v) => value(v) !== value(first));
  if (odd) {
    throw new VarsError(
      `differs between ${first.host} (${show(first)}) and ${odd.host} (${show(odd)}): every LB host of one VRRP group needs the same value`,
      odd.where[key],
      key,
    );
  }
}
