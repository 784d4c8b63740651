/**
 * The secrets a join needs, made on the first master only when some node has to join, once per
 * run (ctx.once), so a node added days later gets a fresh token and a valid certificate key:
 * the ones `kubeadm init` printed have expired by then (token 24 h, kubeadm-certs 2 h).
 * Every value is handed to ctx.secret before anything could print it, and travels to commands
 * with RunOptions.secret.
 */
import { randomBytes } from 'node:crypto';
import { TaskError, lastLines } from '../../engine/errors.js';
import { sh } from '../../engine/shell.js';
import type { TaskContext } from '../../engine/types.js';
import { parseJoinCommand, type JoinCommand } from './join-command.js';
import { ADMIN_CONF } from './kube-paths.js';

export const JOIN_COMMAND_ONCE = 'kubeadm:join-command';
export const CERTIFICATE_KEY_ONCE = 'kubeadm:certificate-key';

interface JoinSecretVars {
  readonly firstMaster: string;
  readonly tokenTtl: string;
}

/** Anything shaped like a bootstrap token (and its secret half) in `text`. */
export function tokensIn(text: string): string[] {
  return [...text.matchAll(/\b([a-z0-9]{6})\.([a-z0-9]{16})\b/g)].flatMap((m) => [m[0], m[2]!]);
}

/** A new bootstrap token and the join command for it, made on the first master. */
export function joinCommand<V extends JoinSecretVars>(ctx: TaskContext<V>): Promise<JoinCommand> {
  return ctx.once(JOIN_COMMAND_ONCE, async () => {
    const first = ctx.on(ctx.vars.firstMaster);
    const result = await first.run(sh`kubeadm token create --print-join-command --ttl ${ctx.vars.tokenTtl} --kubeconfig ${ADMIN_CONF}`, {
      allowFail: true,
      label: 'kubeadm token create --print-join-command',
    });
    // Before parsing (whose error could quote it) and before any error is raised.
    for (const value of [...tokensIn(result.stdout), ...tokensIn(result.stderr)]) ctx.secret(value);
    if (result.code !== 0) {
      throw new TaskError(`kubeadm token create failed on ${ctx.vars.firstMaster} (exit ${result.code}): ${lastLines(result.stderr || result.stdout, 5)}`);
    }
    return parseJoinCommand(result.stdout);
  });
}

/**
 * The certificate key control-plane joins decrypt the shared certificates with: 32 random bytes
 * made here, so it never has to be read back from any output.
 */
export function certificateKey<V>(ctx: TaskContext<V>): Promise<string> {
  return ctx.once(CERTIFICATE_KEY_ONCE, async () => {
    const key = randomBytes(32).toString('hex');
    ctx.secret(key);
    return key;
  });
}

/**
 * Uploads the shared certificates (kubeadm-certs Secret) under `key`, on the first master. Done
 * right before each control-plane join: the Secret lives only 2 h (less in the lab), and joins
 * one at a time can take longer than that in a big cluster.
 */
export async function uploadCertificates<V extends JoinSecretVars>(ctx: TaskContext<V>, key: string): Promise<void> {
  const first = ctx.on(ctx.vars.firstMaster);
  const result = await first.run(sh`kubeadm init phase upload-certs --upload-certs --certificate-key ${key} --kubeconfig ${ADMIN_CONF}`, {
    allowFail: true,
    secret: true,
    label: 'kubeadm init phase upload-certs',
  });
  if (result.code !== 0) {
    throw new TaskError(`kubeadm init phase upload-certs failed on ${ctx.vars.firstMaster} (exit ${result.code}): ${lastLines(result.stderr, 5)}`);
  }
}
