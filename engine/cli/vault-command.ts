/**
 * `play vault encrypt|decrypt|view|encrypt_string`: ansible-vault's everyday verbs, in the same
 * format (its output opens with ansible-vault and the other way round). Files are rewritten
 * atomically (a temp file in the same folder, then rename) with their mode and owner kept; a
 * decrypted file loses every group and other permission, so plaintext never lands where others
 * can read it. encrypt_string takes the secret from stdin or a hidden prompt, never from argv.
 */
import { chmodSync, chownSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { decryptVault, encryptVault, inlineVaultYaml, isVaultText, type VaultSecret } from '../vault/index.js';
import { VaultError } from '../vault/vault.js';
import { loadVaultSecrets } from '../vault/password-sources.js';
import type { CliEnv } from './cli-env.js';
import { vaultIdentities, type VaultArgs } from './vault-options.js';

export type VaultAction = 'encrypt' | 'decrypt' | 'view' | 'encrypt_string';

export interface VaultCommandArgs {
  readonly action: VaultAction;
  readonly files: readonly string[];
  readonly output?: string;
  readonly name?: string;
  readonly encryptVaultId?: string;
  readonly vault: VaultArgs;
}

export async function runVault(args: VaultCommandArgs, out: (text: string) => void, env: CliEnv): Promise<number> {
  env.config.warnings.forEach((w) => process.stderr.write(`[WARNING]: ${w}\n`));
  const encrypting = args.action === 'encrypt' || args.action === 'encrypt_string';
  if (args.action !== 'encrypt_string' && args.files.length === 0) throw new UsageError(`play vault ${args.action} needs at least one FILE`);
  // A secret on the command line is visible to every user in ps: refused, and never repeated.
  if (args.action === 'encrypt_string' && args.files.length) throw new UsageError('encrypt_string reads the string from stdin or a prompt, never from the command line');
  if (args.output !== undefined && args.files.length > 1) throw new UsageError('--output takes a single FILE');
  const secrets = await loadVaultSecrets(vaultIdentities(args.vault, env.config), (prompt) => askPassword(env, prompt, encrypting));
  if (secrets.length === 0) throw new UsageError('a vault password is needed: --vault-password-file FILE, --vault-id LABEL@SOURCE or --ask-vault-pass');
  if (args.action === 'encrypt_string') {
    const secret = encryptSecret(secrets, args.encryptVaultId);
    const text = await env.input.readAll('String to encrypt: ');
    if (text === '') throw new UsageError('nothing to encrypt: stdin was empty', { file: 'stdin' });
    out(`${inlineVaultYaml(encryptVault(text, secret), args.name)}\n`);
    return 0;
  }
  for (const file of args.files) {
    const data = readFile(file);
    if (args.action === 'encrypt') {
      if (isVaultText(data.toString('utf8'))) throw new VaultError('the file is already vault-encrypted', { file });
      write(args.output ?? file, encryptVault(data, encryptSecret(secrets, args.encryptVaultId)), 'keep');
      continue;
    }
    const plaintext = decryptFile(file, data, secrets);
    if (args.action === 'view' || args.output === '-') out(plaintext.toString('utf8'));
    else write(args.output ?? file, plaintext, 'private');
  }
  return 0;
}

/** New passwords are typed twice on a terminal (as ansible-vault asks); a piped one is one line. */
async function askPassword(env: CliEnv, prompt: string, confirm: boolean): Promise<string> {
  if (!confirm || !process.stdin.isTTY) return env.input.ask(prompt);
  const first = await env.input.ask(`New ${prompt.replace(/^Vault/, 'vault')}`);
  const again = await env.input.ask(`Confirm new ${prompt.replace(/^Vault/, 'vault')}`);
  if (first !== again) throw new UsageError('the passwords do not match');
  return first;
}

/** ansible-vault's rule: one secret, or the one --encrypt-vault-id names. */
function encryptSecret(secrets: readonly VaultSecret[], label?: string): VaultSecret {
  if (label !== undefined) {
    const found = secrets.find((s) => s.label === label);
    if (!found) throw new UsageError(`no vault secret has the id '${label}' (known: ${secrets.map((s) => s.label).join(', ')})`, { file: '--encrypt-vault-id' });
    return found;
  }
  if (secrets.length > 1) {
    throw new UsageError(`the vault ids ${secrets.map((s) => s.label).join(', ')} can all encrypt: choose one with --encrypt-vault-id`);
  }
  return secrets[0]!;
}

function readFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file });
  }
}

function decryptFile(file: string, data: Buffer, secrets: readonly VaultSecret[]): Buffer {
  const text = data.toString('utf8');
  if (!isVaultText(text)) throw new VaultError('the file is not vault-encrypted', { file });
  try {
    return decryptVault(text, secrets).plaintext;
  } catch {
    throw new VaultError('decryption failed: no vault password given opens it (or the data is damaged)', { file });
  }
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Atomic rewrite: a 0600 temp file next to the target, then rename. 'keep' keeps the target's
 * mode (0600 for a new file); 'private' drops group and other bits (plaintext).
 */
function write(target: string, content: string | Buffer, mode: 'keep' | 'private'): void {
  const before = statOrUndefined(target);
  const finalMode = before ? (mode === 'keep' ? before.mode & 0o7777 : before.mode & 0o700) : 0o600;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.play-${randomBytes(6).toString('hex')}`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, finalMode);
    if (before) chownQuietly(tmp, before);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file: target });
  }
}

/** The owner stays when play may set it (as root); otherwise the file becomes the user's. */
function chownQuietly(file: string, before: Stats): void {
  try {
    chownSync(file, before.uid, before.gid);
  } catch {
    // not permitted (not root): the rewritten file belongs to whoever rewrote it, as with ansible-vault
  }
}
