// Where a secret could hide in printed output besides its own text: JSON-escaped (--json), quoted
// for a shell (-vvv shows commands), or base64-encoded (a file write carries its content as
// base64: a short secret file is a short blob that -vvv might print whole). Every base64-looking
// run of the output is decoded and searched, so a secret inside a longer file's content is found
// at any offset, not only where its own encoding would start.
import { expect } from 'chai';

/** Runs of base64 alphabet long enough to hold a few bytes; padding optional. */
const BASE64_RUN = /[A-Za-z0-9+/]{8,}={0,2}/g;

function decodedRuns(output: string): string[] {
  return [...new Set(output.match(BASE64_RUN) ?? [])].map((run) => Buffer.from(run, 'base64').toString('latin1'));
}

/**
 * The first of `secrets` found in `output`, as `{ index, form }`: the index into `secrets` (never
 * the text: a failing test must not print the secret either) and the form, 'plain', 'json',
 * 'shell', 'base64' (its own encoding) or 'inside base64' (in a decoded run); undefined if none.
 */
export function findSecrets(output: string, secrets: readonly string[]): { index: number; form: string } | undefined {
  const decoded = decodedRuns(output);
  for (const [index, secret] of secrets.entries()) {
    if (secret.length < 4) throw new Error(`secret #${index} is too short to search for`);
    const forms: Array<[string, string]> = [
      ['plain', secret],
      ['json', JSON.stringify(secret).slice(1, -1)],
      ['shell', secret.replace(/'/g, `'\\''`)],
      ['base64', Buffer.from(secret).toString('base64').replace(/=+$/, '')],
    ];
    for (const [form, text] of forms) if (output.includes(text)) return { index, form };
    if (decoded.some((d) => d.includes(secret))) return { index, form: 'inside base64' };
  }
  return undefined;
}

/** Fails naming the secret (by its label, never its text) and the form it was printed in. */
export function expectNoSecrets(output: string, named: ReadonlyArray<readonly [label: string, secret: string]>): void {
  const found = findSecrets(output, named.map(([, secret]) => secret));
  expect(found === undefined, found && `${named[found.index]![0]} was printed (${found.form})`).to.equal(true);
}
