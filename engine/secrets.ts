/**
 * Every secret value known to the run (secret-named vars, and values tasks mark with ctx.secret)
 * is replaced before any text reaches stdout, stderr, --json or --diff.
 */
export const MASK = '********';

/** Words that make a variable a secret wherever they appear in its name (`db_password`, `apiToken`). */
const SECRET_WORDS = new Set([
  'pass', 'passwd', 'password', 'passwords', 'passphrase', 'pwd', 'secret', 'secrets', 'token', 'tokens',
  'credential', 'credentials', 'creds', 'apikey', 'authkey', 'privatekey', 'psk',
]);
/** `<word>_key` names that hold key material (`access_key`, `certificate_key`), unlike `controller_key`. */
const KEY_QUALIFIERS = new Set(['private', 'api', 'auth', 'access', 'secret', 'encryption', 'signing', 'certificate', 'client', 'session', 'shared', 'master']);
/** A last word that makes the name describe a secret rather than hold one (`token_ttl`, `private_key_file`). */
const ABOUT_SUFFIXES = new Set(['file', 'path', 'dir', 'url', 'ttl', 'length', 'len', 'expiry', 'expires', 'age', 'enabled', 'mode', 'type']);
/** What the first rule of play matched (any name ending so), kept so no name stops being secret. */
const SECRET_ENDING = /(pass|passwd|password|secret|token|certificate_key|private_key|auth_key|api_key)$/i;

/** `aws_secret_access_key` -> [aws, secret, access, key]; `apiToken` -> [api, token]. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

export function isSecretName(name: string): boolean {
  if (SECRET_ENDING.test(name)) return true;
  const words = nameWords(name);
  if (words.length === 0 || ABOUT_SUFFIXES.has(words[words.length - 1]!)) return false;
  return words.some((w, i) => SECRET_WORDS.has(w) || (w === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)));
}

/**
 * The forms a value takes in output besides its own: inside a JSON string (--json, `inventory
 * --list`) and inside single quotes of a shell command (-vvv).
 */
function quotedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const shell = value.replace(/'/g, `'\\''`);
  return [json, shell].filter((form) => form !== value);
}

/** Values below this length would mask ordinary words: roles demand longer secrets where they can. */
export const MIN_REDACTED_LENGTH = 4;

export class Redactor {
  private values: string[] = [];

  /**
   * Registers a secret: a string or number, or every leaf of a list or mapping held by a secret
   * name. A value shared in several places (a YAML alias) is visited once.
   */
  add(value: unknown, depth = 0, seen = new Set<object>()): void {
    if (typeof value === 'number') value = String(value);
    if (value !== null && typeof value === 'object') {
      if (depth >= 8 || seen.has(value)) return;
      seen.add(value);
      Object.values(value).forEach((v) => this.add(v, depth + 1, seen));
      return;
    }
    if (typeof value !== 'string' || value.length < MIN_REDACTED_LENGTH) return;
    for (const form of [value, ...quotedForms(value)]) {
      if (!this.values.includes(form)) this.values.push(form);
    }
    this.values.sort((a, b) => b.length - a.length);
  }

  /** Whether `value` is registered as secret (templates built from it become secret too). */
  has(value: string): boolean {
    return this.values.includes(value);
  }

  /** Registers the values of secret-named keys found anywhere in a vars tree; a shared value is visited once. */
  addFromVars(vars: unknown, depth = 0, seen = new Set<object>()): void {
    if (depth > 8 || vars === null || typeof vars !== 'object' || seen.has(vars)) return;
    seen.add(vars);
    for (const [key, value] of Object.entries(vars as Record<string, unknown>)) {
      // Its own visit: a value walked before under a plain name is still a secret here.
      if (isSecretName(key)) this.add(value);
      else this.addFromVars(value, depth + 1, seen);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    return out;
  }

  get size(): number {
    return this.values.length;
  }
}

/**
 * A copy of a vars tree with the value of every secret-named key replaced by MASK, whatever its
 * length. A value shared in several places is copied once, and its copy shared the same way.
 */
export function maskSecretVars(vars: unknown, depth = 0, copies = new Map<object, unknown>()): unknown {
  if (depth > 64 || vars === null || typeof vars !== 'object') return vars;
  const done = copies.get(vars);
  if (done !== undefined) return done;
  const copy = Array.isArray(vars)
    ? vars.map((v) => maskSecretVars(v, depth + 1, copies))
    : Object.fromEntries(
        Object.entries(vars as Record<string, unknown>).map(([key, value]) => [key, isSecretName(key) && value !== null ? MASK : maskSecretVars(value, depth + 1, copies)]),
      );
  copies.set(vars, copy);
  return copy;
}

/**
 * Scripts shown at -vvv: file contents never appear. The `printf %s DATA | base64 -d` of a file
 * write is summarised whatever its length (a short secret is a short blob), and any other long
 * base64 run too.
 */
export function summariseScript(script: string): string {
  const bytes = (blob: string): string => `<${Math.floor((blob.replace(/=+$/, '').length * 3) / 4)} bytes of base64>`;
  return script
    .replace(/printf %s '?([A-Za-z0-9+/]*={0,2})'? \| base64 -d/g, (_, blob: string) => `printf %s ${bytes(blob)} | base64 -d`)
    .replace(/[A-Za-z0-9+/]{64,}={0,2}/g, bytes);
}
