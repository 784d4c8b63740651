import { InputError } from '../errors.js';
import { connectionSpec } from '../inventory/connection-vars.js';
import type { HostView, Inventory, InventoryView, Vars } from '../types.js';

/** Where a host view reads its variables and its connection target. */
export interface HostSource {
  /** The host's variables (rendered when read, in the runner). */
  vars(name: string): Vars;
  /** Where play connects to reach the host. */
  target(name: string): { readonly address: string; readonly port?: number };
}

/** The inventory's raw values: for tools and tests that render nothing. */
export function rawHostSource(inventory: Inventory): HostSource {
  const targets = new Map<string, ReturnType<HostSource['target']>>();
  return {
    vars: (name) => inventory.hosts.get(name)!.vars,
    target: (name) => {
      let target = targets.get(name);
      if (!target) targets.set(name, (target = connectionSpec(inventory.hosts.get(name)!)));
      return target;
    },
  };
}

/** A host as roles see it; address, port and vars are read (and rendered) only when used. */
export function hostView(inventory: Inventory, name: string, source: HostSource = rawHostSource(inventory)): HostView {
  const host = inventory.hosts.get(name);
  if (!host) throw new InputError(`unknown host '${name}'`);
  return {
    name,
    groups: host.groups,
    get address() {
      return source.target(name).address;
    },
    get port() {
      return source.target(name).port;
    },
    get vars() {
      return source.vars(name);
    },
    ...(host.where ? { where: host.where } : {}),
  };
}

/** Read-only view of every inventory host for roles (e.g. /etc/hosts, backends, peers). */
export function inventoryView(inventory: Inventory, source: HostSource = rawHostSource(inventory)): InventoryView {
  const views = new Map([...inventory.hosts.keys()].map((name) => [name, hostView(inventory, name, source)]));
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
