/**
 * Runs one kubeadm command with a config file that holds secrets (a bootstrap token, a
 * certificate key). The script travels on ssh's stdin and the file's content is written by the
 * shell's own printf (a builtin: no process is started with it as an argument), into a 0700
 * directory under /run (tmpfs, root's) with umask 077, and removed when the script exits,
 * whatever happens. Nothing secret is ever in a process's argv, on either machine.
 */
import { base64Of, raw, sh } from '../../engine/shell.js';

export const CONFIG_NAME = 'kubeadm.yaml';

/** `kubeadm <args> --config <temp file>`; the args must hold no secret (they are argv). */
export function kubeadmWithSecretConfig(args: readonly string[], config: string): string {
  return [
    'set -e',
    'umask 077',
    'd=$(mktemp -d -p /run play-kubeadm.XXXXXX 2>/dev/null || mktemp -d)',
    `trap 'rm -rf -- "$d"' EXIT`,
    `trap 'exit 130' HUP INT TERM`,
    sh`printf %s ${base64Of(config)} | base64 -d > "$d/${raw(CONFIG_NAME)}"`,
    sh`kubeadm ${args} --config "$d/${raw(CONFIG_NAME)}"`,
    '',
  ].join('\n');
}
