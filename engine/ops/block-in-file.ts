import type { Task } from '../types.js';
import { blockInFileContent } from './block-in-file-content.js';
import { editFileTask } from './edit-file.js';
import type { FileChange } from './file-plan.js';
import type { SpecFn, TaskOptions } from './task-options.js';

export interface BlockInFileSpec {
  path: string;
  block: string;
  /** Default '# {mark} PLAY MANAGED BLOCK'; {mark} becomes BEGIN/END. */
  marker?: string;
  state?: 'present' | 'absent';
  mode?: number;
  create?: boolean;
}

/** Ensures a marked block of lines in a file (replaced in place, appended when missing). */
export function blockInFile<V>(name: string, spec: SpecFn<V, BlockInFileSpec>, opts?: TaskOptions<V>): Task<V, FileChange> {
  return editFileTask(
    name,
    async (ctx) => {
      const s = await spec(ctx);
      return {
        path: s.path,
        ...(s.mode !== undefined ? { mode: s.mode } : {}),
        ...(s.create !== undefined ? { create: s.create } : {}),
        edit: (current) =>
          blockInFileContent(current, {
            block: s.block,
            ...(s.marker !== undefined ? { marker: s.marker } : {}),
            ...(s.state !== undefined ? { state: s.state } : {}),
          }),
      };
    },
    opts,
  );
}
