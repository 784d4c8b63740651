/**
 * The mutable inventory that the source parsers fill, mirroring Ansible's InventoryData: groups
 * and hosts in the order they were first seen, direct memberships, child groups in the order
 * they were added, variables with the place they were set. `all` and `ungrouped` always exist;
 * `reconcile()` applies Ansible's end-of-parsing rules.
 */
import { InventoryError, type SourceLocation } from '../errors.js';
import { HOST_NAME_RULE, isInventoryHostName } from './host-name.js';

export interface VarEntry {
  readonly value: unknown;
  readonly origin: SourceLocation;
}

export type VarTable = Map<string, VarEntry>;

export class GroupNode {
  /** Hosts listed directly in this group, in the order they were added. */
  readonly hosts: HostNode[] = [];
  /** The same hosts as a set, for membership tests on large groups. */
  readonly hostSet = new Set<HostNode>();
  readonly children: GroupNode[] = [];
  readonly parents: GroupNode[] = [];
  readonly vars: VarTable = new Map();
  /** ansible_group_priority from an inventory source (not from group_vars files, as in Ansible). */
  priority = 1;
  constructor(readonly name: string) {}
}

export class HostNode {
  readonly vars: VarTable = new Map();
  constructor(
    readonly name: string,
    /** Where the host was first defined: errors about its name point there. */
    readonly where: SourceLocation,
  ) {}
}

export class InventoryModel {
  readonly groups = new Map<string, GroupNode>();
  readonly hosts = new Map<string, HostNode>();
  readonly all: GroupNode;
  readonly ungrouped: GroupNode;

  constructor() {
    this.all = this.addGroup('all');
    this.ungrouped = this.addGroup('ungrouped');
    this.all.children.push(this.ungrouped);
    this.ungrouped.parents.push(this.all);
  }

  addGroup(name: string): GroupNode {
    let group = this.groups.get(name);
    if (!group) {
      group = new GroupNode(name);
      this.groups.set(name, group);
    }
    return group;
  }

  /**
   * Adds a host (once) and its membership of `group`. A port given with `host:port` only counts
   * where the host is first defined: Ansible sets ansible_port when it creates the host.
   */
  addHost(name: string, group: GroupNode, port: number | undefined, origin: SourceLocation): HostNode {
    let host = this.hosts.get(name);
    if (!host) {
      // The name itself is never quoted: it may hold a newline or anything else.
      if (!isInventoryHostName(name)) throw new InventoryError(`invalid host name: ${HOST_NAME_RULE}`, origin);
      host = new HostNode(name, origin);
      this.hosts.set(name, host);
      if (port !== undefined) host.vars.set('ansible_port', { value: port, origin });
    }
    if (!group.hostSet.has(host)) {
      group.hosts.push(host);
      group.hostSet.add(host);
    }
    return host;
  }

  addChild(parent: GroupNode, child: GroupNode, where: SourceLocation): void {
    if (parent === child) {
      throw new InventoryError(`group '${child.name}' cannot be a child of itself`, where, child.name);
    }
    if (parent.children.includes(child)) return;
    if (this.ancestors(parent).has(child)) {
      throw new InventoryError(
        `group '${child.name}' cannot be a child of '${parent.name}': '${child.name}' would be its own ancestor`,
        where,
        child.name,
      );
    }
    parent.children.push(child);
    child.parents.push(parent);
  }

  setGroupVar(group: GroupNode, key: string, value: unknown, origin: SourceLocation): void {
    if (key === 'ansible_group_priority') {
      // Ansible turns this into the group's sort priority (int(value)) instead of a variable.
      const priority = toPriority(value);
      if (priority === 'invalid') {
        throw new InventoryError('must be an integer', origin, key);
      }
      if (priority !== undefined) group.priority = priority;
      return;
    }
    group.vars.set(key, { value, origin });
  }

  setHostVar(host: HostNode, key: string, value: unknown, origin: SourceLocation): void {
    host.vars.set(key, { value, origin });
  }

  ancestors(group: GroupNode): Set<GroupNode> {
    const seen = new Set<GroupNode>();
    const todo = [...group.parents];
    for (let g = todo.pop(); g; g = todo.pop()) {
      if (seen.has(g)) continue;
      seen.add(g);
      todo.push(...g.parents);
    }
    return seen;
  }

  /** Every group a host belongs to, directly or through child groups (including `all`). */
  hostGroups(host: HostNode): Set<GroupNode> {
    const out = new Set<GroupNode>();
    for (const group of this.groups.values()) {
      if (!group.hostSet.has(host)) continue;
      out.add(group);
      for (const a of this.ancestors(group)) out.add(a);
    }
    return out;
  }

  /**
   * Ansible's reconcile_inventory: groups without a parent go under `all`; a host that is in
   * another group leaves `ungrouped`; a host in no group (or only `all`) joins `ungrouped`.
   */
  reconcile(): void {
    for (const group of this.groups.values()) {
      if (group !== this.all && group.parents.length === 0) {
        this.all.children.push(group);
        group.parents.push(this.all);
      }
    }
    for (const host of this.hosts.values()) {
      const mine = this.hostGroups(host);
      if (mine.has(this.ungrouped)) {
        const elsewhere = [...mine].some((g) => g !== this.all && g !== this.ungrouped);
        const at = this.ungrouped.hosts.indexOf(host);
        if (elsewhere && at !== -1) {
          this.ungrouped.hosts.splice(at, 1);
          this.ungrouped.hostSet.delete(host);
        }
      } else if (mine.size === 0 || (mine.size === 1 && mine.has(this.all))) {
        this.ungrouped.hosts.push(host);
        this.ungrouped.hostSet.add(host);
      }
    }
  }

  /** Longest path from `all`: Ansible's group depth, the first key of group-vars precedence. */
  depths(): Map<GroupNode, number> {
    const depth = new Map<GroupNode, number>();
    const visit = (group: GroupNode): number => {
      const known = depth.get(group);
      if (known !== undefined) return known;
      const d = group.parents.length === 0 ? 0 : Math.max(...group.parents.map((p) => visit(p) + 1));
      depth.set(group, d);
      return d;
    };
    for (const group of this.groups.values()) visit(group);
    return depth;
  }
}

function toPriority(value: unknown): number | undefined | 'invalid' {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 'invalid';
  if (typeof value === 'string') {
    const m = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(value);
    return m ? Number((m[1] ?? '').replace(/_/g, '')) : 'invalid';
  }
  // Python's int() raises TypeError for None, lists and dicts, which Ansible ignores.
  return undefined;
}
