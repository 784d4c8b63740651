import { sudoWords, type SudoExchange } from './sudo.js';

/**
 * The script travels on stdin and is read whole before it runs, so a command inside it that reads
 * stdin (apt, ssh-keygen) gets /dev/null instead of the rest of the script.
 */
export const READ_THEN_RUN = `s=$(cat) && eval "$s" </dev/null`;

/**
 * argv of the remote shell. With a sudo password, the shell first prints the exchange's marker:
 * the script is written only after it (sudo.ts), never mixed with the password.
 */
export function remoteShellArgs(become: boolean, becomeUser?: string, exchange?: SudoExchange): string[] {
  if (!become) return ['/bin/sh', '-c', READ_THEN_RUN];
  if (!exchange) return [...sudoWords(becomeUser), '/bin/sh', '-c', READ_THEN_RUN];
  return [...sudoWords(becomeUser, exchange.prompt), '/bin/sh', '-c', `echo ${exchange.marker}; ${READ_THEN_RUN}`];
}
