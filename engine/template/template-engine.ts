/**
 * Renders one Jinja2 template string as Ansible 2.14 does for variables (non-native mode):
 * nunjucks parses and runs it with Python semantics (template-compiler.ts), output goes through
 * Ansible's finalize (None prints nothing) and str(), and a result that reads as a Python or
 * JSON list, dict or boolean is turned back into data (ansible_eval_concat), unless the template
 * is a single `{{ x | to_json }}`-like expression whose filter keeps text.
 *
 * nunjucks earns its place: Jinja2's syntax (expressions, filters with keyword arguments, tests,
 * if/for blocks, macros, whitespace control), a maintained parser and code generator that runs
 * synchronously, and hooks to define filters and tests; we only swap JavaScript semantics for
 * Python's where they differ. Templates never read files: the environment has no loaders.
 */
import type nunjucks from 'nunjucks';
import { parsePythonLiteral } from '../inventory/python-literal.js';
import { makeFilters, type Filter, type Registry, type Test } from './filters.js';
import { Args } from './py-args.js';
import * as ops from './py-ops.js';
import { defined, float, pyStr, TemplateFailure, truthy, Undefined, UndefinedUse } from './py-values.js';
import { makeTests } from './tests.js';
import { compileTemplate, nunjucksLib, type CompiledSource } from './template-compiler.js';

/** What a template's names resolve to: a variable's (rendered) value, or Undefined. */
export interface TemplateScope {
  lookup(name: string): unknown;
}

/** Bad template syntax: fatal even under `default()`, as in Ansible. */
export class TemplateSyntaxError extends TemplateFailure {}

/** True when a string holds template markers and must go through the engine. */
export function isPossiblyTemplate(value: unknown): value is string {
  return typeof value === 'string' && (value.includes('{{') || value.includes('{%') || value.includes('{#'));
}

const SCOPE = '\u0000scope';

interface Compiled {
  readonly template: { render(ctx: object): string };
  readonly keepsText: boolean;
}

/**
 * The error our code threw into nunjucks' generated code, which nunjucks re-wraps into a plain
 * Error: kept here so the caller gets the original (with its class and its variable name).
 */
let escaped: unknown;

function guard<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    try {
      return fn(...args);
    } catch (err) {
      escaped = err;
      throw err;
    }
  };
}

