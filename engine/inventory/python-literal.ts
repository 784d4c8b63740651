/**
 * Python's `ast.literal_eval` for INI inventory values. Ansible runs every INI value
 * (`host a=1`, `[group:vars]` lines) through literal_eval and keeps the raw text when it fails,
 * so `1` is a number, `True` a boolean, `[1, 2]` a list, `'x'` the string x and `yes` stays 'yes'.
 *
 * Tuples and sets become arrays (JSON has nothing else); complex numbers, bytes and f-strings are
 * not literals we can represent, so they fail like a syntax error and the raw text is kept.
 */

export type PyLiteral = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

export interface LiteralOptions {
  /**
   * Also read JSON's true/false/null as True/False/None: Ansible's templating does so when it
   * turns a rendered '[...]' or '{...}' back into data (its Json2Python transformer).
   */
  readonly jsonNames?: boolean;
}

const JSON_NAMES: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['true', true],
  ['false', false],
  ['null', null],
]);

/** Evaluates `text` as a Python literal; `{ ok: false }` where Python raises ValueError/SyntaxError. */
export function parsePythonLiteral(text: string, options: LiteralOptions = {}): PyLiteral {
  try {
    // literal_eval strips leading spaces and tabs (not other whitespace) before parsing.
    const parser = new LiteralParser(tokenize(text.replace(/^[ \t]+/, '')), options.jsonNames ?? false);
    return { ok: true, value: parser.parseTop() };
  } catch (err) {
    if (err instanceof LiteralSyntaxError) return { ok: false };
    throw err;
  }
}

/** The INI value as Ansible stores it: the literal when it is one, else the text unchanged. */
export function iniValue(text: string): unknown {
  const parsed = parsePythonLiteral(text);
  return parsed.ok ? parsed.value : text;
}

class LiteralSyntaxError extends Error {}

type Token =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'end' };

