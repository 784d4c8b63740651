/**
 * YAML documents loaded as `unknown`, with the line of any key path for error messages.
 * js-yaml does not report where keys are, so block-style YAML is scanned by indentation; flow
 * style falls back to the nearest enclosing key found.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { InputError, type SourceLocation } from '../errors.js';
import { Vault, VAULT_TAG } from '../vault/index.js';

/** js-yaml's default schema plus Ansible's `!vault |` values. */
const SCHEMA = yaml.DEFAULT_SCHEMA.extend([VAULT_TAG]);

export type KeyPath = ReadonlyArray<string | number>;

export interface YamlDocument {
  readonly file: string;
  readonly data: unknown;
  locate(path: KeyPath): SourceLocation;
}

type ErrorClass = new (reason: string, where?: SourceLocation, key?: string) => InputError;

/**
 * A file encrypted as a whole is opened first (its lines are then the plaintext's); !vault values
 * are opened after parsing. Without a vault, either one is an error naming file, line and key.
 */
export function parseYaml(file: string, text: string, ErrorType: ErrorClass = InputError, vault: Vault = new Vault()): YamlDocument {
  text = vault.openFile(text, file);
  let data: unknown;
  try {
    data = yaml.load(text, { filename: file, schema: SCHEMA });
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const mark = err.mark as { line?: number; column?: number } | undefined;
      throw new ErrorType(`YAML syntax error: ${err.reason}`, {
        file,
        line: mark?.line !== undefined ? mark.line + 1 : undefined,
        column: mark?.column !== undefined ? mark.column + 1 : undefined,
      });
    }
    throw err;
  }
  const tokens = tokenize(text);
  const locate = (path: KeyPath): SourceLocation => ({ file, line: lineOf(tokens, path) });
  return { file, data: vault.reveal(data, file, locate), locate };
}

export function readYamlFile(file: string, ErrorType: ErrorClass = InputError, vault?: Vault): YamlDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ErrorType(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file });
  }
  return parseYaml(file, text, ErrorType, vault);
}

interface Token {
  line: number;
  indent: number;
  kind: 'item' | 'key' | 'other';
  key?: string;
}

const KEY = /^(?:"([^"]*)"|'([^']*)'|([^\s'"#][^:#]*?))\s*:(?:\s|$)/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = index + 1;
    const content = rawLine.replace(/\s+$/, '');
    if (!content.trim() || content.trim().startsWith('#') || content.startsWith('---')) return;
    let col = content.length - content.trimStart().length;
    let rest = content.trimStart();
    while (rest === '-' || rest.startsWith('- ')) {
      tokens.push({ line, indent: col, kind: 'item' });
      const after = rest.slice(1);
      const spaces = after.length - after.trimStart().length;
      col += 1 + spaces;
      rest = after.trimStart();
    }
    if (!rest) return;
    const match = KEY.exec(rest);
    const key = match ? (match[1] ?? match[2] ?? match[3]) : undefined;
    tokens.push(key !== undefined ? { line, indent: col, kind: 'key', key: key.trim() } : { line, indent: col, kind: 'other' });
  });
  return tokens;
}

function lineOf(tokens: Token[], path: KeyPath): number {
  let lo = 0;
  let hi = tokens.length;
  let found = 1;
  for (const step of path) {
    const range = tokens.slice(lo, hi);
    if (range.length === 0) break;
    const minIndent = Math.min(...range.map((t) => t.indent));
    let at = -1;
    if (typeof step === 'number') {
      const items = range.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === 'item' && t.indent === minIndent);
      at = items[step] ? lo + items[step]!.i : -1;
    } else {
      const i = range.findIndex((t) => t.kind === 'key' && t.indent === minIndent && t.key === step);
      at = i >= 0 ? lo + i : -1;
    }
    if (at < 0) break;
    const token = tokens[at]!;
    found = token.line;
    let end = at + 1;
    while (end < hi) {
      const next = tokens[end]!;
      if (next.indent < token.indent || (next.indent === token.indent && (typeof step === 'number' || next.kind !== 'item'))) break;
      end++;
    }
    lo = at + 1;
    hi = end;
  }
  return found;
}
