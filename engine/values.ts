/**
 * What a plain data value is, as the loaders, typed vars and error messages need to know it.
 * One copy for the whole engine: a YAML, JSON or INI value is a mapping, a list or a scalar.
 */

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's truthiness, which Ansible uses to skip empty vars files (`if new_data:`). */
export function isPythonFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isMapping(value)) return Object.keys(value).length === 0;
  return false;
}

/** Ansible's boolean words (module_utils/parsing/convert_bool), compared trimmed and lower-cased. */
const TRUE_WORDS: ReadonlySet<string> = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** A boolean as Ansible's boolean() reads it: true/false, 1/0 or one of its words; else undefined. */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/**
 * What kind of value a value is, for "must be X, got Y" messages: never the value itself, which
 * may be a secret put under the wrong key (an error names file, line and key instead).
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}
