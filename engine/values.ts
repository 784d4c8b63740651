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
