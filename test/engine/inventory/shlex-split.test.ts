import { expect } from 'chai';
import { shlexSplit, ShlexError } from '../../../engine/inventory/shlex-split.js';

describe('inventory: shlex split', () => {
  it('splits on blanks and removes quotes', () => {
    expect(shlexSplit(`host a=1 b="x y" c='z' d="'1'"`)).to.deep.equal(['host', 'a=1', 'b=x y', 'c=z', "d='1'"]);
  });
  it('keeps empty quoted tokens', () => {
    expect(shlexSplit(`a '' ""`)).to.deep.equal(['a', '', '']);
  });
  it('escapes outside quotes; inside double quotes only \\ and "', () => {
    expect(shlexSplit(String.raw`a\ b "c\"d" "e\nf" 'g\h'`)).to.deep.equal(['a b', 'c"d', 'e\\nf', 'g\\h']);
  });
  it('with comments, an unquoted # ends the line even inside a word', () => {
    expect(shlexSplit('h a=x#y b=2', { comments: true })).to.deep.equal(['h', 'a=x']);
    expect(shlexSplit('h a="x#y" # note', { comments: true })).to.deep.equal(['h', 'a=x#y']);
    expect(shlexSplit('h a=x#y')).to.deep.equal(['h', 'a=x#y']);
  });
  it('rejects an open quote or a trailing backslash', () => {
    expect(() => shlexSplit(`a "b`)).to.throw(ShlexError, /No closing quotation/);
    expect(() => shlexSplit('a \\')).to.throw(ShlexError, /No escaped character/);
  });
  it('splits ssh options with quoted values', () => {
    expect(shlexSplit(`-o ProxyCommand="ssh -W %h:%p bastion" -o 'StrictHostKeyChecking=no'`)).to.deep.equal([
      '-o',
      'ProxyCommand=ssh -W %h:%p bastion',
      '-o',
      'StrictHostKeyChecking=no',
    ]);
  });
});
