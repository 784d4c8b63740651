import { TaskError } from '../errors.js';
import { fileFact, type FileState } from '../facts/file.js';
import type { Change, Task } from '../types.js';
import { attributesScript } from './file-write.js';
import { refuseForeignLink, type Ownership } from './file-plan.js';
import { formatMode } from './mode.js';
import { requireAbsolute } from './paths.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface DirectorySpec {
  path: string;
  mode?: number;
  owner?: string;
  group?: string;
}

export interface DirectoryChange extends Change {
  readonly path: string;
  readonly create: boolean;
  readonly chmod?: number;
  readonly chown?: Ownership;
  /** Who owns the directory once converged: a user's own directory is changed as that user. */
  readonly owner?: string;
}

/** Pure: what differs between a directory's state and the spec. */
export function planDirectory(spec: DirectorySpec, state: FileState): DirectoryChange | null {
  return refuseForeignLink(spec.path, state, spec.owner ?? (state.exists ? state.owner : undefined), directoryChange(spec, state));
}

function directoryChange(spec: DirectorySpec, state: FileState): DirectoryChange | null {
  const { path } = spec;
  const ownership: Ownership = {
    ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
    ...(spec.group !== undefined ? { group: spec.group } : {}),
  };
  if (!state.exists) {
    return {
      path,
      summary: 'create directory',
      create: true,
      ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
      ...(spec.mode !== undefined ? { chmod: spec.mode } : {}),
      ...(spec.owner !== undefined || spec.group !== undefined ? { chown: ownership } : {}),
    };
  }
  if (!state.isDir) throw new TaskError(`${path} exists and is a ${state.type}, not a directory`);
  const parts: string[] = [];
  const modeDiffers = spec.mode !== undefined && spec.mode !== state.mode;
  const ownerDiffers = spec.owner !== undefined && spec.owner !== state.owner;
  const groupDiffers = spec.group !== undefined && spec.group !== state.group;
  if (modeDiffers) parts.push(`mode ${formatMode(state.mode)} -> ${formatMode(spec.mode ?? state.mode)}`);
  if (ownerDiffers) parts.push(`owner ${state.owner} -> ${spec.owner}`);
  if (groupDiffers) parts.push(`group ${state.group} -> ${spec.group}`);
  if (parts.length === 0) return null;
  return {
    path,
    summary: parts.join(', '),
    create: false,
    owner: spec.owner ?? state.owner,
    ...(modeDiffers && spec.mode !== undefined ? { chmod: spec.mode } : {}),
    ...(ownerDiffers || groupDiffers ? { chown: ownership } : {}),
  };
}

/** Ensures a directory exists (with parents) with this mode and owner. */
export function directory<V>(name: string, spec: SpecFn<V, DirectorySpec>, opts?: TaskOptions<V>): Task<V, DirectoryChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      const state = await ctx.fact(fileFact(requireAbsolute(s.path)));
      return planDirectory(s, state);
    },
    async apply(ctx, change) {
      await ctx.run(attributesScript(change.path, change, change.owner, { mkdir: change.create }));
    },
  };
}
