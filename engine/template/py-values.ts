/**
 * Python's view of the values a template handles, so that results equal Ansible's: truthiness,
 * str()/repr(), equality and ordering, type names for errors. Values are plain JSON-like data,
 * plus three kinds Jinja2 has and JSON has not: Undefined (a name that resolved to nothing),
 * PyFloat (a float whose value is integral, so that 4 / 2 prints 2.0 as Python does) and lazy
 * mappings (hostvars, vars), whose entries are rendered only when read.
 *
 * Errors raised here never quote a value: only type names and variable names.
 */
import { pythonRepr } from '../inventory/python-repr.js';

/** A name (or attribute) that resolved to nothing; using it fails, testing it does not. */
export class Undefined {
  constructor(
    /** What the template asked for, e.g. `vip` or `hostvars.lb1.vip`. */
    readonly name: string,
    /** Why it is undefined when it is a variable whose own template failed. */
    readonly cause?: Error,
  ) {}
}

/** An integral float (2.0): JS has one number type, Python prints floats with a `.0`. */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return pythonRepr(this.value).replace(/^(-?\d+)$/, '$1.0');
  }
}

/** A mapping whose values are computed when read (hostvars, a host's vars). */
export abstract class LazyMapping {
  abstract get(key: string): unknown;
  abstract has(key: string): boolean;
  abstract keys(): string[];
  /** The whole mapping rendered, for str(), iteration and JSON. */
  materialize(): Record<string, unknown> {
    return Object.fromEntries(this.keys().map((k) => [k, this.get(k)]));
  }
}

/** Using an undefined value: the caller turns it into an error naming the variable. */
export class UndefinedUse extends Error {
  constructor(readonly undef: Undefined) {
    super(`'${undef.name}' is undefined`);
  }
}

/** A Python-level error inside a template (TypeError, ValueError...): message without values. */
export class TemplateFailure extends Error {}

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof PyFloat) && !(value instanceof Undefined) && !(value instanceof LazyMapping);
}

export function isNumber(value: unknown): value is number | PyFloat {
  return typeof value === 'number' || value instanceof PyFloat;
}

/** Python numbers include bools (True + 1 == 2). */
export function isNumeric(value: unknown): boolean {
  return isNumber(value) || typeof value === 'boolean';
}

export function isFloat(value: unknown): boolean {
  return value instanceof PyFloat || (typeof value === 'number' && !Number.isInteger(value));
}

export function num(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number(value);
}

/** A float result: integral floats are boxed so they keep printing as floats. */
export function float(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/** Throws when `value` is Undefined: every operation but tests and `default` does this first. */
export function defined<T>(value: T): T {
  if (value instanceof Undefined) throw new UndefinedUse(value);
  return value;
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (value instanceof Undefined) return 'AnsibleUndefined';
  if (typeof value === 'boolean') return 'bool';
  if (isFloat(value)) return 'float';
  if (typeof value === 'number') return 'int';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'function') return 'function';
  return 'dict';
}

export function truthy(value: unknown): boolean {
  defined(value);
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (isNumber(value)) return num(value) !== 0;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (value instanceof LazyMapping) return value.keys().length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Python's str(). */
export function pyStr(value: unknown): string {
  defined(value);
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

/** Python's repr() of template data (lists and dicts print their items' repr). */
export function pyRepr(value: unknown): string {
  defined(value);
  if (value instanceof PyFloat) return value.toString();
  if (value instanceof LazyMapping) return pyRepr(value.materialize());
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isDict(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  if (typeof value === 'function') return '<function>';
  return pythonRepr(value);
}

/** Python's ==: 1 == 1.0 == True, lists and dicts by content, '1' != 1. */
export function pyEquals(a: unknown, b: unknown): boolean {
  defined(a);
  defined(b);
  if (isNumeric(a) && isNumeric(b)) return num(a) === num(b);
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  const da = a instanceof LazyMapping ? a.materialize() : a;
  const db = b instanceof LazyMapping ? b.materialize() : b;
  if (isDict(da) && isDict(db)) {
    const ka = Object.keys(da);
    return ka.length === Object.keys(db).length && ka.every((k) => Object.prototype.hasOwnProperty.call(db, k) && pyEquals(da[k], db[k]));
  }
  return a === b;
}

/** Python's ordering (<): numbers with numbers, strings with strings, lists item by item. */
export function pyLess(a: unknown, b: unknown, op = '<'): boolean {
  defined(a);
  defined(b);
  if (isNumeric(a) && isNumeric(b)) return num(a) < num(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i], b[i])) return pyLess(a[i], b[i], op);
    }
    return a.length < b.length;
  }
  throw new TemplateFailure(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Python's sorting key order, used by sort/min/max. */
export function pyCompare(a: unknown, b: unknown): number {
  if (pyLess(a, b)) return -1;
  if (pyLess(b, a)) return 1;
  return 0;
}

/** Python's len(). */
export function pyLen(value: unknown): number {
  defined(value);
  if (typeof value === 'string') return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (value instanceof LazyMapping) return value.keys().length;
  if (isDict(value)) return Object.keys(value).length;
  throw new TemplateFailure(`object of type '${typeName(value)}' has no len()`);
}

/** What iterating over the value yields in Python: items, characters, or a mapping's keys. */
export function pyIter(value: unknown): unknown[] {
  defined(value);
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (value instanceof LazyMapping) return value.keys();
  if (isDict(value)) return Object.keys(value);
  throw new TemplateFailure(`'${typeName(value)}' object is not iterable`);
}

/** Template data as plain JSON-like data (lazy mappings rendered, floats unboxed). */
export function toPlain(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (value instanceof LazyMapping) return toPlain(value.materialize());
  if (Array.isArray(value)) return value.map(toPlain);
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}
