/**
 * The state of one path, read in a single command: a `stat` header, a sha256 and the content as
 * base64 (so any byte survives the trip). Symlinks are followed: the state is that of the target,
 * which is what a reader of the path sees and what file() writes.
 */
import { createHash } from 'node:crypto';
import { sh } from '../shell.js';
import type { ExecResult, Fact } from '../types.js';
import { factError } from './fact-error.js';

/** Files larger than this are hashed but their content is not sent back (no diff is shown). */
export const MAX_CONTENT_BYTES = 1024 * 1024;

export type FileState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly isDir: boolean;
      /** stat %F: 'regular file', 'regular empty file', 'directory', 'fifo'... */
      readonly type: string;
      /** Permission bits including setuid/setgid/sticky (0o7777). */
      readonly mode: number;
      readonly owner: string;
      readonly group: string;
      readonly size: number;
      /** Regular files only. */
      readonly sha256?: string;
      /** Regular files up to MAX_CONTENT_BYTES only. */
      readonly content?: string;
    };

export function fileFact(path: string): Fact<FileState> {
  const id = `file:${path}`;
  return {
    id,
    // stat -L follows symlinks; a dangling link fails [ -e ] and reads as missing. %F goes last
    // because it may contain spaces. A file small enough to send is hashed here (sha256 of the
    // bytes received), a larger one by sha256sum there: two processes per file, not four.
    command: sh`if [ -e ${path} ]; then
__s=$(stat -L -c '%s stat %a %U %G %s %F' -- ${path}) || exit 1
echo "\${__s#* }"
if [ -f ${path} ]; then
if [ "\${__s%% *}" -le ${MAX_CONTENT_BYTES} ]; then echo content; base64 < ${path}; else printf 'sha256 '; sha256sum < ${path}; fi
fi
else echo missing; fi`,
    parse: (result) => parseFileFact(id, result),
  };
}

export function parseFileFact(id: string, result: ExecResult): FileState {
  const lines = result.stdout.split('\n');
  const first = lines[0] ?? '';
  if (first === 'missing') return { exists: false };
  const head = /^stat (\d+) (\S+) (\S+) (\d+) (.+)$/.exec(first);
  if (!head) throw factError(id, result, 'unexpected output');
  const [, modeText = '', owner = '', group = '', sizeText = '', type = ''] = head;
  let sha256: string | undefined;
  let content: string | undefined;
  // Fixed positions: the base64 body could in principle contain a line reading 'content'.
  if (lines[1] === 'content') {
    const bytes = Buffer.from(lines.slice(2).join(''), 'base64');
    sha256 = createHash('sha256').update(bytes).digest('hex');
    content = bytes.toString('utf8');
  } else {
    const hashLine = /^sha256 ([0-9a-f]{64})\b/.exec(lines[1] ?? '');
    if (hashLine) sha256 = hashLine[1];
  }
  return {
    exists: true,
    isDir: type === 'directory',
    type,
    mode: parseInt(modeText, 8),
    owner,
    group,
    size: Number(sizeText),
    ...(sha256 !== undefined ? { sha256 } : {}),
    ...(content !== undefined ? { content } : {}),
  };
}
