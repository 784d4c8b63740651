/**
 * Ansible Vault's format (lib/ansible/parsing/vault/__init__.py, VaultAES256), on node:crypto:
 *
 *   $ANSIBLE_VAULT;1.1;AES256            (1.2 adds ;LABEL, the vault id)
 *   hex( hex(salt) \n hex(hmac) \n hex(ciphertext) ), cut into 80-column lines
 *
 * PBKDF2-HMAC-SHA256 (10000 iterations) of the password and a 32-byte salt gives 80 bytes: the
 * AES-256 key, the HMAC-SHA256 key and the CTR counter block. The plaintext is PKCS7-padded
 * (a CTR stream needs no padding; Ansible pads, so we do) and the HMAC covers the ciphertext.
 * Four dozen lines of a well-specified format do not earn a dependency.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const VAULT_HEADER = '$ANSIBLE_VAULT';
/** The vault id of secrets given without a label (Ansible's DEFAULT_VAULT_IDENTITY). */
export const DEFAULT_LABEL = 'default';

const ITERATIONS = 10000;
const KEY_BYTES = 32;
const IV_BYTES = 16;
const SALT_BYTES = 32;
const BLOCK = 16;
const LINE = 80;

/** A vault password and the vault id it answers to. */
export interface VaultSecret {
  readonly label: string;
  readonly password: Buffer;
}

/** The text is not well-formed vault data (bad header, hex or padding). */
export class VaultFormatError extends Error {}

/** No given secret opens the data (HMAC mismatch for every one of them). */
export class VaultPasswordError extends Error {}

export interface Envelope {
  readonly version: string;
  readonly cipher: string;
  /** The vault id of a 1.2 envelope. */
  readonly label?: string;
  /** The hex payload, newlines removed. */
  readonly payload: string;
}

/** Ansible's is_encrypted: the text starts with the vault header. */
export function isVaultText(text: string): boolean {
  return text.startsWith(VAULT_HEADER);
}

export function parseEnvelope(text: string): Envelope {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().split(';').map((part) => part.trim());
  if (header[0] !== VAULT_HEADER || header.length < 3) throw new VaultFormatError('not a vault header ($ANSIBLE_VAULT;VERSION;CIPHER)');
  const [, version = '', cipher = '', label] = header;
  if (cipher !== 'AES256') throw new VaultFormatError(`unsupported vault cipher '${cipher}' (only AES256 exists)`);
  if (version !== '1.1' && version !== '1.2') throw new VaultFormatError(`unsupported vault format version '${version}'`);
  const payload = lines.slice(1).map((l) => l.trim()).join('');
  return { version, cipher, ...(label ? { label } : {}), payload };
}

function unhex(text: string, what: string): Buffer {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new VaultFormatError(`the vault ${what} is not hexadecimal`);
  return Buffer.from(text, 'hex');
}

interface Parts {
  readonly salt: Buffer;
  readonly hmac: Buffer;
  readonly ciphertext: Buffer;
}

function splitPayload(payload: string): Parts {
  const inner = unhex(payload, 'payload').toString('latin1').split('\n');
  if (inner.length !== 3) throw new VaultFormatError('the vault payload must hold salt, HMAC and ciphertext');
  const [salt = '', hmac = '', ciphertext = ''] = inner;
  return { salt: unhex(salt, 'salt'), hmac: unhex(hmac, 'HMAC'), ciphertext: unhex(ciphertext, 'ciphertext') };
}

interface Keys {
  readonly aes: Buffer;
  readonly mac: Buffer;
  readonly iv: Buffer;
}

function deriveKeys(password: Buffer, salt: Buffer): Keys {
  const derived = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY_BYTES + IV_BYTES, 'sha256');
  return { aes: derived.subarray(0, KEY_BYTES), mac: derived.subarray(KEY_BYTES, 2 * KEY_BYTES), iv: derived.subarray(2 * KEY_BYTES) };
}

function pad(data: Buffer): Buffer {
  const n = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function unpad(data: Buffer): Buffer {
  const n = data[data.length - 1] ?? 0;
  if (data.length % BLOCK !== 0 || n < 1 || n > BLOCK || !data.subarray(data.length - n).every((b) => b === n)) {
    throw new VaultFormatError('bad padding after decryption');
  }
  return data.subarray(0, data.length - n);
}

/** Decrypts with one secret; undefined when its HMAC does not match (a wrong password). */
function openWith(parts: Parts, password: Buffer): Buffer | undefined {
  const keys = deriveKeys(password, parts.salt);
  const mac = createHmac('sha256', keys.mac).update(parts.ciphertext).digest();
  if (mac.length !== parts.hmac.length || !timingSafeEqual(mac, parts.hmac)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', keys.aes, keys.iv);
  return unpad(Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]));
}

/**
 * Secrets in the order Ansible tries them: those whose label is the envelope's vault id (or
 * `default` for 1.1) first, then every other one (DEFAULT_VAULT_ID_MATCH is false by default).
 */
export function candidateSecrets(secrets: readonly VaultSecret[], label: string | undefined): VaultSecret[] {
  const wanted = label ?? DEFAULT_LABEL;
  return [...secrets.filter((s) => s.label === wanted), ...secrets.filter((s) => s.label !== wanted)];
}

export interface Opened {
  readonly plaintext: Buffer;
  /** The label of the secret that opened it. */
  readonly label: string;
}

export function decryptVault(text: string, secrets: readonly VaultSecret[]): Opened {
  const envelope = parseEnvelope(text);
  const parts = splitPayload(envelope.payload);
  for (const secret of candidateSecrets(secrets, envelope.label)) {
    const plaintext = openWith(parts, secret.password);
    if (plaintext) return { plaintext, label: secret.label };
  }
  throw new VaultPasswordError(secrets.length ? 'no given vault password opens it' : 'no vault password was given');
}

/** Encrypts as ansible-vault does: 1.1 for the default id, 1.2 with the label otherwise. */
export function encryptVault(plaintext: Buffer | string, secret: VaultSecret, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const keys = deriveKeys(secret.password, salt);
  const cipher = createCipheriv('aes-256-ctr', keys.aes, keys.iv);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const ciphertext = Buffer.concat([cipher.update(pad(data)), cipher.final()]);
  const hmac = createHmac('sha256', keys.mac).update(ciphertext).digest();
  const payload = Buffer.from([salt.toString('hex'), hmac.toString('hex'), ciphertext.toString('hex')].join('\n'), 'latin1').toString('hex');
  const header = secret.label && secret.label !== DEFAULT_LABEL ? `${VAULT_HEADER};1.2;AES256;${secret.label}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = [header];
  for (let i = 0; i < payload.length; i += LINE) lines.push(payload.slice(i, i + LINE));
  return `${lines.join('\n')}\n`;
}

/** ansible-vault encrypt_string's YAML: `NAME: !vault |` and the envelope indented by 10. */
export function inlineVaultYaml(envelope: string, name?: string): string {
  const head = `${name ? `${name}: ` : ''}!vault |`;
  return [head, ...envelope.trimEnd().split('\n').map((line) => `${' '.repeat(10)}${line}`)].join('\n');
}
