/**
 * The pure half of blockInFile: a block of lines between two marker lines, replaced in place when
 * the markers are already there, appended otherwise. Unchanged content is returned as is.
 */
import { joinLines, splitLines } from './text-lines.js';

export const DEFAULT_BLOCK_MARKER = '# {mark} PLAY MANAGED BLOCK';

export interface BlockEdit {
  block: string;
  /** '{mark}' becomes BEGIN and END. Use different markers for different blocks in one file. */
  marker?: string;
  /** absent (or an empty block) removes the block and its markers. */
  state?: 'present' | 'absent';
}

export function blockMarkers(marker = DEFAULT_BLOCK_MARKER): { begin: string; end: string } {
  return { begin: marker.replace('{mark}', 'BEGIN'), end: marker.replace('{mark}', 'END') };
}

/** @param current the file's content, null when it does not exist. @returns null = no file. */
export function blockInFileContent(current: string | null, edit: BlockEdit): string | null {
  const { begin, end } = blockMarkers(edit.marker);
  const remove = edit.state === 'absent' || edit.block === '';
  if (current === null && remove) return null;
  const lines = splitLines(current ?? '');
  const wanted = remove ? [] : [begin, ...splitLines(edit.block), end];
  const at = lines.indexOf(begin);
  const endAt = at >= 0 ? lines.indexOf(end, at + 1) : -1;
  const next = [...lines];
  if (at >= 0 && endAt > at) next.splice(at, endAt - at + 1, ...wanted);
  else next.push(...wanted);
  const same = next.length === lines.length && next.every((l, i) => l === lines[i]);
  return same && current !== null ? current : joinLines(next);
}
