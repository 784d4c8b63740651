/**
 * POSIX shell quoting for remote scripts. Remote hosts run /bin/sh (dash on Debian), so zx's
 * bash-only $'...' quoting cannot be used there; every value goes in single quotes instead.
 * Inventory values only ever reach a command through `sh` or `shq`, never by concatenation.
 */
export function shq(value: string | number): string {
  const text = String(value);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A fragment already quoted (or a trusted literal) that `sh` inserts as is. */
export class RawShell {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function raw(text: string): RawShell {
  return new RawShell(text);
}

type ShellValue = string | number | RawShell | readonly (string | number)[];

function quoteValue(value: ShellValue): string {
  if (value instanceof RawShell) return value.text;
  if (Array.isArray(value)) return value.map((v) => shq(v)).join(' ');
  return shq(value as string | number);
}

/** Tagged template: the literal parts are trusted script, every interpolation is quoted. */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += quoteValue(value) + (strings[i + 1] ?? '');
  });
  return out;
}

/** Content travels as base64 so any byte (quotes, $(), newlines, NUL) arrives literally. */
export function base64Of(content: string | Buffer): string {
  return Buffer.from(content).toString('base64');
}
