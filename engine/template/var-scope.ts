/**
 * A host's variables as a template sees them: layers by precedence (lowest first), Ansible's
 * magic variables on top, each value rendered when first read and then cached. A value that is
 * never read is never rendered, as in Ansible.
 *
 * Rendering follows Ansible's Templar.template: a string without `{{`/`{%`/`{#` is returned as
 * is; `"{{ name }}"` alone returns that variable's number, bool or None unchanged (its
 * SINGLE_VAR shortcut); any other template goes through the engine; lists and dicts are rendered
 * item by item. Inside a template, a variable whose own template fails on an undefined name reads
 * as Undefined (so `default()` still works), and the error surfaces, naming that variable's file,
 * line and key, only when the value is used.
 *
 * Secrets: a value rendered from any secret-named variable, or from any value the run already
 * knows as secret (vault plaintexts, secret-named values), is itself registered as secret.
 */
import { VarsError, type SourceLocation } from '../errors.js';
import { isSecretName } from '../secrets.js';
import type { Vars, VarOrigins, VarsReader } from '../types.js';
import { isDict, LazyMapping, TemplateFailure, Undefined, UndefinedUse } from './py-values.js';
import { isPossiblyTemplate, TemplateSyntaxError, type TemplateEngine, type TemplateScope } from './template-engine.js';

export interface VarsLayer {
  readonly vars: Vars;
  readonly origins?: VarOrigins;
  /** Location for every key of this layer when origins has none (e.g. '-e'). */
  readonly where?: SourceLocation;
  /**
   * Values taken as typed, never rendered (Ansible's unsafe text): the -K answer and ansible.cfg's
   * settings, which Ansible never templates either. A password may hold `{{` or `{%`.
   */
  readonly asIs?: boolean;
}

/** Where secret values are registered and looked up (the run's Redactor). */
export interface SecretRegistry {
  add(value: unknown): void;
  has(value: string): boolean;
}

/** A variable whose template used an undefined name: inside other templates it reads as Undefined. */
export class UndefinedVariableError extends VarsError {}

/** Shared by every scope of a run: the engine, the secret registry, the taint of renders in progress. */
export class RenderRun {
  /** One entry per variable being rendered: set when what it read is secret. */
  private readonly taint: boolean[] = [];

  constructor(
    readonly engine: TemplateEngine,
    readonly secrets: SecretRegistry,
  ) {}

  /** Runs `fn` as the render of one variable; returns its value and whether it read a secret. */
  tracked<T>(fn: () => T): { value: T; secret: boolean } {
    this.taint.push(false);
    try {
      const value = fn();
      return { value, secret: this.taint[this.taint.length - 1]! };
    } finally {
      this.taint.pop();
    }
  }

  /** The variable being rendered read a secret. */
  tainted(): void {
    if (this.taint.length) this.taint[this.taint.length - 1] = true;
  }

  /** Any string in `value` the registry knows as secret. */
  holdsSecret(value: unknown, depth = 0): boolean {
    if (typeof value === 'string') return this.secrets.has(value);
    if (typeof value === 'number') return this.secrets.has(String(value));
    if (depth > 16 || value === null || typeof value !== 'object' || value instanceof LazyMapping) return false;
    return Object.values(value as Record<string, unknown>).some((v) => this.holdsSecret(v, depth + 1));
  }

  /** Registers every string of `value` as secret. */
  register(value: unknown, depth = 0): void {
    if (typeof value === 'string' || typeof value === 'number') this.secrets.add(value);
    else if (depth <= 16 && value !== null && typeof value === 'object' && !(value instanceof LazyMapping)) {
      Object.values(value as Record<string, unknown>).forEach((v) => this.register(v, depth + 1));
    }
  }
}

interface Rendered {
  readonly value: unknown;
  readonly secret: boolean;
}

const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}$/;

export class VarScope extends LazyMapping implements VarsReader, TemplateScope {
  private readonly cache = new Map<string, Rendered>();
  /** Keys being rendered, innermost last: a key met again is a recursive definition. */
  private readonly rendering: string[] = [];

  constructor(
    private readonly run: RenderRun,
    private readonly layers: readonly VarsLayer[],
    /** Ansible's magic variables (inventory_hostname, groups, hostvars...), above every layer. */
    private readonly magic: Readonly<Record<string, unknown>>,
    /** Used when a key has no origin at all. */
    private readonly fallback: SourceLocation,
  ) {
    super();
  }

