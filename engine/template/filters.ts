/**
 * The filters inventories use, with the results Ansible 2.14 gives (Jinja2 3.1's built-ins and
 * the ones ansible-core adds). nunjucks has filters of the same names, but with JavaScript's
 * notion of truth, str() and sorting, so these replace them.
 */
import { Args } from './py-args.js';
import { pyJsonDumps } from './py-json.js';
import { pySplit } from './py-methods.js';
import { member, mod } from './py-ops.js';
import { pyRegex, regexReplace } from './py-regex.js';
import {
  defined,
  float,
  isDict,
  isFloat,
  isNumber,
  isNumeric,
  LazyMapping,
  num,
  pyCompare,
  pyEquals,
  pyIter,
  pyLen,
  pyStr,
  TemplateFailure,
  truthy,
  typeName,
  Undefined,
  type Dict,
} from './py-values.js';

export type Filter = (value: unknown, args: Args) => unknown;
export type Test = (value: unknown, args: Args) => boolean;

/** How map/select reach the other filters and tests by name. */
export interface Registry {
  filter(name: string): Filter;
  test(name: string): Test;
}

/** Python's int() of a string; undefined where Python raises ValueError. */
export function pyIntFromString(text: string, base = 10): number | undefined {
  let s = text.trim().replace(/(?<=[0-9a-fA-F])_(?=[0-9a-fA-F])/g, '');
  const sign = s.startsWith('-') ? -1 : 1;
  s = s.replace(/^[+-]/, '');
  const prefixes: Record<number, RegExp> = { 16: /^0[xX]/, 8: /^0[oO]/, 2: /^0[bB]/ };
  if (prefixes[base]?.test(s)) s = s.slice(2);
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
  if (s === '' || ![...s.toLowerCase()].every((c) => digits.includes(c))) return undefined;
  return sign * parseInt(s, base);
}

