import { expect } from 'chai';
import { blockInFileContent, blockMarkers } from '../../../engine/ops/block-in-file-content.js';

const BEGIN = '# BEGIN PLAY MANAGED BLOCK';
const END = '# END PLAY MANAGED BLOCK';

describe('ops/blockInFileContent (pure)', () => {
  it('appends a block with default markers (and creates content for a missing file)', () => {
    expect(blockInFileContent('127.0.0.1 localhost\n', { block: '10.0.0.1 m1\n10.0.0.2 m2\n' })).to.equal(
      `127.0.0.1 localhost\n${BEGIN}\n10.0.0.1 m1\n10.0.0.2 m2\n${END}\n`,
    );
    expect(blockInFileContent(null, { block: 'x' })).to.equal(`${BEGIN}\nx\n${END}\n`);
  });

  it('replaces the block in place, keeping what is around it', () => {
    const text = `top\n${BEGIN}\nold 1\nold 2\n${END}\nbottom\n`;
    expect(blockInFileContent(text, { block: 'new' })).to.equal(`top\n${BEGIN}\nnew\n${END}\nbottom\n`);
  });

  it('is idempotent: the same block returns the very same text', () => {
    const once = blockInFileContent('a\n', { block: 'b\nc' });
    expect(blockInFileContent(once, { block: 'b\nc\n' })).to.equal(once);
  });

  it('removes block and markers for state absent or an empty block', () => {
    const text = `top\n${BEGIN}\nold\n${END}\nbottom\n`;
    expect(blockInFileContent(text, { block: 'x', state: 'absent' })).to.equal('top\nbottom\n');
    expect(blockInFileContent(text, { block: '' })).to.equal('top\nbottom\n');
    expect(blockInFileContent('top', { block: 'x', state: 'absent' })).to.equal('top');
    expect(blockInFileContent(null, { block: 'x', state: 'absent' })).to.equal(null);
  });

  it('keeps blocks with different markers apart', () => {
    const a = { block: 'A', marker: '# {mark} hosts' };
    const b = { block: 'B', marker: '# {mark} proxy' };
    const both = blockInFileContent(blockInFileContent('', a), b);
    expect(both).to.equal('# BEGIN hosts\nA\n# END hosts\n# BEGIN proxy\nB\n# END proxy\n');
    expect(blockInFileContent(both, { ...a, block: 'A2' })).to.equal('# BEGIN hosts\nA2\n# END hosts\n# BEGIN proxy\nB\n# END proxy\n');
    expect(blockMarkers('## {mark}')).to.deep.equal({ begin: '## BEGIN', end: '## END' });
  });
});
