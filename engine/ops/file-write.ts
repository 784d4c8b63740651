/**
 * The apply half of file(): scripts that converge exactly what planFile found. Content goes to a
 * temp file in the target's own directory (so the final mv is an atomic rename on one
 * filesystem), gets its final mode and owner, passes the validator, and only then replaces the
 * file. Any failure before the mv leaves the old file untouched and the temp file removed.
 *
 * Symlinks: the path is resolved one component at a time and a link owned by anyone but root
 * (or the file's own non-root owner, see below) is refused, so a link a user planted never
 * sends root's write, chmod or chown elsewhere. A file owned by a non-root user in a directory
 * that user owns (~/.kube/config) is written AS that user (runuser): the kernel then checks every
 * step with the user's rights, and nothing the user swaps in meanwhile gains anything.
 */
import { CommandError, TaskError, lastLines } from '../errors.js';
import { RESOLVE_FUNCTION, UNSAFE_PATH_CODE, unsafePath } from '../path-walk.js';
import { base64Of, raw, sh } from '../shell.js';
import type { TaskContext } from '../types.js';
import type { FileChange, FileWrite, Ownership } from './file-plan.js';
import { formatMode } from './mode.js';

/** Exit code and first output line by which the write script reports a rejected validation. */
export const VALIDATE_FAILED_CODE = 86;
export const VALIDATE_FAILED_MARKER = 'play: validate failed';
export { UNSAFE_PATH_CODE, UNSAFE_PATH_MARKER } from '../path-walk.js';

/** Ends the here-document that carries the write to the user's shell; base64 has no underscore. */
const BODY_END = '__PLAY_WRITE_END__';

export function chownArg(who: Ownership): string {
  return who.group !== undefined ? `${who.owner ?? ''}:${who.group}` : (who.owner ?? '');
}

/** A non-root owner the write may run as; root (or none) writes as root. */
function userOwner(owner: string | undefined): string | undefined {
  return owner !== undefined && owner !== 'root' && owner !== '0' ? owner : undefined;
}

/**
 * Sets $dst (the resolved path) and $@ (the command prefix that runs as the writer: empty for
 * root, `runuser -u USER --` for a user's own file in the user's own directory).
 */
function resolvePrelude(path: string, owner: string | undefined): string[] {
  const user = userOwner(owner);
  const lines = [RESOLVE_FUNCTION, 'set --'];
  if (user === undefined) return [...lines, sh`dst=$(play_resolve ${path} root) || exit ${raw(String(UNSAFE_PATH_CODE))}`];
  return [
    ...lines,
    sh`dst=$(play_resolve ${path} ${user}) || exit ${raw(String(UNSAFE_PATH_CODE))}`,
    'dir=${dst%/*}; dir=${dir:-/}',
    sh`if [ -d "$dir" ] && [ "$(stat -c %U -- "$dir")" = ${user} ]; then set -- runuser -u ${user} --`,
    // Root writes it after all: then only root's own links may be on the way.
    sh`else dst=$(play_resolve ${path} root) || exit ${raw(String(UNSAFE_PATH_CODE))}; fi`,
  ];
}

/** Mode of the one-time backup: never looser than the original, nor than the file play writes. */
function backupLines(mode: number): string[] {
  return [
    'if [ -e "$dst" ] && [ ! -e "$dst.play-orig" ] && [ ! -L "$dst.play-orig" ]; then',
    '  bk=$(mktemp -- "${dst%/*}/.${dst##*/}.play-orig-XXXXXX")',
    '  cat -- "$dst" > "$bk"',
    '  chown --reference="$dst" -- "$bk"',
    `  chmod "$(printf %o $(( 0$(stat -c %a -- "$dst") & 0${mode.toString(8)} )))" -- "$bk"`,
    '  touch -r "$dst" -- "$bk"',
    '  mv -f -- "$bk" "$dst.play-orig"',
    'fi',
  ];
}

