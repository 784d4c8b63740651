import { fileFact } from '../facts/file.js';
import type { Task } from '../types.js';
import { planFile, type FileChange, type FileSpec } from './file-plan.js';
import { applyFileChange } from './file-write.js';
import { requireAbsolute } from './paths.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

/**
 * A file spec whose content may still be computing (say, from a fact): the path is known at
 * once, so the file's state is asked in the same batch as whatever the content needs.
 */
export type FileTaskSpec = Omit<FileSpec, 'content'> & { content: string | Promise<string> };

/** Ensures a file has this content, mode and owner (atomic write, validate, one-time backup). */
export function file<V>(name: string, spec: SpecFn<V, FileTaskSpec>, opts?: TaskOptions<V>): Task<V, FileChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      const pending = Promise.resolve(s.content);
      pending.catch(() => {}); // awaited below; this only keeps a bad path from orphaning it
      const state = await ctx.fact(fileFact(requireAbsolute(s.path)));
      return planFile({ ...s, content: await pending }, state);
    },
    apply: (ctx, change) => applyFileChange(ctx, change),
  };
}
