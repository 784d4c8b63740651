/**
 * Every secret value known to the run (secret-named vars, and values tasks mark with ctx.secret)
 * is replaced before any text reaches stdout, stderr, --json or --diff.
 */
export const MASK = '********';

/** Variable names whose values are secrets wherever they appear. */
const SECRET_NAME = /(pass|passwd|password|secret|token|certificate_key|private_key|auth_key|api_key)$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export class Redactor {
  private values: string[] = [];

  add(value: unknown): void {
    if (typeof value === 'number') value = String(value);
    if (typeof value !== 'string') return;
    // Very short values would mask ordinary words; keepalived still uses 8-char passwords, keep >= 4.
    if (value.length < 4 || this.values.includes(value)) return;
    this.values.push(value);
    this.values.sort((a, b) => b.length - a.length);
  }

  /** Whether `value` is registered as secret (templates built from it become secret too). */
  has(value: string): boolean {
    return this.values.includes(value);
  }

  /** Registers the values of secret-named keys found anywhere in a vars tree. */
  addFromVars(vars: unknown, depth = 0): void {
    if (depth > 8 || vars === null || typeof vars !== 'object') return;
    for (const [key, value] of Object.entries(vars as Record<string, unknown>)) {
      if (isSecretName(key)) this.add(value);
      else this.addFromVars(value, depth + 1);
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

/** Scripts shown at -vvv: base64 payloads (file contents) are summarised, never printed. */
export function summariseScript(script: string): string {
  return script.replace(/[A-Za-z0-9+/]{64,}={0,2}/g, (blob) => `<${Math.floor((blob.length * 3) / 4)} bytes of base64>`);
}
