/**
 * Python's json.dumps for to_json / to_nice_json: its separators (', ' and ': ' unless indented),
 * ensure_ascii (non-ASCII as \uXXXX), float repr (2.0), NaN/Infinity, optional key sorting.
 */
import { defined, isDict, LazyMapping, PyFloat, TemplateFailure, typeName } from './py-values.js';
import { pythonRepr } from '../inventory/python-repr.js';

export interface JsonOptions {
  readonly indent?: number;
  readonly sortKeys?: boolean;
  readonly separators?: readonly [string, string];
  readonly ensureAscii?: boolean;
}

function jsonString(s: string, ensureAscii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) {
      for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

function jsonNumber(n: number | PyFloat): string {
  const value = Number(n);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return n instanceof PyFloat ? n.toString() : pythonRepr(value);
}

export function pyJsonDumps(value: unknown, options: JsonOptions = {}): string {
  const indent = options.indent;
  const [itemSep, keySep] = options.separators ?? (indent === undefined ? [', ', ': '] : [',', ': ']);
  const ensureAscii = options.ensureAscii ?? true;
  const dump = (v: unknown, depth: number): string => {
    defined(v);
    if (v === null || v === undefined) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'number' || v instanceof PyFloat) return jsonNumber(v);
    if (typeof v === 'string') return jsonString(v, ensureAscii);
    const open = (items: string[], start: string, end: string): string => {
      if (items.length === 0) return start + end;
      if (indent === undefined) return start + items.join(itemSep) + end;
      const pad = '\n' + ' '.repeat(indent * (depth + 1));
      return start + pad + items.join(itemSep + pad) + '\n' + ' '.repeat(indent * depth) + end;
    };
    if (Array.isArray(v)) return open(v.map((x) => dump(x, depth + 1)), '[', ']');
    const dict = v instanceof LazyMapping ? v.materialize() : v;
    if (!isDict(dict)) throw new TemplateFailure(`Object of type ${typeName(v)} is not JSON serializable`);
    let keys = Object.keys(dict);
    if (options.sortKeys) keys = [...keys].sort();
    return open(keys.map((k) => jsonString(k, ensureAscii) + keySep + dump(dict[k], depth + 1)), '{', '}');
  };
  return dump(value, 0);
}
