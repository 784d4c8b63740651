/**
 * A host's variables by Ansible's precedence (VariableManager.get_vars with the default
 * VARIABLE_PRECEDENCE), lowest first:
 *   1. `all` vars from inventory sources
 *   2. the host's other groups' inventory vars, sorted by (depth, priority, name)
 *   3. group_vars/all files, per vars folder in -i order
 *   4. group_vars/<group> files, per vars folder in -i order, groups sorted as in 2
 *   5. the host's inventory vars
 *   6. host_vars/<host> files, per vars folder in -i order
 * So any group_vars/ file beats any group vars written in an inventory file. Merging replaces
 * whole values (hash_behaviour=replace); each winning value keeps where it was set.
 */
import type { VarOrigins, Vars } from '../types.js';
import type { GroupNode, HostNode, InventoryModel, VarTable } from './inventory-model.js';
import type { VarsFile } from './vars-files.js';

/** Per vars folder (in -i order), the files of one group or host, in merge order. */
export type FilesPerDir = readonly (readonly VarsFile[])[];

export interface VarsFileLookup {
  group(name: string): FilesPerDir;
  host(name: string): FilesPerDir;
}

export interface ResolvedVars {
  readonly vars: Vars;
  readonly origins: VarOrigins;
}

/** Ansible's sort_groups: deeper groups win, then higher ansible_group_priority, then name. */
export function sortGroups(groups: Iterable<GroupNode>, depths: ReadonlyMap<GroupNode, number>): GroupNode[] {
  return [...groups].sort(
    (a, b) =>
      (depths.get(a) ?? 0) - (depths.get(b) ?? 0) ||
      a.priority - b.priority ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

class VarsMerger {
  readonly vars: Vars = {};
  readonly origins: VarOrigins = {};

  table(table: VarTable): void {
    for (const [key, entry] of table) {
      this.vars[key] = entry.value;
      this.origins[key] = entry.origin;
    }
  }

  files(files: readonly VarsFile[]): void {
    for (const f of files) {
      for (const [key, value] of Object.entries(f.vars)) {
        this.vars[key] = value;
        this.origins[key] = { file: f.file, line: f.lines.get(key) ?? 1 };
      }
    }
  }
}

export function resolveHostVars(
  model: InventoryModel,
  host: HostNode,
  sortedGroups: readonly GroupNode[],
  lookup: VarsFileLookup,
): ResolvedVars {
  const merged = new VarsMerger();
  merged.table(model.all.vars);
  for (const group of sortedGroups) merged.table(group.vars);
  for (const files of lookup.group('all')) merged.files(files);
  const perGroup = sortedGroups.map((g) => lookup.group(g.name));
  const dirCount = Math.max(0, ...perGroup.map((dirs) => dirs.length));
  for (let dir = 0; dir < dirCount; dir++) {
    for (const dirs of perGroup) merged.files(dirs[dir] ?? []);
  }
  merged.table(host.vars);
  for (const files of lookup.host(host.name)) merged.files(files);
  return { vars: merged.vars, origins: merged.origins };
}

/**
 * What ansible-inventory --graph --vars shows for a group: its inventory vars, then its
 * group_vars files, then ansible_group_priority when it is not the default.
 */
export function resolveGroupVars(group: GroupNode, lookup: VarsFileLookup): Vars {
  const merged = new VarsMerger();
  merged.table(group.vars);
  for (const files of lookup.group(group.name)) merged.files(files);
  if (group.priority !== 1) merged.vars.ansible_group_priority = group.priority;
  return merged.vars;
}
