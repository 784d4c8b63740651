import { expect } from 'chai';
import { CommandError, commandLabel } from '../../engine/errors.js';

describe('errors: what names a failed command', () => {
  it('is its label when it has one, and never the text of a secret command', () => {
    expect(new CommandError('rm -rf -- /x', 1, '', 'boom', 'remove /x').details).to.deep.equal({ command: 'remove /x', exitCode: 1, stderr: 'boom' });
    expect(new CommandError('', 2, '', '').details.command).to.equal('command (hidden: holds secrets)');
  });
  it('is else one line of the script, file contents summarised, cut at 200 characters', () => {
    const blob = 'QUJD'.repeat(40);
    expect(commandLabel(`set -e\n  printf %s '${blob}' | base64 -d > /etc/x\n`)).to.equal('set -e; printf %s <120 bytes of base64> | base64 -d > /etc/x');
    expect(commandLabel(`echo ${'a b '.repeat(100)}`)).to.have.length(200).and.match(/…$/);
  });
});
