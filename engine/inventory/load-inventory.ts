/**
 * Builds the Inventory from -i sources: parse every source into one model (later sources add
 * to and override earlier ones), reconcile as Ansible does, read group_vars/ and host_vars/
 * next to each source, then freeze each host's merged variables with their origins.
 */
import { InventoryError, type SourceLocation } from '../errors.js';
import type { Inventory, InventoryGroup, InventoryHost } from '../types.js';
import { selectHosts, type PatternTarget } from '../playbook/patterns.js';
import { GroupNode, InventoryModel } from './inventory-model.js';
import { readSource, varsDirs } from './inventory-sources.js';
import { resolveGroupVars, resolveHostVars, sortGroups, type FilesPerDir, type VarsFileLookup } from './resolve-vars.js';
import { VarsFileLoader, type VarsDir, type VarsKind } from './vars-files.js';
import { Vault } from '../vault/index.js';

export interface LoadOptions {
  /** Where relative -i paths start (default: process.cwd()). Origins keep the paths as given. */
  readonly cwd?: string;
  /**
   * Opens vault-encrypted files and !vault values, and records every plaintext (vault.plaintexts)
   * for the planner to make secret. Without one, vault data is an error.
   */
  readonly vault?: Vault;
}

export async function loadInventory(sources: string[], options: LoadOptions = {}): Promise<Inventory> {
  if (sources.length === 0) throw new InventoryError('no inventory source given (-i FILE, -i DIR or -i host1,host2,)');
  const cwd = options.cwd ?? process.cwd();
  const model = new InventoryModel();
  const vault = options.vault ?? new Vault();
  for (const source of sources) await readSource(source, { cwd, model, vault });
  model.reconcile();
  const lookup = await loadVarsFiles(model, await varsDirs(sources, cwd), vault);
  return buildInventory(sources, model, lookup);
}

/** Reads every group_vars/host_vars file that names a group or host of the model. */
async function loadVarsFiles(model: InventoryModel, dirs: readonly VarsDir[], vault: Vault): Promise<VarsFileLookup> {
  const loader = new VarsFileLoader(vault);
  const read = async (kind: VarsKind, names: Iterable<string>): Promise<Map<string, FilesPerDir>> => {
    const out = new Map<string, FilesPerDir>();
    for (const name of names) out.set(name, await Promise.all(dirs.map((dir) => loader.find(dir, kind, name))));
    return out;
  };
  const groups = await read('group_vars', model.groups.keys());
  const hosts = await read('host_vars', model.hosts.keys());
  return {
    group: (name) => groups.get(name) ?? [],
    host: (name) => hosts.get(name) ?? [],
  };
}

function buildInventory(sources: readonly string[], model: InventoryModel, lookup: VarsFileLookup): Inventory {
  const depths = model.depths();
  // The model no longer changes: each group's host list is computed once.
  const hostsOfGroup = new Map<string, readonly string[]>();
  const groupHosts = (name: string): string[] => {
    let list = hostsOfGroup.get(name);
    if (!list) {
      const group = model.groups.get(name);
      list = group ? descendantHosts(group) : [];
      hostsOfGroup.set(name, list);
    }
    return [...list];
  };

  const hosts = new Map<string, InventoryHost>();
  for (const name of groupHosts('all')) {
    const node = model.hosts.get(name);
    if (!node) continue;
    const memberOf = [...model.hostGroups(node)].filter((g) => g !== model.all);
    const { vars, origins } = resolveHostVars(model, node, sortGroups(memberOf, depths), lookup);
    const groupNames = memberOf.map((g) => g.name).sort();
    hosts.set(name, { name, vars, origins, groups: groupNames, where: node.where });
  }

  const groups = new Map<string, InventoryGroup>();
  for (const group of model.groups.values()) {
    groups.set(group.name, {
      name: group.name,
      hosts: group.hosts.map((h) => h.name),
      children: group.children.map((c) => c.name),
      vars: resolveGroupVars(group, lookup),
    });
  }

  const target: PatternTarget = {
    hostNames: [...model.hosts.keys()],
    groupNames: [...model.groups.keys()],
    groupHosts,
  };
  return {
    sources: [...sources],
    hosts,
    groups,
    groupHosts,
    select: (pattern: string, where?: SourceLocation) => selectHosts(target, pattern, where),
  };
}

/**
 * A group's hosts with its descendants', as Ansible's Group.get_hosts: the group's own hosts,
 * then its children's, then their children's, level by level, each host once. (Ansible walks
 * levels below the first through a set; we keep the order in which groups were reached.)
 */
export function descendantHosts(group: GroupNode): string[] {
  const ordered: GroupNode[] = [group, ...group.children];
  const seen = new Set<GroupNode>(ordered);
  let frontier: GroupNode[] = [...group.children];
  while (frontier.length) {
    const next: GroupNode[] = [];
    for (const g of frontier) {
      for (const child of g.children) {
        if (seen.has(child)) continue;
        seen.add(child);
        ordered.push(child);
        next.push(child);
      }
    }
    frontier = next;
  }
  const out: string[] = [];
  const have = new Set<string>();
  for (const g of ordered) {
    for (const h of g.hosts) {
      if (have.has(h.name)) continue;
      have.add(h.name);
      out.push(h.name);
    }
  }
  return out;
}
