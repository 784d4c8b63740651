import { expect } from 'chai';
import { expandHome } from '../../engine/home.js';
import { isPythonFalsy, toBoolean } from '../../engine/values.js';

describe('plain values', () => {
  it("read booleans with Ansible's words, whatever the case, and nothing else", () => {
    const words = ['y', 'YES', 'On', '1', 'true', 't', ' True '];
    expect(words.map(toBoolean)).to.deep.equal(words.map(() => true));
    expect(['n', 'No', 'OFF', '0', 'False', 'f', false, 0].map(toBoolean)).to.deep.equal(Array(8).fill(false));
    expect(['', 'maybe', 2, null, [], 'yess'].map(toBoolean)).to.deep.equal(Array(6).fill(undefined));
  });
  it("tell Python's falsy values", () => {
    expect([null, '', 0, false, [], {}].every(isPythonFalsy)).to.equal(true);
    expect([' ', 1, [0], { a: null }, '0'].some(isPythonFalsy)).to.equal(false);
  });
  it('expand ~ and ~/ to the home folder only', () => {
    expect([expandHome('~', '/h'), expandHome('~/k', '/h'), expandHome('~x/k', '/h'), expandHome('/a/~/b', '/h')]).to.deep.equal(['/h', '/h/k', '~x/k', '/a/~/b']);
  });
});
