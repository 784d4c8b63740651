import { expect } from 'chai';
import { maskSecretText } from '../../../engine/ops/secret-mask.js';
import { countChangedLines } from '../../../engine/ops/render-diff.js';

describe('ops/maskSecretText', () => {
  it('hides every line but keeps equal lines equal, so changes can still be counted', () => {
    const before = maskSecretText('token=a\nkeep\n');
    const after = maskSecretText('token=b\nkeep\n');
    expect(before).not.to.contain('token');
    expect(before?.split('\n')[1]).to.equal(after?.split('\n')[1]);
    expect(countChangedLines(before, after)).to.equal(2);
    expect(maskSecretText(null)).to.equal(null);
    expect(maskSecretText('')).to.equal('');
  });
});
