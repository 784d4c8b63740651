/**
 * Typed reading of role variables. Every getter throws a VarsError that names the file, line and
 * key the bad value came from (never the value), so a role's resolve() reads like a schema.
 */
import { VarsError, type SourceLocation } from './errors.js';
import { describe, isMapping, toBoolean } from './values.js';

export interface VarsReader {
  /** Raw value after precedence (role defaults < inventory < play < role params < extra vars). */
  raw(key: string): unknown;
  has(key: string): boolean;
  /** Where the value came from, to name file and line in errors. */
  origin(key: string): SourceLocation | undefined;
  /** How strong the layer holding `key` is (higher wins); absent: every key is in one layer. */
  rank?(key: string): number;
}

export interface NumberRule {
  min?: number;
  max?: number;
}

export class TypedVars {
  constructor(
    private readonly reader: VarsReader,
    /** Used when a required key is missing: where the role was asked for (playbook line). */
    private readonly fallback: SourceLocation,
  ) {}

  has(key: string): boolean {
    return this.reader.has(key) && this.reader.raw(key) !== null && this.reader.raw(key) !== undefined;
  }

  raw(key: string): unknown {
    return this.reader.raw(key);
  }

  where(key: string): SourceLocation {
    return this.reader.origin(key) ?? this.fallback;
  }

  fail(key: string, reason: string): never {
    throw new VarsError(reason, this.where(key), key);
  }

  /** An item of the list (or mapping) under `key` is bad: named `key[item]`, at the line of `key`. */
  failItem(key: string, item: number | string, reason: string): never {
    throw new VarsError(reason, this.where(key), typeof item === 'number' ? `${key}[${item}]` : `${key}.${item}`);
  }

  private required(key: string): unknown {
    if (!this.has(key)) this.fail(key, 'is required but not set');
    return this.reader.raw(key);
  }

  string(key: string): string {
    const value = this.required(key);
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string' || value === '') this.fail(key, `must be a non-empty string, got ${describe(value)}`);
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  int(key: string, rule: NumberRule = {}): number {
    const value = this.required(key);
    const num = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof num !== 'number' || !Number.isInteger(num)) this.fail(key, `must be an integer, got ${describe(value)}`);
    if (rule.min !== undefined && num < rule.min) this.fail(key, `must be >= ${rule.min}`);
    if (rule.max !== undefined && num > rule.max) this.fail(key, `must be <= ${rule.max}`);
    return num;
  }

  optionalInt(key: string, rule: NumberRule = {}): number | undefined {
    return this.has(key) ? this.int(key, rule) : undefined;
  }

  port(key: string): number {
    return this.int(key, { min: 1, max: 65535 });
  }

  bool(key: string): boolean {
    const value = this.required(key);
    return toBoolean(value) ?? this.fail(key, `must be a boolean, got ${describe(value)}`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.string(key);
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(key, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  ipv4(key: string): string {
    const value = this.string(key);
    if (!isIPv4(value)) this.fail(key, 'must be an IPv4 address');
    return value;
  }

  cidr(key: string): Cidr {
    const value = this.string(key);
    const parsed = parseCidr(value);
    if (!parsed) this.fail(key, 'must be an IPv4 CIDR like 10.244.0.0/16');
    return parsed;
  }

  list(key: string): unknown[] {
    const value = this.required(key);
    if (!Array.isArray(value)) this.fail(key, `must be a list, got ${describe(value)}`);
    return value;
  }

  stringList(key: string): string[] {
    return this.list(key).map((item, i) => {
      if (typeof item !== 'string' && typeof item !== 'number') this.failItem(key, i, `must be a string, got ${describe(item)}`);
      return String(item);
    });
  }

  map(key: string): Record<string, unknown> {
    const value = this.required(key);
    if (!isMapping(value)) this.fail(key, `must be a mapping, got ${describe(value)}`);
    return value;
  }
}

export { describe } from './values.js';

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export interface Cidr {
  readonly text: string;
  readonly network: number;
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const [ip, prefixText] = text.split('/');
  if (!ip || !prefixText || !isIPv4(ip) || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { text, network: (ipToInt(ip) & mask) >>> 0, prefix };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const mask = cidr.prefix === 0 ? 0 : (0xffffffff << (32 - cidr.prefix)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === cidr.network;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((a.network & mask) >>> 0) === ((b.network & mask) >>> 0);
}
