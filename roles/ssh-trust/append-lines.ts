/**
 * How ssh-trust writes known_hosts: append lines, so host keys that users or ssh itself put there
 * always stay; when play's own lines must go (a master's old host key), the file is written anew
 * beside itself without exactly those lines and renamed over it, so no reader sees half a file.
 * (authorized_keys is a marked block instead: play takes back what it granted, see
 * authorized-keys.ts.)
 */
import { sh } from '../../engine/shell.js';
import { SSH_DIR } from './key-pair.js';

/** Appends lines to a file under ~/.ssh (creating both if needed) and sets its mode. */
export function appendLinesScript(path: string, lines: readonly string[], mode: string, dir = SSH_DIR): string {
  return [
    'set -e',
    'umask 077',
    sh`mkdir -p -- ${dir}`,
    sh`touch -- ${path}`,
    // A last line without newline would otherwise be glued to the first appended key.
    sh`if [ -s ${path} ] && [ -n "$(tail -c 1 -- ${path})" ]; then echo >> ${path}; fi`,
    ...(lines.length ? [sh`printf '%s\\n' ${[...lines]} >> ${path}`] : []),
    sh`chmod ${mode} -- ${path}`,
    '',
  ].join('\n');
}

/**
 * Drops the lines equal to one of `drop` from a file under ~/.ssh, appends `add`, sets its mode:
 * a copy in the same folder, renamed over the file.
 */
export function rewriteLinesScript(path: string, drop: readonly string[], add: readonly string[], mode: string, dir = SSH_DIR): string {
  return [
    'set -e',
    'umask 077',
    sh`mkdir -p -- ${dir}`,
    sh`touch -- ${path}`,
    sh`tmp=$(mktemp -- ${`${path}.play-XXXXXX`})`,
    'trap \'rm -f -- "$tmp" "$tmp.drop"\' EXIT',
    sh`printf '%s\\n' ${[...drop]} > "$tmp.drop"`,
    // grep exits 1 when every line goes: an empty file is a right answer
    sh`grep -vxF -f "$tmp.drop" -- ${path} > "$tmp" || [ $? -eq 1 ]`,
    ...(add.length ? [sh`printf '%s\\n' ${[...add]} >> "$tmp"`] : []),
    sh`chmod ${mode} -- "$tmp"`,
    sh`mv -f -- "$tmp" ${path}`,
    '',
  ].join('\n');
}
