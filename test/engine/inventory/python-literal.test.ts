import { expect } from 'chai';
import { iniValue, parsePythonLiteral } from '../../../engine/inventory/python-literal.js';

describe('inventory: python literal values (INI)', () => {
  const cases: Array<[string, unknown]> = [
    ['1', 1],
    ['-5', -5],
    ['+5', 5],
    ['-(1)', -1],
    ['1_000', 1000],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b11', 3],
    ['00', 0],
    ['1.5', 1.5],
    ['1.', 1],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1e1_0', 1e10],
    ['True', true],
    ['False', false],
    ['None', null],
    ["'x y'", 'x y'],
    ['"a\\nb"', 'a\nb'],
    ["r'\\d'", '\\d'],
    ["u'hi'", 'hi'],
    ["'a' 'b'", 'ab'],
    ['"""tri"""', 'tri'],
    ['[1, 2,]', [1, 2]],
    ['[]', []],
    ['()', []],
    ['(1)', 1],
    ['(1,)', [1]],
    ['1,2', [1, 2]],
    ["{'k': 1, 2: [True]}", { k: 1, '2': [true] }],
    ['{1, 2}', [1, 2]],
    ['1 # a comment', 1],
    ['  7', 7],
  ];
  for (const [text, value] of cases) {
    it(`${text} -> ${JSON.stringify(value)}`, () => {
      expect(parsePythonLiteral(text)).to.deep.equal({ ok: true, value });
    });
  }

  const notLiterals = ['', 'yes', 'true', 'x y', '1+2', '0777', '1__0', '1_', '--1', '-(-1)', '-True', "b'x'", "f'x'", '1j', "'open", '[1 2]', '{1: 2 3: 4}', 'a#b', '1 2', 'uhi'];
  for (const text of notLiterals) {
    it(`${JSON.stringify(text)} is kept as text`, () => {
      expect(parsePythonLiteral(text).ok).to.equal(false);
      expect(iniValue(text)).to.equal(text);
    });
  }
});
