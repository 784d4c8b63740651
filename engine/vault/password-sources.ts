/**
 * Where vault passwords come from, as ansible-playbook reads them (cli/__init__.py
 * setup_vault_secrets, parsing/vault get_file_vault_secret): `--vault-id [label@]source` where
 * source is a file (its content, whitespace stripped), an executable (run without arguments, its
 * stdout stripped of line breaks; a `*-client` script gets `--vault-id LABEL`) or `prompt`.
 * A password is never taken from the command line itself.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isatty } from 'node:tty';
import { UsageError } from '../errors.js';
import { DEFAULT_LABEL, type VaultSecret } from './format.js';

export interface VaultIdentity {
  /** The vault id; `default` when none was given. */
  readonly label: string;
  /** A file or script path, or `prompt`. */
  readonly source: string;
  /** Where it was given (--vault-id, ansible.cfg...), for errors. */
  readonly origin: string;
  /** Ask with Ansible's --ask-vault-pass prompt ("Vault password: "). */
  readonly askVaultPass?: boolean;
}

/** Reads one secret line the user types (or one line of a piped stdin). */
export type AskSecret = (prompt: string) => Promise<string>;

/** `label@source` or `source` (Ansible's split_vault_id: the first @ splits). */
export function parseVaultId(text: string, origin: string): VaultIdentity {
  const at = text.indexOf('@');
  const label = at === -1 ? DEFAULT_LABEL : text.slice(0, at);
  const source = at === -1 ? text : text.slice(at + 1);
  if (!label || !source) throw new UsageError("expected [LABEL@]SOURCE (a file, a script or 'prompt')", { file: origin });
  if (/[;\s]/.test(label)) throw new UsageError(`a vault id must not contain ';' or spaces: '${label}'`, { file: origin });
  return { label, source, origin };
}

export async function loadVaultSecrets(ids: readonly VaultIdentity[], ask: AskSecret): Promise<VaultSecret[]> {
  const secrets: VaultSecret[] = [];
  for (const id of ids) secrets.push({ label: id.label, password: await passwordOf(id, ask) });
  return secrets;
}

async function passwordOf(id: VaultIdentity, ask: AskSecret): Promise<Buffer> {
  if (id.source === 'prompt') {
    const prompt = id.askVaultPass ? 'Vault password: ' : `Vault password (${id.label}): `;
    return nonEmpty(Buffer.from((await ask(prompt)).trim(), 'utf8'), id, 'the prompt');
  }
  const info = statOf(id);
  if (info.mode & 0o111) return nonEmpty(stripLineBreaks(await runScript(id)), id, 'the script');
  let content: Buffer;
  try {
    content = readFileSync(id.source);
  } catch (err) {
    throw new UsageError(`cannot read the vault password file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file: id.source });
  }
  return nonEmpty(Buffer.from(content.toString('utf8').trim(), 'utf8'), id, 'the file');
}

function statOf(id: VaultIdentity): Stats {
  let info: Stats;
  try {
    info = statSync(id.source);
  } catch {
    throw new UsageError(`the vault password file was not found (given by ${id.origin})`, { file: id.source });
  }
  if (info.isDirectory()) throw new UsageError('the vault password file is a directory', { file: id.source });
  return info;
}

function nonEmpty(password: Buffer, id: VaultIdentity, from: string): Buffer {
  if (password.length === 0) {
    throw new UsageError(`the vault password from ${from} is empty`, id.source === 'prompt' ? { file: id.origin } : { file: id.source });
  }
  return password;
}

/** Python's bytes.strip(b'\r\n'): line breaks at both ends only. */
function stripLineBreaks(data: Buffer): Buffer {
  let start = 0;
  let end = data.length;
  while (start < end && (data[start] === 0x0a || data[start] === 0x0d)) start++;
  while (end > start && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
  return data.subarray(start, end);
}

/**
 * A script's stdout; its stderr (and a terminal stdin) stay the user's so it can prompt, as
 * Ansible leaves them. A piped stdin is not handed over: it carries -K and prompt answers.
 */
function runScript(id: VaultIdentity): Promise<Buffer> {
  const client = path.parse(id.source).name.endsWith('-client');
  const args = client ? ['--vault-id', id.label] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve(id.source), args, { stdio: [isatty(0) ? 'inherit' : 'ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(new UsageError(`cannot run the vault password script (${err.code ?? 'error'})`, { file: id.source })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else if (client && code === 2) reject(new UsageError(`the vault password client script does not know the vault id '${id.label}'`, { file: id.source }));
      else reject(new UsageError(`the vault password script exited ${code ?? 'on a signal'}`, { file: id.source }));
    });
  });
}
