/**
 * The state of one path, read in a single command: a `stat` header, a sha256 and the content as
 * base64 (so any byte survives the trip). Symlinks are followed: the state is that of the target,
 * which is what a reader of the path sees and what file() writes.
 *
 * Never with root's rights through another user's link: a path on which a user other than root
 * owns a symlink (~alice/.kube/config -> /etc/shadow, or a linked folder on the way) is read AS
 * that user (runuser), so a check (and --diff) shows only what the user could read anyway, and
 * the state says whose link it went through (file() then refuses to write for anyone else, as its
 * apply would). Links of two different users on one path are not followed at all.
 */
import { createHash } from 'node:crypto';
import { LINK_OWNER_FUNCTION } from '../path-walk.js';
import { shq, sh } from '../shell.js';
import type { ExecResult, Fact } from '../types.js';
import { factError } from './fact-error.js';
import { readTar } from './tar-read.js';

/** Files larger than this are hashed but their content is not sent back (no diff is shown). */
export const MAX_CONTENT_BYTES = 1024 * 1024;

export type FileState =
  | { readonly exists: false; readonly linkOwner?: string }
  | {
      readonly exists: true;
      /** The user other than root whose symlink is on the path: the state was read as that user. */
      readonly linkOwner?: string;
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

/** Printed instead of a state: the path has symlinks of several users, or could not be read. */
const UNSAFE = 'play: unsafe';
const UNREADABLE = 'play: unreadable';
/** Starts the line that names the user a state was read as. */
const VIA = 'via ';

/**
 * play_file_state PATH prints the state (stat header, then content or sha256, or `missing`). stat
 * -L follows symlinks; a dangling link fails [ -e ] and reads as missing. %F goes last because it
 * may contain spaces. A file small enough to send is hashed here (sha256 of the bytes received),
 * a larger one by sha256sum there: two processes per file, not four.
 */
const STATE_FUNCTION = `play_file_state() {
if [ -e "$1" ]; then
__s=$(stat -L -c '%s stat %a %U %G %s %F' -- "$1") || return 1
echo "\${__s#* }"
if [ -f "$1" ]; then
if [ "\${__s%% *}" -le ${MAX_CONTENT_BYTES} ]; then echo content; base64 < "$1" || return 1; else printf 'sha256 '; sha256sum < "$1" || return 1; fi
fi
else echo missing; fi
}`;

/** play_file_foreign PATH: the state through the link of user $__u, read as that user. */
const FOREIGN_FUNCTION = `play_file_foreign() {
if [ "$__u" = '*' ]; then echo '${UNSAFE}'; return; fi
echo "${VIA}$__u"
if [ "$(id -u)" != 0 ]; then play_file_state "$1" || echo '${UNREADABLE}'; return; fi
runuser -u "$__u" -- /bin/sh -c ${shq(`${STATE_FUNCTION}
play_file_state "$1"`)} sh "$1" || echo '${UNREADABLE}'
}`;

const PRELUDE = [LINK_OWNER_FUNCTION, STATE_FUNCTION, FOREIGN_FUNCTION].join('\n');

export function fileFact(path: string): Fact<FileState> {
  const id = `file:${path}`;
  return {
    id,
    command: [PRELUDE, sh`play_link_owner ${path}`, sh`if [ -n "$__u" ]; then play_file_foreign ${path}; else play_file_state ${path} || echo '${UNREADABLE}'; fi`].join('\n'),
    parse: (result) => parseFileFact(id, result),
    // Absolute one-line paths only: the group's output names files by path, one per line.
    ...(path.startsWith('/') && !path.includes('\n') ? { group: { ...FILE_GROUP, arg: path } } : {}),
  };
}

/** Ends each file's section in a group's output; base64 and sha256sum never print a space. */
const SECTION = '==play-file==';
/** Starts a section that holds a path's whole state (read through another user's link). */
const WHOLE = 'whole';

/** Starts the last section of a group's output: the archive of its small files, in base64. */
const ARCHIVE = '==play-file-archive==';
/** A file section whose content is in the archive. */
const IN_ARCHIVE = 'archived';

/**
 * Paths tar archives under their own name (less the leading '/'): no '.' or '..' component and
 * no empty one, which tar would rewrite ("Removing leading `/a/../'").
 */
function archivable(path: string): boolean {
  return path.split('/').slice(1).every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * Several files in one go: one `stat` describes every existing file (its sizes say which regular
 * files are too large to send), then one `tar -ch` sends all the small regular files (two
 * processes for the lot, instead of one base64 per file; one base64 each where tar is missing).
 * A path with another user's link on it is left out of all three and read on its own, as that
 * user; a path tar would rename is sent by its own base64.
 */
function fileGroupCommand(paths: readonly string[]): string {
  const lines = [PRELUDE, 'set --', ...paths.map((path) => sh`play_link_owner ${path}; [ -n "$__u" ] || set -- "$@" ${path}`)];
  lines.push(
    '__L=',
    'if [ $# -gt 0 ]; then',
    `__S=$(stat -L -c '%n|stat %a %U %G %s %F' -- "$@" 2>/dev/null)`,
    '[ -z "$__S" ] || printf \'%s\\n\' "$__S"',
    // the regular files too large to send, from stat's own sizes (a `find` was one more process)
    "__o=$IFS; IFS='\n'; set -f",
    'for __l in $__S; do',
    `  case $__l in *' regular file') __z=\${__l% regular file}; [ "\${__z##* }" -le ${MAX_CONTENT_BYTES} ] || __L="$__L\n\${__l%|stat *}";; esac`,
    'done',
    'IFS=$__o; set +f',
    'fi',
    '__L="\n$__L\n"'.replace(/\\n/g, '\n'),
    'set --',
    // a host without tar (a minimal image) sends each file by its own base64, as before
    '__T=; command -v tar >/dev/null 2>&1 && __T=1',
  );
  paths.forEach((path, i) => {
    const alone = sh`echo content; base64 < ${path}`;
    const small = archivable(path) ? sh`if [ -n "$__T" ]; then echo ${IN_ARCHIVE}; set -- "$@" ${path}; else ` + `${alone}; fi` : alone;
    const large = sh`printf 'sha256 '; sha256sum < ${path}`;
    lines.push(
      sh`printf '\\n%s %s\\n' ${SECTION} ${i}; play_link_owner ${path}; if [ -n "$__u" ]; then echo ${WHOLE}; play_file_foreign ${path}; elif [ -f ${path} ]; then case "$__L" in *${`\n${path}\n`}*)` +
        ` ${large};; *) ${small};; esac || echo ${shq(UNREADABLE)}; fi`,
    );
  });
  lines.push(sh`printf '\\n%s\\n' ${ARCHIVE}; [ $# -eq 0 ] || tar -chf - -- "$@" 2>/dev/null | base64`);
  return lines.join('\n');
}

/** base64's own output for these bytes: lines of 76, a newline after the last (none when empty). */
function base64Lines(bytes: Buffer): string {
  const text = bytes.toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += 76) lines.push(text.slice(at, at + 76));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Rebuilds, for each path, exactly what fileFact's own command prints. */
export function splitFileGroup(result: ExecResult, paths: readonly string[]): ExecResult[] {
  const archiveAt = result.stdout.lastIndexOf(`\n${ARCHIVE}\n`);
  if (archiveAt < 0) throw new Error('file group printed no archive section');
  const archive = readTar(Buffer.from(result.stdout.slice(archiveAt + ARCHIVE.length + 2).replace(/\n/g, ''), 'base64'));
  const [head = '', ...sections] = result.stdout.slice(0, archiveAt).split(new RegExp(`\\n${SECTION} \\d+\\n`));
  if (sections.length !== paths.length) throw new Error(`file group printed ${sections.length} sections for ${paths.length} paths`);
  const stats = new Map<string, string>();
  for (const line of head.split('\n')) {
    const cut = line.lastIndexOf('|stat ');
    if (cut > 0) stats.set(line.slice(0, cut), line.slice(cut + 1));
  }
  return paths.map((path, i) => {
    let section = sections[i] ?? '';
    if (section.startsWith(`${WHOLE}\n`)) return { code: 0, stdout: section.slice(WHOLE.length + 1), stderr: '' };
    if (section.startsWith(`${IN_ARCHIVE}\n`)) {
      // not in the archive: tar could not read it (as base64 could not)
      const bytes = archive.get(path);
      section = bytes ? `content\n${base64Lines(bytes)}` : `${UNREADABLE}\n`;
    }
    const stat = stats.get(path);
    return { code: 0, stdout: stat === undefined ? 'missing\n' : `${stat}\n${section}`, stderr: '' };
  });
}

const FILE_GROUP = { key: 'file', command: fileGroupCommand, split: splitFileGroup };

export function parseFileFact(id: string, result: ExecResult): FileState {
  let lines = result.stdout.split('\n');
  if (lines[0] === UNSAFE) throw factError(id, result, 'refusing to read it through symlinks owned by several users');
  const linkOwner = lines[0]?.startsWith(VIA) ? lines[0].slice(VIA.length) : undefined;
  if (linkOwner !== undefined) lines = lines.slice(1);
  if (lines.includes(UNREADABLE)) {
    throw factError(id, result, linkOwner !== undefined ? `refusing to follow ${id.slice('file:'.length)}: a symlink owned by ${linkOwner} is on its path, and ${linkOwner} cannot read it` : 'cannot be read');
  }
  const via = linkOwner !== undefined ? { linkOwner } : {};
  const first = lines[0] ?? '';
  if (first === 'missing') return { exists: false, ...via };
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
    ...via,
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
