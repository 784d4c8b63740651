/**
 * Python-style argument binding for filters, tests and methods. nunjucks passes keyword
 * arguments (`map(attribute='name')`) as a last object marked `__keywords`; Args binds them
 * to a signature like Python would, by position or by name.
 */
import { TemplateFailure } from './py-values.js';

export class Args {
  readonly positional: readonly unknown[];
  readonly keywords: Readonly<Record<string, unknown>>;

  constructor(raw: readonly unknown[]) {
    const last = raw[raw.length - 1];
    if (typeof last === 'object' && last !== null && (last as { __keywords?: boolean }).__keywords === true) {
      const { __keywords: _marker, ...keywords } = last as Record<string, unknown>;
      this.positional = raw.slice(0, -1);
      this.keywords = keywords;
    } else {
      this.positional = raw;
      this.keywords = {};
    }
  }

  /** The argument at `index` or named `name`, else `fallback`. */
  get<T>(index: number, name: string, fallback: T): unknown {
    if (index < this.positional.length) return this.positional[index];
    if (Object.prototype.hasOwnProperty.call(this.keywords, name)) return this.keywords[name];
    return fallback;
  }

  has(index: number, name: string): boolean {
    return index < this.positional.length || Object.prototype.hasOwnProperty.call(this.keywords, name);
  }

  /** Positional arguments from `index` on (Python's *args). */
  rest(index: number): unknown[] {
    return this.positional.slice(index);
  }

  /** Fails like Python when more positional arguments came than the signature takes. */
  atMost(count: number, what: string): this {
    if (this.positional.length > count) throw new TemplateFailure(`${what} takes at most ${count} argument(s)`);
    return this;
  }
}
