/**
 * The secrets a join needs, made on the first master when a node has to join:
 *  - a bootstrap token per joining node (`kubeadm token create --print-join-command`: kubeadm
 *    makes it and prints it on stdout, never on a command line), deleted right after that node's
 *    join, failed or not, so no token play made outlives its join (kubeadm_token_ttl bounds it
 *    should play be killed first);
 *  - one certificate key per run (ctx.once), made here, handed to kubeadm only inside a 0600
 *    config file (secret-config.ts).
 * Every value is handed to ctx.secret before anything could print it, and commands holding one
 * run with RunOptions.secret.
 */
import { randomBytes } from 'node:crypto';
import { TaskError, lastLines } from '../../engine/errors.js';
import { sh } from '../../engine/shell.js';
import type { TaskContext } from '../../engine/types.js';
import { runMust } from '../../engine/ops/index.js';
import { parseJoinCommand, type JoinCommand } from './join-command.js';
import { ADMIN_CONF } from '../kube-shared/kube-paths.js';
import { kubeadmWithSecretConfig } from './secret-config.js';
import { renderUploadCertsConfig } from './templates/join-configuration.js';

export const CERTIFICATE_KEY_ONCE = 'kubeadm:certificate-key';

interface JoinSecretVars {
  readonly firstMaster: string;
  readonly tokenTtl: string;
  readonly nodeName: string;
}

/** Anything shaped like a bootstrap token (and its secret half) in `text`. */
export function tokensIn(text: string): string[] {
  return [...text.matchAll(/\b([a-z0-9]{6})\.([a-z0-9]{16})\b/g)].flatMap((m) => [m[0], m[2]!]);
}

/** The description play's join tokens carry (`kubeadm token list` shows it). */
export function joinTokenDescription(nodeName: string): string {
  return `play: join of ${nodeName}`;
}

export function tokenCreateCommand(ttl: string, nodeName: string): string {
  return sh`kubeadm token create --print-join-command --ttl ${ttl} --description ${joinTokenDescription(nodeName)} --kubeconfig ${ADMIN_CONF}`;
}

/** A new bootstrap token for this node and the join command for it, made on the first master. */
export async function createJoinToken<V extends JoinSecretVars>(ctx: TaskContext<V>): Promise<JoinCommand> {
  const first = ctx.on(ctx.vars.firstMaster);
  const result = await first.run(tokenCreateCommand(ctx.vars.tokenTtl, ctx.vars.nodeName), {
    allowFail: true,
    label: 'kubeadm token create --print-join-command',
  });
  // Before parsing (whose error could quote it) and before any error is raised.
  for (const value of [...tokensIn(result.stdout), ...tokensIn(result.stderr)]) ctx.secret(value);
  if (result.code !== 0) {
    throw new TaskError(`kubeadm token create failed on ${ctx.vars.firstMaster} (exit ${result.code}): ${lastLines(result.stderr || result.stdout, 5)}`);
  }
  return parseJoinCommand(result.stdout);
}

/** The token's id: the public half, which `kubeadm token delete` takes and which is no secret. */
export function tokenId(token: string): string {
  return token.slice(0, token.indexOf('.'));
}

export function tokenDeleteCommand(token: string): string {
  return sh`kubeadm token delete ${tokenId(token)} --kubeconfig ${ADMIN_CONF}`;
}

/** Deletes the node's join token on the first master; a failure is a warning (the TTL still ends it). */
export async function deleteJoinToken<V extends JoinSecretVars>(ctx: TaskContext<V>, join: JoinCommand): Promise<void> {
  const first = ctx.on(ctx.vars.firstMaster);
  const result = await first.run(tokenDeleteCommand(join.token), { allowFail: true, label: 'kubeadm token delete' });
  if (result.code !== 0) {
    ctx.warn(`could not delete the join token ${tokenId(join.token)} on ${ctx.vars.firstMaster} (it expires after ${ctx.vars.tokenTtl}): ${lastLines(result.stderr, 2)}`);
  }
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

export interface UploadCertsVars extends JoinSecretVars {
  readonly kubeadmApi: string;
  readonly criSocket: string;
  readonly version: { readonly text: string };
}

/** The script that uploads the shared certificates under `key` (it holds the key: run it secret). */
export function uploadCertsScript(vars: UploadCertsVars, key: string): string {
  const config = renderUploadCertsConfig({
    apiVersion: vars.kubeadmApi,
    certificateKey: key,
    criSocket: vars.criSocket,
    kubernetesVersion: `v${vars.version.text}`,
  });
  // --skip-certificate-key-print: the phase would print the key on stdout otherwise.
  return kubeadmWithSecretConfig(['init', 'phase', 'upload-certs', '--upload-certs', '--skip-certificate-key-print', '--kubeconfig', ADMIN_CONF], config);
}

/**
 * Uploads the shared certificates (kubeadm-certs Secret) under `key`, on the first master. Done
 * right before each control-plane join: the Secret lives only 2 h (less in the lab), and joins
 * one at a time can take longer than that in a big cluster.
 */
export async function uploadCertificates<V extends UploadCertsVars>(ctx: TaskContext<V>, key: string): Promise<void> {
  const first = ctx.on(ctx.vars.firstMaster);
  await runMust(first, uploadCertsScript(ctx.vars, key), {
    secret: true,
    label: 'kubeadm init phase upload-certs',
    what: `kubeadm init phase upload-certs on ${ctx.vars.firstMaster}`,
  });
}
