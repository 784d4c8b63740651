import type { Task } from '../types.js';
import { editFileTask } from './edit-file.js';
import type { FileChange } from './file-plan.js';
import { lineInFileContent } from './line-in-file-content.js';
import type { SpecFn, TaskOptions } from './task-options.js';

export interface LineInFileSpec {
  path: string;
  line: string;
  /** A JS regular expression matched per line: matching lines are replaced (or removed). */
  regexp?: string;
  state?: 'present' | 'absent';
  mode?: number;
  create?: boolean;
  secret?: boolean;
}

/** Ensures one line is present (replacing lines matching regexp) or absent in a file. */
export function lineInFile<V>(name: string, spec: SpecFn<V, LineInFileSpec>, opts?: TaskOptions<V>): Task<V, FileChange> {
  return editFileTask(
    name,
    async (ctx) => {
      const s = await spec(ctx);
      return {
        path: s.path,
        ...(s.mode !== undefined ? { mode: s.mode } : {}),
        ...(s.create !== undefined ? { create: s.create } : {}),
        ...(s.secret !== undefined ? { secret: s.secret } : {}),
        edit: (current) =>
          lineInFileContent(current, {
            line: s.line,
            ...(s.regexp !== undefined ? { regexp: s.regexp } : {}),
            ...(s.state !== undefined ? { state: s.state } : {}),
          }),
      };
    },
    opts,
  );
}