/** Python's float() of a string; undefined where Python raises ValueError. */
export function pyFloatFromString(text: string): number | undefined {
  const s = text.trim().replace(/(?<=\d)_(?=\d)/g, '').toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(s)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

function toInt(value: unknown, fallback: unknown, base: number): unknown {
  defined(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (isNumber(value)) return Math.trunc(num(value));
  if (typeof value === 'string') {
    const parsed = pyIntFromString(value, base);
    if (parsed !== undefined) return parsed;
    // Jinja2's quirk: "42.23" | int is 42.
    const asFloat = pyFloatFromString(value);
    if (asFloat !== undefined && Number.isFinite(asFloat)) return Math.trunc(asFloat);
  }
  return fallback;
}

function toFloat(value: unknown, fallback: unknown): unknown {
  defined(value);
  if (isNumeric(value)) return float(num(value));
  if (typeof value === 'string') {
    const parsed = pyFloatFromString(value);
    if (parsed !== undefined) return float(parsed);
  }
  return fallback;
}

/** Ansible's `bool` filter: yes/on/1/true (any case) and 1 are true, None stays None. */
function toBool(value: unknown): unknown {
  defined(value);
  if (value === null || typeof value === 'boolean') return value;
  const v = typeof value === 'string' ? value.toLowerCase() : value;
  return ['yes', 'on', '1', 'true'].includes(v as string) || (isNumeric(v) && num(v) === 1);
}

/** Jinja2's attribute getter: `a.b.0` reads keys, then list indexes. */
function attrGetter(attribute: unknown): (item: unknown) => unknown {
  const parts = typeof attribute === 'number' ? [attribute] : String(attribute).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => parts.reduce<unknown>((obj, part) => member(obj, part, String(attribute)), item);
}

function lowerIfText(value: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof value === 'string' ? value.toLowerCase() : value;
}

function sortKey(args: Args, first: number): (item: unknown) => unknown {
  const caseSensitive = truthy(args.get(first, 'case_sensitive', false));
  const attribute = args.get(first + 1, 'attribute', null);
  if (attribute === null) return (item) => lowerIfText(item, caseSensitive);
  const getters = String(attribute).split(',').map((a) => attrGetter(a.trim()));
  return (item) => (getters.length === 1 ? lowerIfText(defined(getters[0]!(item)), caseSensitive) : getters.map((g) => lowerIfText(defined(g(item)), caseSensitive)));
}

function uniqueBy(items: readonly unknown[], key: (item: unknown) => unknown): unknown[] {
  const seen: unknown[] = [];
  const out: unknown[] = [];
  for (const item of items) {
    const k = key(item);
    if (seen.some((s) => pyEquals(s, k))) continue;
    seen.push(k);
    out.push(item);
  }
  return out;
}

function testWith(registry: Registry, args: Args, first: number): (item: unknown) => boolean {
  if (!args.has(first, '')) return (item) => truthy(item);
  const test = registry.test(String(args.positional[first]));
  const rest = new Args(args.rest(first + 1));
  return (item) => test(item, rest);
}

function selectFilter(registry: Registry, keep: boolean, byAttribute: boolean): Filter {
  return (value, args) => {
    const get = byAttribute ? attrGetter(args.positional[0]) : (x: unknown) => x;
    const test = testWith(registry, args, byAttribute ? 1 : 0);
    return pyIter(value).filter((item) => test(get(item)) === keep);
  };
}

function mapFilter(registry: Registry): Filter {
  return (value, args) => {
    const items = pyIter(value);
    if (args.positional.length === 0 && 'attribute' in args.keywords) {
      const get = attrGetter(args.keywords.attribute);
      const hasDefault = 'default' in args.keywords;
      return items.map((item) => {
        const got = get(item);
        return got instanceof Undefined && hasDefault ? args.keywords.default : got;
      });
    }
    if (args.positional.length === 0) throw new TemplateFailure('map: needs a filter name or attribute=');
    const filter = registry.filter(String(args.positional[0]));
    const rest = new Args([...args.rest(1), ...(Object.keys(args.keywords).length ? [{ ...args.keywords, __keywords: true }] : [])]);
    return items.map((item) => filter(item, rest));
  };
}

function flatten(list: unknown, levels: unknown, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const item of pyIter(list)) {
    if (skipNulls && (item === null || item === 'None' || item === 'null')) continue;
    if (Array.isArray(item) && (levels === null || num(levels) >= 1)) out.push(...flatten(item, levels === null ? null : num(levels) - 1, skipNulls));
    else out.push(item);
  }
  return out;
}

function combine(dicts: readonly unknown[], recursive: boolean): Dict {
  const merge = (a: Dict, b: Dict): Dict => {
    const out: Dict = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = recursive && isDict(out[k]) && isDict(v) ? merge(out[k] as Dict, v) : v;
    return out;
  };
  return dicts.flatMap((d) => (Array.isArray(d) ? d : [d])).reduce<Dict>((acc, d) => {
    const dict = d instanceof LazyMapping ? d.materialize() : d;
    if (!isDict(dict)) throw new TemplateFailure(`combine: expects dictionaries, got ${typeName(d)}`);
    return merge(acc, dict);
  }, {});
}

/** shlex.quote */
function shellQuote(text: string): string {
  if (text === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

function pyDirname(path: string): string {
  const i = path.lastIndexOf('/') + 1;
  const head = path.slice(0, i);
  return head && !/^\/+$/.test(head) ? head.replace(/\/+$/, '') : head;
}

function setOp(kind: 'difference' | 'intersect' | 'union' | 'symmetric_difference'): Filter {
  return (value, args) => {
    const a = pyIter(value);
    const b = pyIter(args.get(0, 'b', []));
    const inB = (x: unknown): boolean => b.some((y) => pyEquals(x, y));
    const inA = (x: unknown): boolean => a.some((y) => pyEquals(x, y));
    const same = (x: unknown): unknown => x;
    if (kind === 'difference') return uniqueBy(a.filter((x) => !inB(x)), same);
    if (kind === 'intersect') return uniqueBy(a.filter(inB), same);
    if (kind === 'union') return uniqueBy([...a, ...b], same);
    return uniqueBy([...a.filter((x) => !inB(x)), ...b.filter((x) => !inA(x))], same);
  };
}

function regexSearch(value: unknown, args: Args): unknown {
  const re = pyRegex(String(args.positional[0]), { ignorecase: truthy(args.keywords.ignorecase ?? false), multiline: truthy(args.keywords.multiline ?? false) });
  const m = re.exec(pyStr(value));
  if (!m) return null;
  const wanted = args.rest(1);
  if (wanted.length === 0) return m[0];
  return wanted.map((w) => {
    const ref = /^\\(?:g<(\w+)>|(\d+))$/.exec(String(w));
    if (!ref) throw new TemplateFailure('regex_search: unknown argument');
    return ref[1] !== undefined && !/^\d+$/.test(ref[1]) ? (m.groups?.[ref[1]] ?? null) : (m[Number(ref[1] ?? ref[2])] ?? null);
  });
}

function regexFindall(value: unknown, args: Args): unknown[] {
  const re = pyRegex(String(args.get(0, 'regex', '')), {
    multiline: truthy(args.get(1, 'multiline', false)),
    ignorecase: truthy(args.get(2, 'ignorecase', false)),
    global: true,
  });
  return [...pyStr(value).matchAll(re)].map((m) => (m.length === 1 ? m[0] : m.length === 2 ? (m[1] ?? '') : m.slice(1).map((g) => g ?? '')));
}

function firstOrLast(value: unknown, last: boolean): unknown {
  const items = pyIter(value);
  if (items.length === 0) return new Undefined(last ? 'No last item, sequence was empty.' : 'No first item, sequence was empty.');
  return last ? items[items.length - 1] : items[0];
}

function roundFilter(value: unknown, args: Args): unknown {
  const precision = num(args.get(0, 'precision', 0));
  const method = String(args.get(1, 'method', 'common'));
  const factor = 10 ** precision;
  const n = num(defined(value)) * factor;
  const rounded = method === 'ceil' ? Math.ceil(n) : method === 'floor' ? Math.floor(n) : Math.sign(n) * Math.round(Math.abs(n));
  return float(rounded / factor);
}

/** The filter table; `registry` lets map/select call the others. */
export function makeFilters(registry: Registry): Record<string, Filter> {
  const filters: Record<string, Filter> = {
    default: (value, args) => {
      const fallback = args.get(0, 'default_value', '');
      const boolean = truthy(args.get(1, 'boolean', false));
      return value instanceof Undefined || (boolean && !truthy(value)) ? fallback : value;
    },
    mandatory: (value, args) => {
      if (value instanceof Undefined) throw new TemplateFailure(String(args.get(0, 'msg', null) ?? 'Mandatory variable not defined.'));
      return value;
    },
    join: (value, args) => {
      const sep = pyStr(args.get(0, 'd', ''));
      const attribute = args.get(1, 'attribute', null);
      const items = pyIter(value);
      return (attribute === null ? items : items.map(attrGetter(attribute))).map(pyStr).join(sep);
    },
    lower: (value) => pyStr(value).toLowerCase(),
    upper: (value) => pyStr(value).toUpperCase(),
    capitalize: (value) => {
      const s = pyStr(value);
      return s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s;
    },
    title: (value) => pyStr(value).toLowerCase().replace(/(^|[^\w'])(\w)/g, (_m, p: string, c: string) => p + c.toUpperCase()),
    trim: (value, args) => {
      const chars = args.get(0, 'chars', null);
      const s = pyStr(value);
      if (chars === null) return s.replace(/^\s+|\s+$/g, '');
      const set = pyStr(chars);
      let a = 0;
      let b = s.length;
      while (a < b && set.includes(s[a]!)) a++;
      while (b > a && set.includes(s[b - 1]!)) b--;
      return s.slice(a, b);
    },
    int: (value, args) => toInt(value, args.get(0, 'default', 0), num(args.get(1, 'base', 10))),
    float: (value, args) => toFloat(value, args.get(0, 'default', float(0))),
    bool: (value) => toBool(value),
    string: (value) => pyStr(value),
    length: (value) => pyLen(value),
    first: (value) => firstOrLast(value, false),
    last: (value) => firstOrLast(value, true),
    replace: (value, args) => {
      const s = pyStr(value);
      const old = pyStr(args.get(0, 'old', ''));
      const replacement = pyStr(args.get(1, 'new', ''));
      const count = args.get(2, 'count', null);
      const parts = s.split(old);
      const n = count === null || num(count) < 0 ? parts.length : num(count) + 1;
      return [parts.slice(0, n).join(replacement), ...parts.slice(n)].join(old);
    },
    regex_replace: (value, args) =>
      regexReplace(pyStr(value === null ? '' : value), pyStr(args.get(0, 'pattern', '')), pyStr(args.get(1, 'replacement', '')), {
        ignorecase: truthy(args.get(2, 'ignorecase', false)),
        multiline: truthy(args.get(3, 'multiline', false)),
      }),
    regex_search: regexSearch,
    regex_findall: regexFindall,
    regex_escape: (value) => pyStr(value).replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`),
    split: (value, args) => {
      if (typeof defined(value) !== 'string') throw new TemplateFailure(`split: expects a string, got ${typeName(value)}`);
      return pySplit(value as string, args.get(0, 'sep', null), args.get(1, 'maxsplit', -1));
    },
    map: mapFilter(registry),
    select: selectFilter(registry, true, false),
    reject: selectFilter(registry, false, false),
    selectattr: selectFilter(registry, true, true),
    rejectattr: selectFilter(registry, false, true),
    unique: (value, args) => {
      const caseSensitive = truthy(args.get(0, 'case_sensitive', false));
      const attribute = args.get(1, 'attribute', null);
      const get = attribute === null ? (x: unknown) => x : attrGetter(attribute);
      return uniqueBy(pyIter(value), (item) => lowerIfText(get(item), caseSensitive));
    },
    sort: (value, args) => {
      const reverse = truthy(args.get(0, 'reverse', false));
      const key = sortKey(args, 1);
      const keyed = pyIter(value).map((item) => ({ item, key: key(item) }));
      keyed.sort((a, b) => pyCompare(a.key, b.key) * (reverse ? -1 : 1));
      return keyed.map((k) => k.item);
    },
    reverse: (value) => (typeof defined(value) === 'string' ? [...(value as string)].reverse().join('') : [...pyIter(value)].reverse()),
    list: (value) => [...pyIter(value)],
    min: (value, args) => extreme(value, args, -1),
    max: (value, args) => extreme(value, args, 1),
    sum: (value, args) => {
      const attribute = args.get(0, 'attribute', null);
      const items = pyIter(value).map(attribute === null ? (x: unknown) => x : attrGetter(attribute));
      return items.reduce<unknown>((acc, x) => {
        if (!isNumeric(acc) || !isNumeric(defined(x))) throw new TemplateFailure(`unsupported operand type(s) for +: '${typeName(acc)}' and '${typeName(x)}'`);
        return isFloat(acc) || isFloat(x) ? float(num(acc) + num(x)) : num(acc) + num(x);
      }, args.get(1, 'start', 0));
    },
    abs: (value) => {
      if (!isNumeric(defined(value))) throw new TemplateFailure(`bad operand type for abs(): '${typeName(value)}'`);
      return isFloat(value) ? float(Math.abs(num(value))) : Math.abs(num(value));
    },
    round: roundFilter,
    flatten: (value, args) => flatten(value, args.get(0, 'levels', null), truthy(args.get(1, 'skip_nulls', true))),
    combine: (value, args) => combine([value, ...args.positional], truthy(args.keywords.recursive ?? false)),
    dict2items: (value, args) => {
      const dict = value instanceof LazyMapping ? value.materialize() : defined(value);
      if (!isDict(dict)) throw new TemplateFailure(`dict2items requires a dictionary, got ${typeName(value)}`);
      const k = String(args.get(0, 'key_name', 'key'));
      const v = String(args.get(1, 'value_name', 'value'));
      return Object.entries(dict).map(([key, val]) => ({ [k]: key, [v]: val }));
    },
    items2dict: (value, args) => {
      const k = String(args.get(0, 'key_name', 'key'));
      const v = String(args.get(1, 'value_name', 'value'));
      return Object.fromEntries(pyIter(value).map((item) => [pyStr(member(item, k, k)), member(item, v, v)]));
    },
    items: (value) => {
      const dict = value instanceof LazyMapping ? value.materialize() : defined(value);
      if (!isDict(dict)) throw new TemplateFailure(`items: expects a mapping, got ${typeName(value)}`);
      return Object.entries(dict).map(([k, v]) => [k, v]);
    },
    ternary: (value, args) => {
      const noneValue = args.get(2, 'none_val', null);
      if (value === null && noneValue !== null) return noneValue;
      return truthy(value) ? args.get(0, 'true_val', null) : args.get(1, 'false_val', null);
    },
    to_json: (value, args) =>
      pyJsonDumps(value, {
        indent: args.keywords.indent === undefined || args.keywords.indent === null ? undefined : num(args.keywords.indent),
        sortKeys: truthy(args.keywords.sort_keys ?? false),
        ensureAscii: truthy(args.keywords.ensure_ascii ?? true),
      }),
    to_nice_json: (value, args) => pyJsonDumps(value, { indent: num(args.get(0, 'indent', 4)), sortKeys: truthy(args.get(1, 'sort_keys', true)), separators: [',', ': '] }),
    from_json: (value) => {
      try {
        return JSON.parse(pyStr(value));
      } catch {
        throw new TemplateFailure('from_json: the value is not valid JSON');
      }
    },
    b64encode: (value) => Buffer.from(pyStr(value), 'utf8').toString('base64'),
    b64decode: (value) => Buffer.from(pyStr(value), 'base64').toString('utf8'),
    quote: (value) => shellQuote(value === null ? '' : pyStr(value)),
    basename: (value) => pyStr(value).slice(pyStr(value).lastIndexOf('/') + 1),
    dirname: (value) => pyDirname(pyStr(value)),
    format: (value, args) => mod(pyStr(value), args.positional.length ? [...args.positional] : args.keywords),
    difference: setOp('difference'),
    intersect: setOp('intersect'),
    union: setOp('union'),
    symmetric_difference: setOp('symmetric_difference'),
  };
  filters.d = filters.default!;
  filters.count = filters.length!;
  return filters;
}

function extreme(value: unknown, args: Args, sign: 1 | -1): unknown {
  const key = sortKey(args, 0);
  const items = pyIter(value);
  if (items.length === 0) return new Undefined(`No aggregated item, sequence was empty.`);
  return items.reduce((best, item) => (pyCompare(key(item), key(best)) * sign > 0 ? item : best));
}
