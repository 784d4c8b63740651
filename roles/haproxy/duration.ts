/** haproxy time values: a number with an optional unit (us, ms, s, m, h, d); bare = milliseconds. */
import type { TypedVars } from '../../engine/vars.js';

const DURATION = /^\d+(?:us|ms|s|m|h|d)?$/;

export function isHaproxyDuration(text: string): boolean {
  return DURATION.test(text);
}

export function readDuration(vars: TypedVars, key: string): string {
  const value = vars.string(key).trim();
  if (!isHaproxyDuration(value) || /^0+[a-z]*$/.test(value)) {
    vars.fail(key, 'must be a haproxy time like 10s, 500ms, 1h (bare numbers are milliseconds)');
  }
  return value;
}