/** What runs as the writer, reading the resolved path as $1. */
function writeBody(w: FileWrite): string[] {
  const lines = [
    'set -e',
    'dst=$1 bk=',
    `tmp=$(mktemp -- "\${dst%/*}/.\${dst##*/}.play-XXXXXX")`,
    `trap 'rm -f -- "$tmp" \${bk:+"$bk"}' EXIT`,
    `trap 'exit 130' HUP INT TERM`,
    sh`printf %s ${base64Of(w.content)} | base64 -d > "$tmp"`,
    sh`chmod ${formatMode(w.mode)} -- "$tmp"`,
    ...(w.owner !== undefined || w.group !== undefined ? [sh`chown ${chownArg(w)} -- "$tmp"`] : []),
  ];
  if (w.validate !== undefined) {
    // The validator is trusted role text; only the temp path is substituted, already quoted.
    const check = w.validate.split('%s').join('"$tmp"');
    lines.push(
      `if ! out=$( { ${check} ; } 2>&1 </dev/null); then`,
      sh`  printf '%s\\n' ${VALIDATE_FAILED_MARKER} "$out"; exit ${raw(String(VALIDATE_FAILED_CODE))}`,
      'fi',
    );
  }
  // Only the first replacement keeps a copy: later ones would overwrite the original with
  // play's own earlier output.
  if (w.backup) lines.push(...backupLines(w.mode));
  lines.push(`mv -f -- "$tmp" "$dst"`);
  return lines;
}

export function writeFileScript(path: string, w: FileWrite): string {
  if (w.validate?.includes(BODY_END)) throw new TaskError(`${path}: validate must not contain ${BODY_END}`);
  const lines = ['set -e', ...resolvePrelude(path, w.owner)];
  if (w.makeParents) lines.push('mkdir -p -- "${dst%/*}"');
  lines.push(`"$@" /bin/sh -s -- "$dst" <<'${BODY_END}'`, ...writeBody(w), BODY_END);
  return lines.join('\n') + '\n';
}

/**
 * chmod/chown only, for drift that leaves content alone, on the resolved path: chown -h as root
 * (it never follows a link swapped in meanwhile), then chmod as the writer.
 */
export function attributesScript(path: string, change: Pick<FileChange, 'chmod' | 'chown'>, owner?: string, opts: { mkdir?: boolean } = {}): string {
  const lines = ['set -e', ...resolvePrelude(path, owner ?? change.chown?.owner)];
  if (opts.mkdir) lines.push('"$@" mkdir -p -- "$dst"');
  if (change.chown !== undefined) lines.push(sh`chown -h ${chownArg(change.chown)} -- "$dst"`);
  if (change.chmod !== undefined) lines.push(sh`"$@" chmod ${formatMode(change.chmod)} -- "$dst"`);
  return lines.join('\n') + '\n';
}

export async function applyFileChange<V>(ctx: TaskContext<V>, change: FileChange): Promise<void> {
  if (change.write) {
    const label = `write ${change.path}`;
    const script = writeFileScript(change.path, change.write);
    // A secret file's write is a secret command: not even its summary is shown with -vvv.
    const result = await ctx.run(script, { allowFail: true, label, ...(change.write.secret ? { secret: true } : {}) });
    if (result.code === 0) return;
    if (result.code === VALIDATE_FAILED_CODE && result.stdout.startsWith(VALIDATE_FAILED_MARKER)) {
      const output = result.stdout.slice(VALIDATE_FAILED_MARKER.length).trim();
      throw new TaskError(
        `${change.path}: validation failed, file left unchanged (${change.write.validate ?? ''})${output ? `:\n${lastLines(output, 20)}` : ''}`,
        { command: change.write.validate ?? '', exitCode: result.code, stderr: output },
      );
    }
    const refused = unsafePath(result);
    if (refused) throw refused;
    // The label stands in for the script: it embeds the content (base64), secrets included.
    throw new CommandError(label, result.code, result.stdout, result.stderr, label);
  }
  if (change.chmod !== undefined || change.chown !== undefined) {
    const result = await ctx.run(attributesScript(change.path, change, change.owner), { allowFail: true, label: `set attributes of ${change.path}` });
    const refused = unsafePath(result);
    if (refused) throw refused;
    if (result.code !== 0) throw new CommandError(`set attributes of ${change.path}`, result.code, result.stdout, result.stderr);
  }
}
