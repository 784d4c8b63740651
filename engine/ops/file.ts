import { fileFact } from '../facts/file.js';
import type { Task } from '../types.js';
import { planFile, type FileChange, type FileSpec } from './file-plan.js';
import { applyFileChange } from './file-write.js';
import { requireAbsolute } from './paths.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

/** Ensures a file has this content, mode and owner (atomic write, validate, one-time backup). */
export function file<V>(name: string, spec: SpecFn<V, FileSpec>, opts?: TaskOptions<V>): Task<V, FileChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      const state = await ctx.fact(fileFact(requireAbsolute(s.path)));
      return planFile(s, state);
    },
    apply: (ctx, change) => applyFileChange(ctx, change),
  };
}
