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
    // Absolute one-line paths only: the group's output names files by path, one per line.
    ...(path.startsWith('/') && !path.includes('\n') ? { group: { ...FILE_GROUP, arg: path } } : {}),
  };
}

/** Ends each file's section in a group's output; base64 and sha256sum never print a space. */
const SECTION = '==play-file==';

/**
 * Several files in one go: one `find` lists the regular files too large to send, one `stat`
 * describes every existing file, then each small regular file is sent by its own base64. Per
 * file that is one process instead of four.
 */
function fileGroupCommand(paths: readonly string[]): string {
  const lines = [
    sh`__L=$(find -L ${paths} -maxdepth 0 -type f -size +${String(MAX_CONTENT_BYTES / 1024)}k 2>/dev/null)`,
    '__L="\n$__L\n"'.replace(/\\n/g, '\n'),
    sh`stat -L -c '%n|stat %a %U %G %s %F' -- ${paths} 2>/dev/null`,
  ];
  paths.forEach((path, i) => {
    lines.push(
      sh`printf '\\n%s %s\\n' ${SECTION} ${i}; if [ -f ${path} ]; then case "$__L" in *${`\n${path}\n`}*) printf 'sha256 '; sha256sum < ${path};; *) echo content; base64 < ${path};; esac; fi`,
    );
  });
  return lines.join('\n');
}

/** Rebuilds, for each path, exactly what fileFact's own command prints. */
export function splitFileGroup(result: ExecResult, paths: readonly string[]): ExecResult[] {
  const [head = '', ...sections] = result.stdout.split(new RegExp(`\\n${SECTION} \\d+\\n`));
  if (sections.length !== paths.length) throw new Error(`file group printed ${sections.length} sections for ${paths.length} paths`);
  const stats = new Map<string, string>();
  for (const line of head.split('\n')) {
    const cut = line.lastIndexOf('|stat ');
    if (cut > 0) stats.set(line.slice(0, cut), line.slice(cut + 1));
  }
  return paths.map((path, i) => {
    const stat = stats.get(path);
    return { code: 0, stdout: stat === undefined ? 'missing\n' : `${stat}\n${sections[i]}`, stderr: '' };
  });
}

const FILE_GROUP = { key: 'file', command: fileGroupCommand, split: splitFileGroup };

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
