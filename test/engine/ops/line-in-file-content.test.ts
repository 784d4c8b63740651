import { expect } from 'chai';
import { TaskError } from '../../../engine/errors.js';
import { lineInFileContent } from '../../../engine/ops/line-in-file-content.js';

describe('ops/lineInFileContent (pure)', () => {
  const SSHD = '# comment\nPermitRootLogin yes\nPasswordAuthentication yes\n';

  it('appends a missing line, adding the newline a file lacked', () => {
    expect(lineInFileContent('a\nb\n', { line: 'c' })).to.equal('a\nb\nc\n');
    expect(lineInFileContent('a\nb', { line: 'c' })).to.equal('a\nb\nc\n');
    expect(lineInFileContent('', { line: 'c' })).to.equal('c\n');
    expect(lineInFileContent(null, { line: 'c' }), 'a missing file gets just the line').to.equal('c\n');
  });

  it('is idempotent: a present line returns the very same text', () => {
    const withoutFinalNewline = 'a\nc';
    expect(lineInFileContent(withoutFinalNewline, { line: 'c' })).to.equal(withoutFinalNewline);
    const once = lineInFileContent(SSHD, { line: 'PermitRootLogin no', regexp: '^#?PermitRootLogin\\s' });
    expect(lineInFileContent(once, { line: 'PermitRootLogin no', regexp: '^#?PermitRootLogin\\s' })).to.equal(once);
  });

  it('replaces every line matching the regexp', () => {
    const text = 'PermitRootLogin yes\nX 1\n#PermitRootLogin prohibit-password\n';
    expect(lineInFileContent(text, { line: 'PermitRootLogin no', regexp: '^#?PermitRootLogin\\s' })).to.equal(
      'PermitRootLogin no\nX 1\nPermitRootLogin no\n',
    );
  });

  it('appends when the regexp matches nothing and the line is absent', () => {
    expect(lineInFileContent(SSHD, { line: 'UseDNS no', regexp: '^UseDNS\\s' })).to.equal(`${SSHD}UseDNS no\n`);
  });

  it('removes lines equal to the line, or matching the regexp, for state absent', () => {
    expect(lineInFileContent('a\nswap x\nb\nswap x\n', { line: 'swap x', state: 'absent' })).to.equal('a\nb\n');
    expect(lineInFileContent('/dev/sda2 none swap sw 0 0\nproc /proc proc defaults 0 0\n', { line: '', regexp: '\\sswap\\s', state: 'absent' })).to.equal(
      'proc /proc proc defaults 0 0\n',
    );
    expect(lineInFileContent('a', { line: 'z', state: 'absent' })).to.equal('a');
    expect(lineInFileContent(null, { line: 'z', state: 'absent' })).to.equal(null);
  });

  it('rejects a multi-line line and a bad regexp', () => {
    expect(() => lineInFileContent('', { line: 'a\nb' })).to.throw(TaskError, /single line/);
    expect(() => lineInFileContent('', { line: 'a', regexp: '(' })).to.throw(TaskError, /invalid regexp/);
  });
});
