/**
 * Shared by lineInFile and blockInFile: read the file, compute the whole desired content with a
 * pure function, then converge it exactly like file() (atomic write, backup once, mode).
 */
import { TaskError } from '../errors.js';
import { fileFact } from '../facts/file.js';
import type { Task } from '../types.js';
import { planFile, type FileChange } from './file-plan.js';
import { applyFileChange } from './file-write.js';
import { requireAbsolute } from './paths.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface EditSpec {
  path: string;
  mode?: number;
  /** Create the file when it does not exist (otherwise that is an error). */
  create?: boolean;
  secret?: boolean;
  /** current content (null = no file) -> desired content (null = no file wanted). */
  edit: (current: string | null) => string | null;
}

/** Ensures a file's content is what `edit` makes of the current one (for edits no op covers). */
export function editFileTask<V>(
  name: string,
  spec: SpecFn<V, EditSpec>,
  opts?: TaskOptions<V>,
): Task<V, FileChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      const state = await ctx.fact(fileFact(requireAbsolute(s.path)));
      if (state.exists && state.content === undefined) {
        throw new TaskError(`${s.path}: cannot edit a ${state.isDir ? 'directory' : `${state.type} this large`}`);
      }
      const current = state.exists ? (state.content ?? '') : null;
      const desired = s.edit(current);
      if (desired === null) return null;
      if (current === null && !s.create) throw new TaskError(`${s.path} does not exist (set create: true to create it)`);
      return planFile(
        {
          path: s.path,
          content: desired,
          ...(s.mode !== undefined ? { mode: s.mode } : {}),
          ...(s.secret ? { secret: true } : {}),
        },
        state,
      );
    },
    apply: (ctx, change) => applyFileChange(ctx, change),
  };
}
