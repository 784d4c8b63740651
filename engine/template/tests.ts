/**
 * Jinja2's tests (`x is defined`, `x is number`...) and the ones ansible-core adds (match,
 * search, version, subset...), with Python's types: a bool is a number, a string is a sequence.
 */
import type { Args } from './py-args.js';
import { contains } from './py-ops.js';
import { pyRegex } from './py-regex.js';
import { defined, isDict, isFloat, isNumeric, LazyMapping, num, pyCompare, pyEquals, pyIter, pyLess, pyStr, TemplateFailure, truthy, Undefined } from './py-values.js';
import type { Test } from './filters.js';

/** distutils' LooseVersion, which Ansible's `version` test uses by default. */
function looseVersion(text: string): Array<number | string> {
  return text
    .split(/(\d+|[a-z]+|\.)/i)
    .filter((part) => part !== '' && part !== '.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const VERSION_OPS: Readonly<Record<string, (c: number) => boolean>> = {
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  ne: (c) => c !== 0,
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
};

function versionTest(value: unknown, args: Args): boolean {
  const op = String(args.get(1, 'operator', 'eq'));
  const check = VERSION_OPS[op];
  if (!check) throw new TemplateFailure('version: invalid operator');
  return check(pyCompare(looseVersion(pyStr(value)), looseVersion(pyStr(args.get(0, 'version', '')))));
}

function regexTest(kind: 'match' | 'search' | 'fullmatch'): Test {
  return (value, args) => {
    const pattern = pyStr(args.get(0, 'pattern', ''));
    const flags = { ignorecase: truthy(args.get(1, 'ignorecase', false)), multiline: truthy(args.get(2, 'multiline', false)) };
    const anchored = kind === 'search' ? pattern : kind === 'match' ? `^(?:${pattern})` : `^(?:${pattern})$`;
    return pyRegex(anchored, flags).test(pyStr(value));
  };
}

const compareTest =
  (op: (a: unknown, b: unknown) => boolean): Test =>
  (value, args) =>
    op(value, args.positional[0]);

export function makeTests(): Record<string, Test> {
  const tests: Record<string, Test> = {
    defined: (value) => !(value instanceof Undefined),
    undefined: (value) => value instanceof Undefined,
    none: (value) => value === null,
    string: (value) => typeof value === 'string',
    number: (value) => isNumeric(value),
    integer: (value) => typeof value === 'number' && !isFloat(value),
    float: (value) => isFloat(value),
    boolean: (value) => typeof value === 'boolean',
    true: (value) => value === true,
    false: (value) => value === false,
    mapping: (value) => isDict(value) || value instanceof LazyMapping,
    sequence: (value) => typeof value === 'string' || Array.isArray(value) || isDict(value) || value instanceof LazyMapping,
    iterable: (value) => typeof value === 'string' || Array.isArray(value) || isDict(value) || value instanceof LazyMapping,
    callable: (value) => typeof value === 'function',
    sameas: (value, args) => value === args.positional[0],
    eq: compareTest(pyEquals),
    ne: compareTest((a, b) => !pyEquals(a, b)),
    lt: compareTest((a, b) => pyLess(a, b)),
    le: compareTest((a, b) => pyLess(a, b) || pyEquals(a, b)),
    gt: compareTest((a, b) => pyLess(b, a)),
    ge: compareTest((a, b) => pyLess(b, a) || pyEquals(a, b)),
    in: (value, args) => contains(value, args.positional[0]),
    contains: (value, args) => contains(args.positional[0], value),
    divisibleby: (value, args) => num(defined(value)) % num(args.positional[0]) === 0,
    even: (value) => num(defined(value)) % 2 === 0,
    odd: (value) => Math.abs(num(defined(value)) % 2) === 1,
    lower: (value) => pyStr(value) === pyStr(value).toLowerCase(),
    upper: (value) => pyStr(value) === pyStr(value).toUpperCase(),
    truthy: (value) => truthy(value),
    falsy: (value) => !truthy(value),
    match: regexTest('match'),
    search: regexTest('search'),
    regex: (value, args) => regexTest(String(args.keywords.match_type ?? 'search') as 'search')(value, args),
    version: versionTest,
    version_compare: versionTest,
    subset: (value, args) => pyIter(value).every((x) => contains(x, args.positional[0])),
    superset: (value, args) => pyIter(args.positional[0]).every((x) => contains(x, value)),
    any: (value) => pyIter(value).some(truthy),
    all: (value) => pyIter(value).every(truthy),
  };
  Object.assign(tests, {
    equalto: tests.eq,
    '==': tests.eq,
    '!=': tests.ne,
    '<': tests.lt,
    lessthan: tests.lt,
    '<=': tests.le,
    '>': tests.gt,
    greaterthan: tests.gt,
    '>=': tests.ge,
    null: tests.none,
  });
  return tests;
}
