/**
 * The script travels on stdin and is read whole before it runs, so a command inside it that reads
 * stdin (apt, ssh-keygen) gets /dev/null instead of the rest of the script.
 */
export const READ_THEN_RUN = `s=$(cat) && eval "$s" </dev/null`;

export function remoteShellArgs(become: boolean, becomeUser?: string): string[] {
  const shell = ['/bin/sh', '-c', READ_THEN_RUN];
  if (!become) return shell;
  return ['sudo', '-n', '-H', ...(becomeUser ? ['-u', becomeUser] : []), '--', ...shell];
}
