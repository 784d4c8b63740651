/**
 * How ssh-trust writes known_hosts: append lines (never truncate, never rewrite), so host keys
 * that users or ssh itself put there always stay. (authorized_keys is a marked block instead:
 * play takes back what it granted, see authorized-keys.ts.)
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
