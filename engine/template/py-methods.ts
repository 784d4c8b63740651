/**
 * The Python methods of str, list and dict that inventories call in templates
 * (`name.split('.')[0]`, `url.startswith('https')`, `d.items()`, `d.get('k', 1)`), with
 * Python's results. Methods that mutate are left out: templates compute values.
 */
import { Args } from './py-args.js';
import { defined, isDict, LazyMapping, pyEquals, pyStr, TemplateFailure, typeName, type Dict } from './py-values.js';

type Method = (...args: unknown[]) => unknown;

function text(value: unknown, what: string): string {
  if (typeof defined(value) !== 'string') throw new TemplateFailure(`${what}: must be str, not ${typeName(value)}`);
  return value as string;
}

const WHITESPACE = ' \t\n\r\v\f';

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === null || chars === undefined ? WHITESPACE : text(chars, 'strip');
  let start = 0;
  let end = s.length;
  if (left) while (start < end && set.includes(s[start]!)) start++;
  if (right) while (end > start && set.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/** Python's str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep: unknown = null, maxsplit: unknown = -1): string[] {
  const limit = Number(maxsplit);
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest !== '') {
      if (limit >= 0 && out.length === limit) {
        out.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const separator = text(sep, 'split');
  if (separator === '') throw new TemplateFailure('empty separator');
  const parts = s.split(separator);
  if (limit < 0 || parts.length <= limit + 1) return parts;
  return [...parts.slice(0, limit), parts.slice(limit).join(separator)];
}

function startsOrEnds(s: string, prefix: unknown, ends: boolean): boolean {
  const options = Array.isArray(prefix) ? prefix : [prefix];
  return options.some((p) => (ends ? s.endsWith(text(p, 'endswith')) : s.startsWith(text(p, 'startswith'))));
}

function strMethods(s: string): Record<string, Method> {
  return {
    split: (...a) => {
      const args = new Args(a);
      return pySplit(s, args.get(0, 'sep', null), args.get(1, 'maxsplit', -1));
    },
    rsplit: (...a) => {
      const args = new Args(a);
      const max = Number(args.get(1, 'maxsplit', -1));
      const sep = args.get(0, 'sep', null);
      if (max < 0 || sep === null) return pySplit(s, sep, max);
      const parts = pySplit(s, sep);
      const separator = text(sep, 'rsplit');
      return parts.length <= max + 1 ? parts : [parts.slice(0, parts.length - max).join(separator), ...parts.slice(parts.length - max)];
    },
    splitlines: () => s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/).filter((_l, i, all) => i < all.length - 1 || all[i] !== ''),
    strip: (chars) => stripChars(s, chars, true, true),
    lstrip: (chars) => stripChars(s, chars, true, false),
    rstrip: (chars) => stripChars(s, chars, false, true),
    lower: () => s.toLowerCase(),
    upper: () => s.toUpperCase(),
    title: () => s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
    capitalize: () => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
    startswith: (prefix) => startsOrEnds(s, prefix, false),
    endswith: (suffix) => startsOrEnds(s, suffix, true),
    replace: (old, replacement, count) => {
      const parts = s.split(text(old, 'replace'));
      const n = count === undefined || count === null || Number(count) < 0 ? parts.length : Number(count) + 1;
      return [parts.slice(0, n).join(text(replacement, 'replace')), ...parts.slice(n)].join(text(old, 'replace'));
    },
    find: (sub) => s.indexOf(text(sub, 'find')),
    rfind: (sub) => s.lastIndexOf(text(sub, 'rfind')),
    count: (sub) => s.split(text(sub, 'count')).length - 1,
    join: (items) => (Array.isArray(items) ? items : [...String(items)]).map((i) => text(i, 'join')).join(s),
    isdigit: () => /^\d+$/.test(s),
    isalpha: () => /^[A-Za-z]+$/.test(s),
    isalnum: () => /^[A-Za-z0-9]+$/.test(s),
    format: (...a) => strFormat(s, new Args(a)),
  };
}

/** str.format with `{}`, `{0}` and `{name}` fields (no format specs beyond the field). */
function strFormat(s: string, args: Args): string {
  let auto = 0;
  return s.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const name = (field ?? '').split(/[:!]/)[0] ?? '';
    let value: unknown;
    if (name === '') value = args.positional[auto++];
    else if (/^\d+$/.test(name)) value = args.positional[Number(name)];
    else value = args.keywords[name];
    if (value === undefined) throw new TemplateFailure('str.format: missing argument');
    return pyStr(value);
  });
}

function listMethods(list: readonly unknown[]): Record<string, Method> {
  return {
    index: (item) => {
      const i = list.findIndex((x) => pyEquals(x, item));
      if (i === -1) throw new TemplateFailure('list.index(x): x not in list');
      return i;
    },
    count: (item) => list.filter((x) => pyEquals(x, item)).length,
  };
}

function dictMethods(dict: Dict | LazyMapping): Record<string, Method> {
  const plain = (): Dict => (dict instanceof LazyMapping ? dict.materialize() : dict);
  return {
    items: () => Object.entries(plain()).map(([k, v]) => [k, v]),
    keys: () => Object.keys(plain()),
    values: () => Object.values(plain()),
    get: (key, fallback = null) => {
      if (typeof key !== 'string') return fallback;
      if (dict instanceof LazyMapping) return dict.has(key) ? dict.get(key) : fallback;
      return Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : fallback;
    },
  };
}

/** The bound method `name` of `obj`, or undefined when Python has none. */
export function pythonMethod(obj: unknown, name: string): Method | undefined {
  let table: Record<string, Method> | undefined;
  if (typeof obj === 'string') table = strMethods(obj);
  else if (Array.isArray(obj)) table = listMethods(obj);
  else if (isDict(obj) || obj instanceof LazyMapping) table = dictMethods(obj);
  return table && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}
