/**
 * The pure half of lineInFile: the content a file should have, computed from its current one.
 * Returns the current text unchanged (same string) when nothing needs to change, so a file
 * without a final newline is not "fixed" behind the user's back.
 */
import { TaskError } from '../errors.js';
import { joinLines, splitLines } from './text-lines.js';

export interface LineEdit {
  line: string;
  /** A JS regular expression tested against each line: matching lines are replaced (or removed). */
  regexp?: string;
  state?: 'present' | 'absent';
}

/** @param current the file's content, null when it does not exist. @returns null = no file. */
export function lineInFileContent(current: string | null, edit: LineEdit): string | null {
  if (edit.line.includes('\n')) throw new TaskError('lineInFile: line must be a single line (use blockInFile)');
  const re = compile(edit.regexp);
  const matches = (l: string): boolean => (re ? re.test(l) : l === edit.line);
  if (edit.state === 'absent') {
    if (current === null) return null;
    const lines = splitLines(current);
    const kept = lines.filter((l) => !matches(l));
    return kept.length === lines.length ? current : joinLines(kept);
  }
  const lines = splitLines(current ?? '');
  if (re && lines.some((l) => re.test(l))) {
    // Every matching line becomes `line`, so the setting cannot stay duplicated with an old value.
    const replaced = lines.map((l) => (re.test(l) ? edit.line : l));
    return replaced.every((l, i) => l === lines[i]) ? current : joinLines(replaced);
  }
  if (current !== null && lines.includes(edit.line)) return current;
  return joinLines([...lines, edit.line]);
}

function compile(regexp: string | undefined): RegExp | undefined {
  if (regexp === undefined) return undefined;
  try {
    return new RegExp(regexp);
  } catch (err) {
    throw new TaskError(`lineInFile: invalid regexp '${regexp}'`, {}, { cause: err });
  }
}
