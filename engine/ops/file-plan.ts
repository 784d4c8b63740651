/**
 * The pure half of file(): compare a file's state with the desired one. Content, mode and owner
 * are separate findings, so a mode-only drift is fixed with chmod and never rewrites content.
 */
import { createHash } from 'node:crypto';
import { TaskError } from '../errors.js';
import type { FileState } from '../facts/file.js';
import { MAX_CONTENT_BYTES } from '../facts/file.js';
import type { Change, FileDiff } from '../types.js';
import { formatMode } from './mode.js';
import { countChangedLines } from './render-diff.js';
import { maskSecretText } from './secret-mask.js';

export interface FileSpec {
  path: string;
  content: string;
  mode?: number;
  owner?: string;
  group?: string;
  /** Command run on the new content before it replaces the file; %s is the quoted temp path. */
  validate?: string;
  /** The content holds secrets: diffs and summaries never show it. */
  secret?: boolean;
  /** Default true: the first time play replaces a file, keep the original as PATH.play-orig. */
  backup?: boolean;
  /** Create missing parent directories (mode 0755). */
  makeParents?: boolean;
}

/** Everything needed to write the content: the temp file gets its final mode and owner first. */
export interface FileWrite {
  readonly content: string;
  readonly mode: number;
  readonly owner?: string;
  readonly group?: string;
  readonly validate?: string;
  readonly backup: boolean;
  readonly makeParents: boolean;
  /** The content holds secrets: the write is a secret command (never shown, even with -vvv). */
  readonly secret: boolean;
}

export interface Ownership {
  readonly owner?: string;
  readonly group?: string;
}

export interface FileChange extends Change {
  readonly path: string;
  /** Content must be written (missing file or different content). */
  readonly write?: FileWrite;
  /** Only the mode differs from the desired one. */
  readonly chmod?: number;
  /** Only the owner and/or group differ. */
  readonly chown?: Ownership;
  /** Who owns the file once converged (the spec's owner, else the current one): a user's file is written as that user. */
  readonly owner?: string;
}

/** New files get the usual config-file mode when the spec names none. */
export const DEFAULT_FILE_MODE = 0o644;

export function sha256Of(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/**
 * The check's half of file-write.ts's symlink rule: a path with another user's link on it is
 * changed only for that user (as that user); a change for anyone else, root included, is refused
 * here, before an apply would refuse it. A path that needs no change is left alone.
 */
export function refuseForeignLink<C>(path: string, state: FileState, writer: string | undefined, change: C | null): C | null {
  if (change === null || state.linkOwner === undefined || (writer !== undefined && writer === state.linkOwner)) return change;
  throw new TaskError(`refusing to follow ${path}: a symlink owned by ${state.linkOwner} is on its path`);
}

export function planFile(spec: FileSpec, state: FileState): FileChange | null {
  return refuseForeignLink(spec.path, state, spec.owner ?? (state.exists ? state.owner : undefined), fileChange(spec, state));
}

function fileChange(spec: FileSpec, state: FileState): FileChange | null {
  const { path } = spec;
  if (spec.validate !== undefined && !spec.validate.includes('%s')) {
    throw new TaskError(`${path}: validate must contain %s (the file to check): '${spec.validate}'`);
  }
  const write = (mode: number, owner?: string, group?: string): FileWrite => ({
    content: spec.content,
    mode,
    ...(owner !== undefined ? { owner } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(spec.validate !== undefined ? { validate: spec.validate } : {}),
    backup: spec.backup ?? true,
    makeParents: spec.makeParents ?? false,
    secret: spec.secret ?? false,
  });
  if (!state.exists) {
    return {
      path,
      summary: `create (${countChangedLines(null, spec.content)} lines)`,
      write: write(spec.mode ?? DEFAULT_FILE_MODE, spec.owner, spec.group),
      diffs: [diffOf(spec, null)],
    };
  }
  if (state.isDir) throw new TaskError(`${path} is a directory, not a file`);
  if (state.sha256 === undefined) throw new TaskError(`${path} is a ${state.type}, not a regular file`);

  const parts: string[] = [];
  const contentDiffers = state.sha256 !== sha256Of(spec.content);
  const modeDiffers = spec.mode !== undefined && spec.mode !== state.mode;
  const ownerDiffers = spec.owner !== undefined && spec.owner !== state.owner;
  const groupDiffers = spec.group !== undefined && spec.group !== state.group;
  // A file too large to read back is compared by hash; its diff says so instead of guessing lines.
  const before = state.content ?? `(${state.size} bytes, not read: larger than ${MAX_CONTENT_BYTES} bytes)\n`;

  if (contentDiffers) parts.push(`content differs (${countChangedLines(before, spec.content)} lines)`);
  if (modeDiffers) parts.push(`mode ${formatMode(state.mode)} -> ${formatMode(spec.mode ?? state.mode)}`);
  if (ownerDiffers) parts.push(`owner ${state.owner} -> ${spec.owner}`);
  if (groupDiffers) parts.push(`group ${state.group} -> ${spec.group}`);
  if (parts.length === 0) return null;

  const summary = parts.join(', ');
  if (contentDiffers) {
    // The replacement carries the current mode/owner unless the spec changes them.
    return {
      path,
      summary,
      write: write(spec.mode ?? state.mode, spec.owner ?? state.owner, spec.group ?? state.group),
      diffs: [diffOf(spec, before)],
    };
  }
  return {
    path,
    summary,
    owner: spec.owner ?? state.owner,
    ...(modeDiffers && spec.mode !== undefined ? { chmod: spec.mode } : {}),
    ...(ownerDiffers || groupDiffers
      ? {
          chown: {
            ...(ownerDiffers ? { owner: spec.owner } : {}),
            ...(groupDiffers ? { group: spec.group } : {}),
          },
        }
      : {}),
  };
}

function diffOf(spec: FileSpec, before: string | null): FileDiff {
  if (!spec.secret) return { path: spec.path, before, after: spec.content };
  return { path: spec.path, before: maskSecretText(before), after: maskSecretText(spec.content), secret: true };
}
