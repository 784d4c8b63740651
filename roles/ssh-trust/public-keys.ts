/**
 * OpenSSH public key lines (authorized_keys, *.pub, known_hosts bodies): parsing enough to tell
 * whether a key is already there, whatever its comment or options.
 */

const KEY_TYPE =
  /^(?:ssh-ed25519|ssh-rsa|ssh-dss|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$/;
const KEY_BODY = /^[A-Za-z0-9+/]+={0,3}$/;

export interface PublicKey {
  readonly type: string;
  readonly body: string;
  readonly comment?: string;
}

export function isKeyType(token: string): boolean {
  return KEY_TYPE.test(token);
}

/** The key in a line, skipping any leading options (authorized_keys) or host list (known_hosts). */
export function findKey(line: string): PublicKey | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const tokens = trimmed.split(/\s+/);
  const at = tokens.findIndex((t, i) => isKeyType(t) && KEY_BODY.test(tokens[i + 1] ?? ''));
  if (at < 0) return undefined;
  const comment = tokens.slice(at + 2).join(' ');
  return { type: tokens[at]!, body: tokens[at + 1]!, ...(comment ? { comment } : {}) };
}

/** A line that is exactly one public key (type, body, optional comment), as in a .pub file. */
export function parsePublicKeyLine(line: string): PublicKey | undefined {
  const key = findKey(line);
  return key && line.trim().startsWith(key.type) ? key : undefined;
}

export function formatKey(key: PublicKey): string {
  return key.comment ? `${key.type} ${key.body} ${key.comment}` : `${key.type} ${key.body}`;
}

export function sameKey(a: PublicKey, b: PublicKey): boolean {
  return a.type === b.type && a.body === b.body;
}
