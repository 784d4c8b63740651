import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isCI } from '../../engine/ci.js';
import { REPO_ROOT } from '../helpers/run-play.js';
import { sourceFiles } from '../helpers/source-files.js';

describe('CI detection', () => {
  it('CI=1 and CI=true (any case, any other value) mean CI', () => {
    for (const value of ['1', 'true', 'TRUE', 'True', 'yes', 'woodpecker']) expect(isCI({ CI: value }), `CI=${value}`).to.equal(true);
  });

  it('unset, empty, 0 and false mean not CI', () => {
    expect(isCI({})).to.equal(false);
    for (const value of ['', ' ', '0', 'false', 'FALSE']) expect(isCI({ CI: value }), `CI=${JSON.stringify(value)}`).to.equal(false);
  });

  it('is the only reader of CI in engine/, roles/, test/ and scripts/ (one meaning everywhere)', () => {
    const readers = ['engine', 'roles', 'test', 'scripts']
      .flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))
      .filter((file) => !file.endsWith(join('engine', 'ci.ts')))
      .filter((file) => /\benv(\.CI\b|\[['"]CI['"]\])/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO_ROOT, file));
    expect(readers, 'read CI through isCI() from engine/ci.ts').to.deep.equal([]);
  });
});