const DIGITS = String.raw`[0-9](?:_?[0-9])*`;
const EXPONENT = String.raw`[eE][+-]?${DIGITS}`;
const NUMBER_PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`^0[bB](?:_?[01])+`),
  new RegExp(String.raw`^0[oO](?:_?[0-7])+`),
  new RegExp(String.raw`^0[xX](?:_?[0-9a-fA-F])+`),
  // floats before ints so that `1.5` is not read as `1` then `.5`
  new RegExp(String.raw`^(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.)(?:${EXPONENT})?`),
  new RegExp(String.raw`^${DIGITS}${EXPONENT}`),
  new RegExp(String.raw`^(?:[1-9](?:_?[0-9])*|0+(?:_?0)*)`),
];
const STRING_START = /^([rRbBuUfF]{0,2})('''|"""|'|")/;
const NAME = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/u;
const IDENT_CHAR = /[\p{L}\p{N}_.]/u;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let depth = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    const rest = src.slice(i);
    if (ch === ' ' || ch === '\t' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      // Outside brackets a newline ends the expression: only trailing blank space may follow.
      if (depth === 0 && rest.trim() !== '' && !rest.trim().startsWith('#')) throw new LiteralSyntaxError();
      i++;
      continue;
    }
    if (ch === '#') {
      const nl = src.indexOf('\n', i);
      i = nl === -1 ? src.length : nl;
      continue;
    }
    const str = STRING_START.exec(rest);
    if (str && (str[1] !== '' || ch === "'" || ch === '"')) {
      const [value, length] = readString(rest, str[1] ?? '', str[2] ?? "'");
      tokens.push({ kind: 'string', value });
      i += length;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const [value, length] = readNumber(rest);
      tokens.push({ kind: 'number', value });
      i += length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      i += name[0].length;
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if ('()[]{},:+-'.includes(ch)) {
      tokens.push({ kind: 'op', value: ch });
      i++;
      continue;
    }
    throw new LiteralSyntaxError();
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

function readNumber(rest: string): [number, number] {
  for (const pattern of NUMBER_PATTERNS) {
    const m = pattern.exec(rest);
    if (!m) continue;
    const text = m[0];
    // `0777`, `1_`, `1abc`, `1j` (complex): Python rejects or builds something we cannot keep.
    if (IDENT_CHAR.test(rest[text.length] ?? '')) throw new LiteralSyntaxError();
    const clean = text.replace(/_/g, '');
    const lower = clean.toLowerCase();
    if (lower.startsWith('0b')) return [parseInt(clean.slice(2), 2), text.length];
    if (lower.startsWith('0o')) return [parseInt(clean.slice(2), 8), text.length];
    if (lower.startsWith('0x')) return [parseInt(clean.slice(2), 16), text.length];
    return [Number(clean), text.length];
  }
  throw new LiteralSyntaxError();
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Reads one string literal from the start of `rest`; returns its value and source length. */
function readString(rest: string, prefix: string, quote: string): [string, number] {
  const lowerPrefix = prefix.toLowerCase();
  // bytes and f-strings are not plain-string constants: literal_eval cannot give a str for them.
  if (lowerPrefix.includes('b') || lowerPrefix.includes('f')) throw new LiteralSyntaxError();
  // Every valid two-letter prefix involves b or f; the others (ur, rr, uu) are syntax errors.
  if (lowerPrefix.length === 2) throw new LiteralSyntaxError();
  const raw = lowerPrefix.includes('r');
  const triple = quote.length === 3;
  let i = prefix.length + quote.length;
  let out = '';
  while (i < rest.length) {
    if (rest.startsWith(quote, i)) return [out, i + quote.length];
    const ch = rest[i] as string;
    if (!triple && (ch === '\n' || ch === '\r')) throw new LiteralSyntaxError();
    if (ch === '\\') {
      const next = rest[i + 1];
      if (next === undefined) throw new LiteralSyntaxError();
      if (raw) {
        // In raw strings a backslash still stops the next quote from ending the string.
        out += ch + next;
        i += 2;
        continue;
      }
      const [decoded, used] = decodeEscape(rest, i + 1);
      out += decoded;
      i += 1 + used;
      continue;
    }
    out += ch;
    i++;
  }
  throw new LiteralSyntaxError();
}

function decodeEscape(rest: string, at: number): [string, number] {
  const next = rest[at] as string;
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return [simple, 1];
  if (next === '\n') return ['', 1];
  const octal = /^[0-7]{1,3}/.exec(rest.slice(at));
  if (octal) return [String.fromCodePoint(parseInt(octal[0], 8)), octal[0].length];
  const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
  if (hexLength) {
    const hex = rest.slice(at + 1, at + 1 + hexLength);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) throw new LiteralSyntaxError();
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw new LiteralSyntaxError();
    return [String.fromCodePoint(code), 1 + hexLength];
  }
  // \N{NAME} needs the Unicode name table: treat as unparseable, the raw text is kept.
  if (next === 'N') throw new LiteralSyntaxError();
  // Unknown escapes keep their backslash in Python.
  return ['\\' + next, 1];
}

class LiteralParser {
  private pos = 0;
  /** The last atom was a bare number constant: only those may take a sign in literal_eval. */
  private signable = false;
  constructor(
    private readonly tokens: Token[],
    private readonly jsonNames: boolean,
  ) {}

  parseTop(): unknown {
    const first = this.parseExpr();
    let value = first;
    if (this.isOp(',')) {
      // `1, 2` at the top level is a tuple.
      const items = [first];
      while (this.isOp(',')) {
        this.pos++;
        if (this.peek().kind === 'end') break;
        items.push(this.parseExpr());
      }
      value = items;
    }
    if (this.peek().kind !== 'end') throw new LiteralSyntaxError();
    return value;
  }

  private peek(): Token {
    return this.tokens[this.pos] ?? { kind: 'end' };
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === op;
  }

  private expectOp(op: string): void {
    if (!this.isOp(op)) throw new LiteralSyntaxError();
    this.pos++;
  }

  private parseExpr(): unknown {
    const t = this.peek();
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.pos++;
      // Only a number may be signed (`-True`, `--1` are rejected by literal_eval).
      const operand = this.parseAtom();
      if (typeof operand !== 'number' || !this.signable) throw new LiteralSyntaxError();
      // A signed number is a UnaryOp, not a constant: it cannot be signed again (`-(-1)`).
      this.signable = false;
      return this.checkNoBinary(t.value === '-' ? -operand : operand);
    }
    return this.checkNoBinary(this.parseAtom());
  }

  /** `1+2` is a BinOp that literal_eval only accepts for complex numbers, which we do not keep. */
  private checkNoBinary(value: unknown): unknown {
    if (this.isOp('+') || this.isOp('-')) throw new LiteralSyntaxError();
    return value;
  }

  private parseAtom(): unknown {
    const t = this.peek();
    this.signable = false;
    switch (t.kind) {
      case 'number':
        this.pos++;
        this.signable = true;
        return t.value;
      case 'string': {
        // Adjacent string literals concatenate: 'a' 'b' == 'ab'.
        let out = '';
        for (let next = this.peek(); next.kind === 'string'; next = this.peek()) {
          out += next.value;
          this.pos++;
        }
        return out;
      }
      case 'name':
        this.pos++;
        if (t.value === 'True') return true;
        if (t.value === 'False') return false;
        if (t.value === 'None') return null;
        if (this.jsonNames && JSON_NAMES.has(t.value)) return JSON_NAMES.get(t.value);
        throw new LiteralSyntaxError();
      case 'op':
        if (t.value === '[') return this.parseList();
        if (t.value === '(') return this.parseParen();
        if (t.value === '{') return this.parseBrace();
        throw new LiteralSyntaxError();
      default:
        throw new LiteralSyntaxError();
    }
  }

  private parseList(): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    while (!this.isOp(']')) {
      items.push(this.parseExpr());
      if (this.isOp(',')) this.pos++;
      else if (!this.isOp(']')) throw new LiteralSyntaxError();
    }
    this.pos++;
    return items;
  }

  private parseParen(): unknown {
    this.pos++;
    if (this.isOp(')')) {
      this.pos++;
      return [];
    }
    const first = this.parseExpr();
    const signable = this.signable;
    if (this.isOp(')')) {
      // A parenthesised expression is the expression itself: -(1) is still a signed number.
      this.pos++;
      this.signable = signable;
      return first;
    }
    const items = [first];
    while (this.isOp(',')) {
      this.pos++;
      if (this.isOp(')')) break;
      items.push(this.parseExpr());
    }
    this.expectOp(')');
    this.signable = false;
    return items;
  }

  private parseBrace(): unknown {
    this.pos++;
    if (this.isOp('}')) {
      this.pos++;
      return {};
    }
    const firstKey = this.parseExpr();
    if (!this.isOp(':')) {
      // A set literal: JSON has no sets, keep its members as a list.
      const items = [firstKey];
      while (this.isOp(',')) {
        this.pos++;
        if (this.isOp('}')) break;
        items.push(this.parseExpr());
      }
      this.expectOp('}');
      return items;
    }
    const out: Record<string, unknown> = {};
    let key = firstKey;
    for (;;) {
      this.expectOp(':');
      out[jsonKey(key)] = this.parseExpr();
      if (this.isOp(',')) this.pos++;
      else if (!this.isOp('}')) throw new LiteralSyntaxError();
      if (this.isOp('}')) break;
      key = this.parseExpr();
    }
    this.pos++;
    return out;
  }
}

/** How Python's json.dumps writes a dict key (what ansible-inventory --list shows). */
function jsonKey(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key === true) return 'true';
  if (key === false) return 'false';
  if (key === null) return 'null';
  if (typeof key === 'number') return String(key);
  // Lists and dicts are unhashable: Python raises, and Ansible then keeps the raw text.
  throw new LiteralSyntaxError();
}
