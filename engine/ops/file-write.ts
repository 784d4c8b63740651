/**
 * The apply half of file(): scripts that converge exactly what planFile found. Content goes to a
 * temp file in the target's own directory (so the final mv is an atomic rename on one
 * filesystem), gets its final mode and owner, passes the validator, and only then replaces the
 * file. Any failure before the mv leaves the old file untouched and the temp file removed.
 */
import { CommandError, TaskError, lastLines } from '../errors.js';
import { base64Of, raw, sh } from '../shell.js';
import type { TaskContext } from '../types.js';
import type { FileChange, FileWrite, Ownership } from './file-plan.js';
import { formatMode } from './mode.js';

/** Exit code and first output line by which the write script reports a rejected validation. */
export const VALIDATE_FAILED_CODE = 86;
export const VALIDATE_FAILED_MARKER = 'play: validate failed';

export function chownArg(who: Ownership): string {
  return who.group !== undefined ? `${who.owner ?? ''}:${who.group}` : (who.owner ?? '');
}

export function writeFileScript(path: string, w: FileWrite): string {
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  const lines = [
    'set -e',
    ...(w.makeParents ? [sh`mkdir -p -- ${parent}`] : []),
    // Follow a symlink like the file fact does: the target is what was compared and is replaced.
    sh`dst=$(readlink -f -- ${path}) || dst=${path}`,
    `tmp=$(mktemp -- "\${dst%/*}/.\${dst##*/}.play-XXXXXX")`,
    `trap 'rm -f -- "$tmp"' EXIT`,
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
  if (w.backup) {
    // Only the first replacement keeps a copy: later ones would overwrite the original with
    // play's own earlier output.
    lines.push(`if [ -e "$dst" ] && [ ! -e "$dst.play-orig" ]; then cp -p -- "$dst" "$dst.play-orig"; fi`);
  }
  lines.push(`mv -f -- "$tmp" "$dst"`);
  return lines.join('\n') + '\n';
}

/** chmod/chown only, for drift that leaves content alone (both follow symlinks by default). */
export function attributesScript(path: string, change: Pick<FileChange, 'chmod' | 'chown'>): string {
  const lines = ['set -e'];
  if (change.chmod !== undefined) lines.push(sh`chmod ${formatMode(change.chmod)} -- ${path}`);
  if (change.chown !== undefined) lines.push(sh`chown ${chownArg(change.chown)} -- ${path}`);
  return lines.join('\n') + '\n';
}

export async function applyFileChange<V>(ctx: TaskContext<V>, change: FileChange): Promise<void> {
  if (change.write) {
    const label = `write ${change.path}`;
    const script = writeFileScript(change.path, change.write);
    const result = await ctx.run(script, { allowFail: true, label });
    if (result.code === 0) return;
    if (result.code === VALIDATE_FAILED_CODE && result.stdout.startsWith(VALIDATE_FAILED_MARKER)) {
      const output = result.stdout.slice(VALIDATE_FAILED_MARKER.length).trim();
      throw new TaskError(
        `${change.path}: validation failed, file left unchanged (${change.write.validate ?? ''})${output ? `:\n${lastLines(output, 20)}` : ''}`,
        { command: change.write.validate ?? '', exitCode: result.code, stderr: output },
      );
    }
    // The label stands in for the script: it embeds the content (base64), secrets included.
    throw new CommandError(label, result.code, result.stdout, result.stderr, label);
  }
  if (change.chmod !== undefined || change.chown !== undefined) {
    await ctx.run(attributesScript(change.path, change), { label: `set attributes of ${change.path}` });
  }
}
