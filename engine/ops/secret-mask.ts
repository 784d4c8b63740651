/**
 * Diffs of secret files must not hold the secret, even in memory where a --json report could
 * serialize them. Each line is replaced by a keyed hash: equal lines stay equal, so the diff
 * still counts what changed, while the per-process random key stops anyone guessing lines back.
 */
import { createHmac, randomBytes } from 'node:crypto';

const KEY = randomBytes(32);

export function maskSecretText(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(/[^\n]+/g, (line) => `(secret ${createHmac('sha256', KEY).update(line).digest('hex').slice(0, 12)})`);
}
