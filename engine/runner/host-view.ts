import { InputError } from '../errors.js';
import type { HostView, Inventory, InventoryView } from '../types.js';

export function hostView(inventory: Inventory, name: string): HostView {
  const host = inventory.hosts.get(name);
  if (!host) throw new InputError(`unknown host '${name}'`);
  const address = host.vars.ansible_host;
  return {
    name,
    address: typeof address === 'string' && address ? address : name,
    groups: host.groups,
    vars: host.vars,
    ...(host.where ? { where: host.where } : {}),
  };
}

/** Read-only view of every inventory host for roles (e.g. /etc/hosts, backends, peers). */
export function inventoryView(inventory: Inventory): InventoryView {
  const views = new Map([...inventory.hosts.keys()].map((name) => [name, hostView(inventory, name)]));
  return {
    hosts: [...views.values()],
    host(name) {
      const view = views.get(name);
      if (!view) throw new InputError(`unknown host '${name}'`);
      return view;
    },
    groupHosts(group) {
      return inventory.groups.has(group) ? inventory.groupHosts(group).map((n) => views.get(n)!) : [];
    },
  };
}
