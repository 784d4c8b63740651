import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExtraVars } from '../../../engine/cli/extra-vars.js';
import { UsageError } from '../../../engine/errors.js';

describe('-e extra vars', () => {
  it('k=v pairs with quotes stay strings', () => {
    expect(parseExtraVars(['a=1 b="two words" c=\'x=y\'']).vars).to.deep.equal({ a: '1', b: 'two words', c: 'x=y' });
  });
  it('inline YAML/JSON keeps types', () => {
    expect(parseExtraVars(['{"n": 3, "l": [1]}']).vars).to.deep.equal({ n: 3, l: [1] });
  });
  it('@file with line numbers for errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'play-ev-'));
    const file = join(dir, 'v.yml');
    writeFileSync(file, '# vars\nfirst: 1\nsecond: two\n');
    const layer = parseExtraVars([`@${file}`]);
    expect(layer.vars).to.deep.equal({ first: 1, second: 'two' });
    expect(layer.origins?.second).to.deep.equal({ file, line: 3 });
  });
  it('refuses bad input with exit code 2', () => {
    for (const bad of ['novalue', '{"a": ', 'a="open', '@/nonexistent/file.yml', '[1,2]', '1bad=x']) {
      expect(() => parseExtraVars([bad]), bad).to.throw(UsageError).with.property('exitCode', 2);
    }
  });
});