  private top(key: string): VarsLayer | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      if (Object.prototype.hasOwnProperty.call(layer.vars, key)) return layer;
    }
    return undefined;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.magic, key) || this.top(key) !== undefined;
  }

  keys(): string[] {
    const keys = new Set<string>();
    this.layers.forEach((l) => Object.keys(l.vars).forEach((k) => keys.add(k)));
    Object.keys(this.magic).forEach((k) => keys.add(k));
    return [...keys];
  }

  origin(key: string): SourceLocation | undefined {
    if (Object.prototype.hasOwnProperty.call(this.magic, key)) return undefined;
    const layer = this.top(key);
    return layer ? (layer.origins?.[key] ?? layer.where) : undefined;
  }

  /** VarsReader: the index of the layer `key` comes from (magic variables above every layer), -1 when unset. */
  rank(key: string): number {
    if (Object.prototype.hasOwnProperty.call(this.magic, key)) return this.layers.length;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      if (Object.prototype.hasOwnProperty.call(this.layers[i]!.vars, key)) return i;
    }
    return -1;
  }

  private where(key: string): SourceLocation {
    return this.origin(key) ?? this.fallback;
  }

  /** The value before rendering (what the inventory or playbook holds). */
  unrendered(key: string): unknown {
    if (Object.prototype.hasOwnProperty.call(this.magic, key)) return this.magic[key];
    return this.top(key)?.vars[key];
  }

  /** The rendered value (VarsReader): throws VarsError naming file, line and key. */
  raw(key: string): unknown {
    return this.rendered(key).value;
  }

  /** Whether the rendered value of `key` is secret (secret name, or rendered from a secret). */
  isSecret(key: string): boolean {
    return this.has(key) && this.rendered(key).secret;
  }

  /** A name as a template reads it: Undefined when missing or when its own template used one. */
  lookup(name: string): unknown {
    if (!this.has(name)) return new Undefined(name);
    let found: Rendered;
    try {
      found = this.rendered(name);
    } catch (err) {
      if (err instanceof UndefinedVariableError) return new Undefined(name, err);
      throw err;
    }
    if (found.secret) this.run.tainted();
    return found.value;
  }

  /** LazyMapping: `hostvars[h].x` and `vars.x` read like names. */
  get(key: string): unknown {
    return this.lookup(key);
  }

  private rendered(key: string): Rendered {
    const cached = this.cache.get(key);
    if (cached) return cached;
    if (this.rendering.includes(key)) {
      const loop = [...this.rendering.slice(this.rendering.indexOf(key)), key].join(' -> ');
      throw new VarsError(`its value refers to itself (${loop})`, this.where(key), key);
    }
    if (Object.prototype.hasOwnProperty.call(this.magic, key)) return { value: this.magic[key], secret: false };
    const layer = this.top(key);
    const raw = layer?.vars[key];
    this.rendering.push(key);
    let result: { value: unknown; secret: boolean };
    try {
      result = this.run.tracked(() => (layer?.asIs ? raw : this.renderValue(raw, key)));
    } finally {
      this.rendering.pop();
    }
    const secret = result.secret || isSecretName(key) || this.run.holdsSecret(result.value);
    if (secret) this.run.register(result.value);
    const entry = { value: result.value, secret };
    this.cache.set(key, entry);
    return entry;
  }

  private renderValue(value: unknown, key: string): unknown {
    if (typeof value === 'string') return isPossiblyTemplate(value) ? this.renderString(value, key) : value;
    if (Array.isArray(value)) return value.map((item) => this.renderValue(item, key));
    if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.renderValue(v, key)]));
    return value;
  }

  private renderString(template: string, key: string): unknown {
    const single = SINGLE_VAR.exec(template);
    if (single && this.has(single[1]!)) {
      const name = single[1]!;
      const raw = this.unrendered(name);
      // Ansible's shortcut: a lone `{{ name }}` keeps a number, bool or None as it is.
      if (raw === null || typeof raw === 'number' || typeof raw === 'boolean') {
        this.lookup(name); // counts as a read, for the secret taint
        return raw;
      }
    }
    try {
      return this.run.engine.render(template, this);
    } catch (err) {
      throw this.explain(err, key);
    }
  }

  /** Turns an engine error into a VarsError at this key; never quotes the template or a value. */
  private explain(err: unknown, key: string): unknown {
    if (err instanceof UndefinedUse) {
      if (err.undef.cause instanceof VarsError) return err.undef.cause;
      return new UndefinedVariableError(`its template uses '${err.undef.name}', which is undefined`, this.where(key), key);
    }
    if (err instanceof TemplateSyntaxError) return new VarsError(err.message, this.where(key), key);
    if (err instanceof TemplateFailure) return new VarsError(`cannot render its template: ${err.message}`, this.where(key), key);
    return err;
  }
}
