/**
 * Jinja2's operators with Python's semantics, called by the code the compiler emits
 * (template-compiler.ts): `+` adds numbers and joins strings or lists, `/` is true division,
 * `~` joins str() of both sides, `a.b` / `a['b']` read keys then Python methods, `x[1:]` slices.
 */
import { pythonMethod } from './py-methods.js';
import {
  defined,
  float,
  isDict,
  isFloat,
  isNumeric,
  LazyMapping,
  num,
  pyEquals,
  pyIter,
  pyLess,
  pyRepr,
  pyStr,
  TemplateFailure,
  typeName,
  Undefined,
} from './py-values.js';

function unsupported(op: string, a: unknown, b: unknown): never {
  throw new TemplateFailure(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function arithmetic(op: string, a: unknown, b: unknown, ints: (x: number, y: number) => number): number | ReturnType<typeof float> {
  if (!isNumeric(a) || !isNumeric(b)) unsupported(op, a, b);
  const result = ints(num(a), num(b));
  return isFloat(a) || isFloat(b) ? float(result) : result;
}

export function add(a: unknown, b: unknown): unknown {
  defined(a);
  defined(b);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (typeof a === 'string' || Array.isArray(a)) {
    throw new TemplateFailure(`can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`);
  }
  return arithmetic('+', a, b, (x, y) => x + y);
}

export function sub(a: unknown, b: unknown): unknown {
  return arithmetic('-', defined(a), defined(b), (x, y) => x - y);
}

export function mul(a: unknown, b: unknown): unknown {
  defined(a);
  defined(b);
  const repeat = (seq: unknown, times: unknown): unknown => {
    const n = Math.max(0, num(times));
    if (typeof seq === 'string') return seq.repeat(n);
    return Array.from({ length: n }, () => seq as unknown[]).flat();
  };
  if ((typeof a === 'string' || Array.isArray(a)) && isInt(b)) return repeat(a, b);
  if ((typeof b === 'string' || Array.isArray(b)) && isInt(a)) return repeat(b, a);
  return arithmetic('*', a, b, (x, y) => x * y);
}

function isInt(value: unknown): boolean {
  return isNumeric(value) && !isFloat(value);
}

function nonZero(b: unknown, what: string): void {
  if (isNumeric(b) && num(b) === 0) throw new TemplateFailure(what);
}

export function div(a: unknown, b: unknown): unknown {
  if (!isNumeric(defined(a)) || !isNumeric(defined(b))) unsupported('/', a, b);
  nonZero(b, 'division by zero');
  return float(num(a) / num(b));
}

export function floorDiv(a: unknown, b: unknown): unknown {
  nonZero(b, 'integer division or modulo by zero');
  return arithmetic('//', defined(a), defined(b), (x, y) => Math.floor(x / y));
}

export function mod(a: unknown, b: unknown): unknown {
  if (typeof defined(a) === 'string') return percentFormat(a as string, defined(b));
  nonZero(b, 'integer division or modulo by zero');
  return arithmetic('%', a, defined(b), (x, y) => ((x % y) + y) % y);
}

export function pow(a: unknown, b: unknown): unknown {
  const result = arithmetic('**', defined(a), defined(b), (x, y) => x ** y);
  return num(b) < 0 ? float(num(result)) : result;
}

export function neg(a: unknown): unknown {
  if (!isNumeric(defined(a))) throw new TemplateFailure(`bad operand type for unary -: '${typeName(a)}'`);
  return isFloat(a) ? float(-num(a)) : -num(a);
}

export function pos(a: unknown): unknown {
  if (!isNumeric(defined(a))) throw new TemplateFailure(`bad operand type for unary +: '${typeName(a)}'`);
  return typeof a === 'boolean' ? num(a) : a;
}

/** `~`: str() of both sides, as Jinja2's concat. */
export function concat(a: unknown, b: unknown): string {
  return pyStr(a) + pyStr(b);
}

/** Chained comparisons (`1 < x <= 3`) as Python evaluates them. */
export function compare(first: unknown, rest: readonly unknown[]): boolean {
  let left = first;
  for (let i = 0; i < rest.length; i += 2) {
    const op = rest[i] as string;
    const right = rest[i + 1];
    if (!compareOnce(left, op, right)) return false;
    left = right;
  }
  return true;
}

function compareOnce(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
    case '===':
      return pyEquals(a, b);
    case '!=':
    case '!==':
      return !pyEquals(a, b);
    case '<':
      return pyLess(a, b, op);
    case '>':
      return pyLess(b, a, op);
    case '<=':
      return pyLess(a, b, op) || pyEquals(a, b);
    case '>=':
      return pyLess(b, a, op) || pyEquals(a, b);
    default:
      throw new TemplateFailure(`unknown comparison operator`);
  }
}

/** Python's `in`. */
export function contains(item: unknown, container: unknown): boolean {
  defined(item);
  defined(container);
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new TemplateFailure(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (container instanceof LazyMapping) return typeof item === 'string' && container.has(item);
  if (isDict(container)) return typeof item === 'string' && Object.prototype.hasOwnProperty.call(container, item);
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  throw new TemplateFailure(`argument of type '${typeName(container)}' is not iterable`);
}

/**
 * `obj.key` and `obj[key]`: a mapping's key, a list's or string's index (negative counts from the
 * end), else a Python method of str, list or dict. Anything missing is Undefined, named `label`,
 * as Ansible's undefined values are chained until used.
 */
export function member(obj: unknown, key: unknown, label: string): unknown {
  if (obj instanceof Undefined) return obj;
  if (obj instanceof LazyMapping) {
    if (typeof key === 'string' && obj.has(key)) return obj.get(key);
    return new Undefined(label);
  }
  if (isDict(obj)) {
    const k = typeof key === 'number' ? String(key) : key;
    if (typeof k === 'string' && Object.prototype.hasOwnProperty.call(obj, k)) return obj[k];
  } else if ((Array.isArray(obj) || typeof obj === 'string') && typeof key === 'number' && Number.isInteger(key)) {
    const items = typeof obj === 'string' ? [...obj] : obj;
    const index = key < 0 ? items.length + key : key;
    if (index >= 0 && index < items.length) return items[index];
    return new Undefined(label);
  }
  if (typeof key === 'string') {
    const method = pythonMethod(obj, key);
    if (method) return method;
  }
  return new Undefined(label);
}

/** `x[start:stop:step]` on a list or string, as Python slices. */
export function slice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  defined(obj);
  const isText = typeof obj === 'string';
  if (!isText && !Array.isArray(obj)) throw new TemplateFailure(`'${typeName(obj)}' object is not subscriptable`);
  const items: unknown[] = isText ? [...(obj as string)] : (obj as unknown[]);
  const n = items.length;
  const by = step === null || step === undefined ? 1 : num(defined(step));
  if (by === 0) throw new TemplateFailure('slice step cannot be zero');
  const bound = (value: unknown, fallback: number, low: number, high: number): number => {
    if (value === null || value === undefined) return fallback;
    let i = num(defined(value));
    if (i < 0) i += n;
    return Math.min(Math.max(i, low), high);
  };
  const out: unknown[] = [];
  if (by > 0) {
    const from = bound(start, 0, 0, n);
    const to = bound(stop, n, 0, n);
    for (let i = from; i < to; i += by) out.push(items[i]);
  } else {
    const from = bound(start, n - 1, -1, n - 1);
    const to = bound(stop, -1, -1, n - 1);
    for (let i = from; i > to; i += by) out.push(items[i]);
  }
  return isText ? out.join('') : out;
}

/** The items a `for` loop walks: a list, a string's characters, or a mapping's keys. */
export function iterate(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return pyIter(value);
}

/** `'%s-%02d' % (a, b)`: printf-style formatting for the common conversions. */
export function percentFormat(format: string, args: unknown): string {
  const values = Array.isArray(args) ? [...args] : [args];
  const named = isDict(args) ? args : undefined;
  let used = 0;
  const out = format.replace(/%(\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdifrxXoeEgGc%])/g, (_m, _n, name: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const value = name !== undefined && named ? named[name] : values[used++];
    if (name === undefined && used > values.length) throw new TemplateFailure('not enough arguments for format string');
    let text = formatOne(value, conv, precision === undefined ? undefined : Number(precision), flags);
    const w = width === undefined || width === '*' ? 0 : Number(width);
    if (text.length < w) {
      if (flags.includes('-')) text = text.padEnd(w);
      else if (flags.includes('0') && /[dioxXeEfgG]/.test(conv)) text = (text.startsWith('-') ? '-' : '') + text.replace(/^-/, '').padStart(w - (text.startsWith('-') ? 1 : 0), '0');
      else text = text.padStart(w);
    }
    return text;
  });
  if (!named && used < values.length && !(values.length === 1 && isDict(values[0]))) {
    throw new TemplateFailure('not all arguments converted during string formatting');
  }
  return out;
}

function formatOne(value: unknown, conv: string, precision: number | undefined, flags: string): string {
  defined(value);
  const sign = (n: number, text: string): string => (n >= 0 && flags.includes('+') ? `+${text}` : n >= 0 && flags.includes(' ') ? ` ${text}` : text);
  switch (conv) {
    case 's':
      return precision === undefined ? pyStr(value) : pyStr(value).slice(0, precision);
    case 'r':
      return pyRepr(value);
    case 'c':
      return typeof value === 'string' ? value : String.fromCodePoint(num(value));
    default: {
      if (!isNumeric(value)) throw new TemplateFailure(`%${conv} format: a real number is required, not ${typeName(value)}`);
      const n = num(value);
      if ('di'.includes(conv)) return sign(n, String(Math.trunc(n)));
      if (conv === 'x' || conv === 'X') {
        const hex = Math.trunc(n).toString(16);
        return sign(n, conv === 'X' ? hex.toUpperCase() : hex);
      }
      if (conv === 'o') return sign(n, Math.trunc(n).toString(8));
      if (conv === 'e' || conv === 'E') return sign(n, n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2'));
      return sign(n, n.toFixed(precision ?? 6));
    }
  }
}
