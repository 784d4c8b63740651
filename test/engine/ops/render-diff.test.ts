import { expect } from 'chai';
import { countChangedLines, renderDiff } from '../../../engine/ops/render-diff.js';

describe('ops/renderDiff', () => {
  it('renders a unified diff named by the path', () => {
    expect(renderDiff({ path: '/etc/x.conf', before: 'a\nb\nc\n', after: 'a\nB\nc\n' })).to.equal(
      '--- /etc/x.conf\tbefore\n+++ /etc/x.conf\tafter\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n',
    );
  });

  it('shows a new file against /dev/null', () => {
    expect(renderDiff({ path: '/etc/new', before: null, after: 'x\n' })).to.equal(
      '--- /dev/null\tbefore\n+++ /etc/new\tafter\n@@ -0,0 +1,1 @@\n+x\n',
    );
  });

  it('hides secret content, saying only how many lines changed', () => {
    const out = renderDiff({ path: '/etc/token', before: 'old-token\nkeep\n', after: 'new-token\nkeep\nmore\n', secret: true });
    expect(out).to.equal('(content hidden: secret) 3 lines changed');
  });

  it('counts changed lines', () => {
    expect(countChangedLines(null, 'a\nb\n')).to.equal(2);
    expect(countChangedLines('a\n', 'a\n')).to.equal(0);
  });
});
