/**
 * YAML documents loaded as `unknown`, with the line of any key path for error messages.
 * js-yaml does not report where keys are, so block-style YAML is scanned by indentation; flow
 * style falls back to the nearest enclosing key found.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { InputError, type SourceLocation } from './errors.js';

export type KeyPath = ReadonlyArray<string | number>;

export interface YamlDocument {
  readonly file: string;
  readonly data: unknown;
  locate(path: KeyPath): SourceLocation;
}

type ErrorClass = new (reason: string, where?: SourceLocation, key?: string) => InputError;

export function parseYaml(file: string, text: string, ErrorType: ErrorClass = InputError): YamlDocument {
  let data: unknown;
  try {
    data = yaml.load(text, { filename: file });
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
  return { file, data, locate: (path) => ({ file, line: lineOf(tokens, path) }) };
}

export function readYamlFile(file: string, ErrorType: ErrorClass = InputError): YamlDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ErrorType(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file });
  }
  return parseYaml(file, text, ErrorType);
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