/** nunjucks' messages, cut to what names no value: never the template text or a token of it. */
export function sanitizeMessage(message: string): string {
  const position = /\[Line (\d+), Column (\d+)\]/.exec(message);
  let text = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('('))
    .join(' ')
    .replace(/^(Template render error|Error|TypeError|[A-Za-z]*Error):\s*/, '');
  const named = /^((?:filter|test) not found): ([A-Za-z_][\w.]*)$/.exec(text);
  if (!named) text = (text.split(/:\s/)[0] ?? text).replace(/`[^`]*`/g, 'a name');
  return position ? `${text} (line ${position[1]}, column ${position[2]} of the template)` : text;
}

/**
 * Ansible's _escape_backslashes: inside `{{ }}`, backslashes in string literals are doubled, so
 * that '\d' in a YAML string reaches the regex as \d (YAML already unescaped it once).
 */
export function escapeBackslashes(source: string): string {
  if (!source.includes('\\') || !source.includes('{{')) return source;
  let out = '';
  let i = 0;
  while (i < source.length) {
    const start = source.indexOf('{{', i);
    if (start === -1) break;
    out += source.slice(i, start + 2);
    i = start + 2;
    while (i < source.length && !source.startsWith('}}', i)) {
      const ch = source[i]!;
      if (ch === "'" || ch === '"') {
        const m = (ch === "'" ? /'([^'\\]*(?:\\.[^'\\]*)*)'/y : /"([^"\\]*(?:\\.[^"\\]*)*)"/y);
        m.lastIndex = i;
        const found = m.exec(source);
        if (found) {
          out += found[0].replace(/\\/g, '\\\\');
          i += found[0].length;
          continue;
        }
      }
      out += ch;
      i++;
    }
  }
  return out + source.slice(i);
}

function trailingNewlines(text: string): number {
  const m = /\n*$/.exec(text);
  return m ? m[0].length : 0;
}

export class TemplateEngine {
  private nunjucksEnv: nunjucks.Environment | undefined;
  private readonly compiled = new Map<string, Compiled>();
  private readonly filters: Record<string, Filter>;
  private readonly tests: Record<string, Test>;

  constructor() {
    const registry: Registry = {
      filter: (name) => this.filterByName(name),
      test: (name) => this.testByName(name),
    };
    this.filters = makeFilters(registry);
    this.tests = makeTests();
  }

  /** Made on the first template, so that inventories without templates never load nunjucks. */
  private get env(): nunjucks.Environment {
    if (!this.nunjucksEnv) {
      // No loaders: a variable's template can neither include nor import files.
      this.nunjucksEnv = new (nunjucksLib().Environment)([], { autoescape: false, trimBlocks: true, throwOnUndefined: false });
      this.install(this.nunjucksEnv);
    }
    return this.nunjucksEnv;
  }

  private filterByName(name: string): Filter {
    const own = this.filters[name];
    if (own) return own;
    const builtin = this.env.getFilter(name) as (...a: unknown[]) => unknown;
    return (value, args) => builtin(value, ...args.positional);
  }

  private testByName(name: string): Test {
    const own = this.tests[name];
    if (!own) throw new TemplateFailure(`test not found: ${/^[A-Za-z_]\w*$/.test(name) ? name : '(invalid name)'}`);
    return own;
  }

  private install(nunjucksEnv: nunjucks.Environment): void {
    const env = nunjucksEnv as unknown as { filters: Record<string, (...a: unknown[]) => unknown>; tests: Record<string, (...a: unknown[]) => unknown>; py: object };
    // nunjucks' own filters and tests that we do not replace still refuse undefined values.
    for (const [name, fn] of Object.entries(env.filters)) env.filters[name] = guard((value: unknown, ...rest: unknown[]) => fn(defined(value), ...rest));
    for (const [name, fn] of Object.entries(env.tests)) env.tests[name] = guard((value: unknown, ...rest: unknown[]) => fn(defined(value), ...rest));
    for (const [name, filter] of Object.entries(this.filters)) env.filters[name] = guard((value: unknown, ...rest: unknown[]) => filter(value, new Args(rest)));
    for (const [name, test] of Object.entries(this.tests)) env.tests[name] = guard((value: unknown, ...rest: unknown[]) => test(value, new Args(rest)));
    env.py = Object.fromEntries(Object.entries(this.helpers()).map(([name, fn]) => [name, guard(fn as (...a: unknown[]) => unknown)]));
  }

  private helpers(): Record<string, (...args: never[]) => unknown> {
    return {
      ...ops,
      truthy,
      float,
      and: (left: unknown, right: () => unknown) => (truthy(left) ? right() : left),
      or: (left: unknown, right: () => unknown) => (truthy(left) ? left : right()),
      output: (value: unknown) => (value === null || value === undefined ? '' : pyStr(value)),
      dict: (pairs: Array<[unknown, unknown]>) => Object.fromEntries(pairs.map(([k, v]) => [pyStr(defined(k)), v])),
      undefinedValue: (name: string) => new Undefined(name),
      lookup: (context: { ctx: Record<string, unknown> }, frame: { lookup(n: string): unknown }, name: string) => {
        const local = frame.lookup(name);
        if (local !== undefined) return local;
        const value = (context.ctx[SCOPE] as TemplateScope).lookup(name);
        return value instanceof Undefined && Object.prototype.hasOwnProperty.call(GLOBALS, name) ? GLOBALS[name] : value;
      },
    };
  }

  private compile(source: string): Compiled {
    let compiled = this.compiled.get(source);
    if (!compiled) {
      let code: CompiledSource;
      try {
        code = compileTemplate(source, (this.env as unknown as { opts: object }).opts);
      } catch (err) {
        throw new TemplateSyntaxError(`template syntax error: ${sanitizeMessage(err instanceof Error ? err.message : String(err))}`);
      }
      const Template = nunjucksLib().Template as unknown as new (src: object, env: nunjucks.Environment, path: string, eager: boolean) => Compiled['template'];
      compiled = { template: new Template({ type: 'code', obj: code.props }, this.env, 'template', true), keepsText: code.keepsText };
      this.compiled.set(source, compiled);
    }
    return compiled;
  }

  /**
   * Renders `source` (known to hold template markers) with names from `scope`. Throws
   * UndefinedUse when an undefined value is used, TemplateFailure for any other error.
   */
  render(source: string, scope: TemplateScope): unknown {
    // Jinja2 drops one trailing newline of the source; Ansible adds back those the output lost.
    const body = escapeBackslashes(source).replace(/\r?\n$/, '');
    const compiled = this.compile(body);
    let text: string;
    escaped = undefined;
    try {
      text = compiled.template.render({ [SCOPE]: scope });
    } catch (err) {
      const original = escaped ?? err;
      escaped = undefined;
      if (original instanceof UndefinedUse || original instanceof TemplateFailure) throw original;
      if (original instanceof Error && !(original.message.includes('Template render error') || original.name === 'Template render error')) throw original;
      throw new TemplateFailure(`template error: ${sanitizeMessage(original instanceof Error ? original.message : String(original))}`);
    }
    if (!compiled.keepsText && (text.startsWith('[') || text.startsWith('{') || text === 'True' || text === 'False')) {
      const literal = parsePythonLiteral(text, { jsonNames: true });
      if (literal.ok) return literal.value;
    }
    const missing = trailingNewlines(source) - trailingNewlines(text);
    return missing > 0 ? text + '\n'.repeat(missing) : text;
  }
}

function range(...args: unknown[]): number[] {
  const [a, b, c] = args.map((x) => Number(defined(x)));
  const [start, stop, step] = b === undefined ? [0, a ?? 0, 1] : [a ?? 0, b, c ?? 1];
  if (step === 0) throw new TemplateFailure('range() arg 3 must not be zero');
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/** Jinja2's globals (after variables, as Jinja2 resolves names). */
const GLOBALS: Readonly<Record<string, unknown>> = {
  range: guard(range),
  dict: guard((...args: unknown[]) => ({ ...new Args(args).keywords })),
  lookup: guard(() => {
    throw new TemplateFailure('lookup() is not supported in variables: play renders variables without plugins');
  }),
  query: guard(() => {
    throw new TemplateFailure('query() is not supported in variables: play renders variables without plugins');
  }),
};
