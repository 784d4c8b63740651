/**
 * root's own key pair on each master, generated ON that master and never read by play: the
 * probe only stats the private key, and only the .pub file ever travels. Generation goes through
 * ctx.once per master, so whichever host needs a master's key first makes it, exactly once.
 */
import { sh } from '../../engine/shell.js';
import type { ExecResult, Fact, TaskContext } from '../../engine/types.js';

export const SSH_DIR = '/root/.ssh';
export const PRIVATE_KEY = '/root/.ssh/id_ed25519';
export const PUBLIC_KEY = '/root/.ssh/id_ed25519.pub';
export const AUTHORIZED_KEYS = '/root/.ssh/authorized_keys';
export const KNOWN_HOSTS = '/root/.ssh/known_hosts';

export interface KeyPairState {
  /** Mode of the private key (stat only), null when missing. */
  readonly privateMode: number | null;
  readonly publicExists: boolean;
}

/** Stats, never reads, the private key. */
export function keyPairFact(): Fact<KeyPairState> {
  return {
    id: 'ssh-trust:key-pair',
    command: sh`if [ -e ${PRIVATE_KEY} ]; then stat -c %a -- ${PRIVATE_KEY}; else echo missing; fi
if [ -e ${PUBLIC_KEY} ]; then echo pub; else echo nopub; fi`,
    parse: (result) => parseKeyPairState(result.stdout),
  };
}

export function parseKeyPairState(stdout: string): KeyPairState {
  const [priv = 'missing', pub = 'nopub'] = stdout.trim().split('\n');
  return { privateMode: /^[0-7]+$/.test(priv) ? parseInt(priv, 8) : null, publicExists: pub === 'pub' };
}

/**
 * Idempotent on the host itself: ssh-keygen only when the private key is missing (never
 * overwriting one), the .pub re-derived on the host only when it alone is missing.
 */
export function keyPairScript(comment: string, dir = SSH_DIR): string {
  const privateKey = `${dir}/id_ed25519`;
  const publicKey = `${privateKey}.pub`;
  return [
    'set -e',
    'umask 077',
    sh`mkdir -p -- ${dir}`,
    sh`if [ ! -e ${privateKey} ]; then ssh-keygen -q -t ed25519 -N '' -C ${comment} -f ${privateKey}; fi`,
    sh`if [ ! -e ${publicKey} ]; then ssh-keygen -y -f ${privateKey} > ${publicKey}; chmod 644 -- ${publicKey}; fi`,
    sh`chmod 600 -- ${privateKey}`,
    '',
  ].join('\n');
}

/** Makes sure `master` has its key pair; every host asking about the same master shares one run. */
export function ensureKeyPair<V>(ctx: TaskContext<V>, master: string): Promise<ExecResult> {
  return ctx.once(`ssh-trust:key-pair:${master}`, () =>
    ctx.on(master).run(keyPairScript(`root@${master}`), { label: `ssh-keygen on ${master}` }),
  );
}
