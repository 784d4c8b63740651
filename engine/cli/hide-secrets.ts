import { PlayError } from '../errors.js';
import { registerSecret } from '../runner/known-secrets.js';
import { Redactor } from '../secrets.js';

/** An error whose message held a secret, re-raised with the secret masked and the same exit code. */
class MaskedError extends PlayError {
  constructor(
    message: string,
    override readonly exitCode: number,
    options: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Runs `body`; an error it throws leaves with every secret known by then (vault plaintexts, the
 * become and vault passwords) masked in its message: errors are printed before any plan (and
 * its redactor) exists, e.g. a role refusing a value that came from a vault.
 */
export async function hidingSecrets<T>(secrets: () => Iterable<string>, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const redactor = new Redactor();
    for (const secret of secrets()) registerSecret(redactor, secret);
    const message = redactor.redact(err.message);
    if (message === err.message) throw err;
    throw new MaskedError(message, err instanceof PlayError ? err.exitCode : 1, { cause: err });
  }
}
