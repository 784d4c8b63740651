import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './run-play.js';
import { requirePrerequisite, skipLoudly } from './skip.js';
import { sourceFiles } from './source-files.js';

class Skipped extends Error {}

/** Enough of a mocha context: a test with a title, and a skip that throws as mocha's does. */
function fakeContext(title: string): Mocha.Context {
  const test = { type: 'test', title, fullTitle: () => `suite ${title}` };
  return {
    test,
    skip: () => {
      throw new Skipped();
    },
  } as unknown as Mocha.Context;
}

function stderrOf(fn: () => void): string {
  const write = process.stderr.write.bind(process.stderr);
  let captured = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = write;
  }
  return captured;
}

describe('skips are loud', () => {
  it('skipLoudly prints the test and the reason, then skips', () => {
    const printed = stderrOf(() => expect(() => skipLoudly(fakeContext('probe'), 'no probe here')).to.throw(Skipped));
    expect(printed).to.include('*** SKIPPED: suite probe: no probe here ***');
  });

  it('a missing prerequisite fails under CI and skips loudly elsewhere', () => {
    expect(() => requirePrerequisite(fakeContext('tool'), 'tool missing', { CI: '1' })).to.throw(/suite tool cannot run under CI: tool missing/);
    const printed = stderrOf(() => expect(() => requirePrerequisite(fakeContext('tool'), 'tool missing', { CI: 'false' })).to.throw(Skipped));
    expect(printed).to.include('*** SKIPPED: suite tool: tool missing ***');
    expect(() => requirePrerequisite(fakeContext('tool'), undefined, { CI: '1' })).not.to.throw();
  });

  it('no suite skips except through test/helpers/skip.ts (or the lab harness, which prints its own line)', () => {
    const allowed = [join('test', 'helpers', 'skip.ts'), join('test', 'lab', 'harness.ts')];
    const silent = sourceFiles(join(REPO_ROOT, 'test'))
      .filter((file) => !allowed.some((a) => file.endsWith(a)))
      .filter((file) => /\.skip\(|\b(describe|it)\.skip\b|\bxit\(|\bxdescribe\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO_ROOT, file));
    expect(silent, 'use skipLoudly / requirePrerequisite').to.deep.equal([]);
  });
});
