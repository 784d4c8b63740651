import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import { PlaybookError } from '../errors.js';
import type { Role } from '../types.js';
import type { RoleEntry } from './types.js';

/** Compiled roles sit beside the compiled engine: dist/roles/<name>/index.js. */
export const BUILTIN_ROLES_DIR = fileURLToPath(new URL('../../roles/', import.meta.url));

/**
 * Where a role name is looked up, first match wins: the project's roles/ (in the current folder,
 * as Ansible looks in roles/ beside the playbook first), then PLAY_ROLES_PATH (like
 * ANSIBLE_ROLES_PATH), then the roles bundled with play. Only compiled roles count
 * (NAME/index.js): play's own TypeScript sources in a clone's roles/ are not one.
 */
export function rolesSearchPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const extra = (env.PLAY_ROLES_PATH ?? '').split(delimiter).filter(Boolean).map((d) => resolve(cwd, d));
  return [join(cwd, 'roles'), ...extra, BUILTIN_ROLES_DIR];
}

export function availableRoles(dirs = rolesSearchPath()): string[] {
  const names = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'index.js')))
      .forEach((d) => names.add(d.name));
  }
  return [...names].sort();
}

/** What makes a folder an Ansible role (YAML), which play cannot run: its tasks, as Ansible finds them. */
const ANSIBLE_ROLE_MARKERS = ['tasks/main.yml', 'tasks/main.yaml', 'tasks/main'];

/**
 * The first NAME/index.js along the search path. An Ansible YAML role met first is an error, not
 * skipped: an Ansible user's roles/NAME would otherwise silently give way to play's own NAME.
 */
function findRoleFile(entry: RoleEntry, dirs: readonly string[]): string | undefined {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(entry.name)) return undefined;
  for (const dir of dirs) {
    const folder = join(dir, entry.name);
    if (existsSync(join(folder, 'index.js'))) return join(folder, 'index.js');
    const marker = ANSIBLE_ROLE_MARKERS.find((m) => existsSync(join(folder, m)));
    if (marker) {
      const shown = relative(process.cwd(), folder);
      const display = shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : folder;
      throw new PlaybookError(
        `role '${entry.name}': ${display}/ is an Ansible role (${marker}), which play cannot run: play roles are JavaScript modules (compiled TypeScript), ${display}/index.js (see README, "In your own project folder")`,
        entry.where,
        'role',
      );
    }
  }
  return undefined;
}

export async function loadRole(entry: RoleEntry, dirs = rolesSearchPath()): Promise<Role<unknown>> {
  const file = findRoleFile(entry, dirs);
  if (!file) {
    const known = availableRoles(dirs);
    throw new PlaybookError(`unknown role '${entry.name}' (available: ${known.join(', ') || 'none'})`, entry.where, 'role');
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: Role<unknown> };
  if (!mod.default || !Array.isArray(mod.default.tasks)) {
    throw new PlaybookError(`role '${entry.name}' does not default-export a role`, entry.where, 'role');
  }
  return mod.default;
}
