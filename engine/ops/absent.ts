import { CommandError, TaskError } from '../errors.js';
import { pathExistsFact } from '../facts/path-exists.js';
import { RESOLVE_FUNCTION, UNSAFE_PATH_CODE, UNSAFE_PATH_MARKER, unsafePath } from '../path-walk.js';
import { raw, sh } from '../shell.js';
import type { Change, Task } from '../types.js';
import { requireAbsolute } from './paths.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface AbsentSpec {
  path: string;
}

export interface AbsentChange extends Change {
  readonly path: string;
}

/**
 * The removal, never through another user's link: the folder is resolved as file() resolves it
 * (only root's links followed), entered, checked to be that folder still, and the last name is
 * removed from inside it. rm -rf itself never follows a link below that name (it removes the
 * link), so nothing swapped in on the way sends root's rm -rf elsewhere.
 */
export function removeScript(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  const dir = trimmed.slice(0, cut) || '/';
  const name = trimmed.slice(cut + 1);
  const code = raw(String(UNSAFE_PATH_CODE));
  return [
    'set -e',
    RESOLVE_FUNCTION,
    sh`dir=$(play_resolve ${dir} root) || exit ${code}`,
    '[ -d "$dir" ] || exit 0',
    'cd -P -- "$dir"',
    sh`if [ "$(pwd -P)" != "$dir" ]; then echo ${`${UNSAFE_PATH_MARKER} to remove ${trimmed}: its folder changed while play resolved it`} >&2; exit ${code}; fi`,
    sh`rm -rf -- ${`./${name}`}`,
  ].join('\n');
}

/** Ensures nothing is at the path: a file, a symlink (not its target) or a whole directory tree. */
export function absent<V>(name: string, spec: SpecFn<V, AbsentSpec>, opts?: TaskOptions<V>): Task<V, AbsentChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const { path } = await spec(ctx);
      requireAbsolute(path);
      // rm -rf on a path that normalizes to / would wipe the host: never plan it.
      if (path.replace(/\/+$/, '') === '' || /(^|\/)\.\.?(\/|$)/.test(path)) {
        throw new TaskError(`refusing to remove '${path}'`);
      }
      const exists = await ctx.fact(pathExistsFact(path));
      return exists ? { path, summary: `remove ${path}` } : null;
    },
    async apply(ctx, change) {
      const label = `remove ${change.path}`;
      const result = await ctx.run(removeScript(change.path), { allowFail: true, label });
      if (result.code === 0) return;
      throw unsafePath(result) ?? new CommandError(label, result.code, result.stdout, result.stderr, label);
    },
  };
}
