import { TaskError } from '../errors.js';
import { pathExistsFact } from '../facts/path-exists.js';
import { sh } from '../shell.js';
import type { Change, Task } from '../types.js';
import { requireAbsolute } from './paths.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface AbsentSpec {
  path: string;
}

export interface AbsentChange extends Change {
  readonly path: string;
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
      await ctx.run(sh`rm -rf -- ${change.path}`);
    },
  };
}
