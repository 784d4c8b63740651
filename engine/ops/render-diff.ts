import { createTwoFilesPatch, diffLines } from 'diff';
import type { FileDiff } from '../types.js';

/** Lines added plus lines removed between two versions (null = the file does not exist). */
export function countChangedLines(before: string | null, after: string | null): number {
  let count = 0;
  for (const part of diffLines(before ?? '', after ?? '')) {
    if (part.added || part.removed) count += part.count;
  }
  return count;
}

/**
 * A unified diff of one file, named by its path ('/dev/null' for a side that does not exist).
 * A secret file only says how much changed: its content never reaches a terminal or a log.
 */
export function renderDiff(diff: FileDiff): string {
  const changed = countChangedLines(diff.before, diff.after);
  if (diff.secret) return `(content hidden: secret) ${changed} lines changed`;
  return createTwoFilesPatch(
    diff.before === null ? '/dev/null' : diff.path,
    diff.after === null ? '/dev/null' : diff.path,
    diff.before ?? '',
    diff.after ?? '',
    'before',
    'after',
    { headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true } },
  );
}
