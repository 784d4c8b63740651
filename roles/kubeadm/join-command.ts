/**
 * The join command the first master prints (`kubeadm token create --print-join-command`),
 * parsed into its parts rather than run as received: the node joins with a JoinConfiguration
 * built from values that passed a strict pattern (templates/join-configuration.ts).
 */
import { TaskError } from '../../engine/errors.js';

export interface JoinCommand {
  /** host:port of the control-plane endpoint. */
  readonly endpoint: string;
  readonly token: string;
  /** sha256:<64 hex> */
  readonly caCertHash: string;
}

const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const CA_HASH = /^sha256:[0-9a-f]{64}$/;
const ENDPOINT = /^[A-Za-z0-9.:\[\]-]+:\d+$/;

/** Parses the printed command; the error never repeats the text (it holds the token). */
export function parseJoinCommand(output: string): JoinCommand {
  const words = output.replace(/\\\n/g, ' ').trim().split(/\s+/);
  const start = words.findIndex((w, i) => w === 'kubeadm' && words[i + 1] === 'join');
  const flag = (name: string): string | undefined => {
    const i = words.indexOf(name, start);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const endpoint = start >= 0 ? words[start + 2] : undefined;
  const token = flag('--token');
  const caCertHash = flag('--discovery-token-ca-cert-hash');
  if (endpoint === undefined || !ENDPOINT.test(endpoint) || token === undefined || !TOKEN.test(token) || caCertHash === undefined || !CA_HASH.test(caCertHash)) {
    throw new TaskError('`kubeadm token create --print-join-command` printed no join command of the expected form (kubeadm join HOST:PORT --token ... --discovery-token-ca-cert-hash sha256:...)');
  }
  return { endpoint, token, caCertHash };
}
