import type { Redactor } from '../secrets.js';

/**
 * A value known to be secret before planning (a vault plaintext, the -K password), registered in
 * every form an output may carry it: as is, JSON-escaped (a value with quotes or newlines inside
 * --json or a JSON dump), and line by line (a multi-line secret, such as a key, shown in part).
 */
export function registerSecret(redactor: Redactor, value: string): void {
  redactor.add(value);
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) redactor.add(escaped);
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n|\r/)) {
      redactor.add(line);
      redactor.add(line.trim());
    }
  }
}
