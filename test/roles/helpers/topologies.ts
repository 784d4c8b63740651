/** Inventories for unit tests, shaped like the three example topologies. */
import type { Vars } from '../../../engine/types.js';
import { buildInventory } from './inventory.js';

const MASTERS = { master1: { ansible_host: '10.0.0.21' }, master2: { ansible_host: '10.0.0.22' }, master3: { ansible_host: '10.0.0.23' } };
const WORKERS = { worker1: { ansible_host: '10.0.0.31' } };

/** Two dedicated LB hosts; `all` lands in group_vars/all.yml at lines 1.. in key order. */
export function dedicatedPair(all: Vars = {}, lbVars: { lb1?: Vars; lb2?: Vars } = {}) {
  return buildInventory({
    hosts: {
      lb1: { ansible_host: '10.0.0.11', ...lbVars.lb1 },
      lb2: { ansible_host: '10.0.0.12', ...lbVars.lb2 },
      ...MASTERS,
      ...WORKERS,
    },
    groups: { lb: ['lb1', 'lb2'], masters: ['master1', 'master2', 'master3'], workers: ['worker1'] },
    all: { apiserver_vip: '10.0.0.10', keepalived_auth_pass: 'pass1234', ...all },
  });
}

/** lb = masters (children), haproxy and keepalived stacked on the masters. */
export function stacked(all: Vars = {}, masterVars: Record<string, Vars> = {}) {
  return buildInventory({
    hosts: {
      master1: { ...MASTERS.master1, ...masterVars.master1 },
      master2: { ...MASTERS.master2, ...masterVars.master2 },
      master3: { ...MASTERS.master3, ...masterVars.master3 },
      ...WORKERS,
    },
    groups: { masters: ['master1', 'master2', 'master3'], workers: ['worker1'] },
    children: { lb: ['masters'] },
    all: { apiserver_vip: '10.0.0.10', keepalived_auth_pass: 'pass1234', ...all },
  });
}

/** One haproxy host, no VIP. */
export function singleLb(all: Vars = {}) {
  return buildInventory({
    hosts: { 'k8s-lb': { ansible_host: '10.0.0.100' }, ...MASTERS, ...WORKERS },
    groups: { lb: ['k8s-lb'], masters: ['master1', 'master2', 'master3'], workers: ['worker1'] },
    all,
  });
}
