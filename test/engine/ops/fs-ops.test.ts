import { expect } from 'chai';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../../engine/errors.js';
import { absent } from '../../../engine/ops/absent.js';
import { directory } from '../../../engine/ops/directory.js';
import { FakeContext, converge } from './fake-context.js';

/** lstat, not exists: a dangling symlink still occupies its name. */
function occupied(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

describe('ops/absent and ops/directory (real, in a temp dir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-fsops-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('absent removes a file, a directory tree and a dangling link, then is converged', async () => {
    const file = join(dir, 'f');
    const tree = join(dir, 'tree');
    const link = join(dir, 'link');
    writeFileSync(file, 'x');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    symlinkSync(join(dir, 'nowhere'), link);
    for (const path of [file, tree, link]) {
      const ctx = new FakeContext({ local: true });
      expect((await converge(absent('rm', () => ({ path })), ctx))?.summary).to.equal(`remove ${path}`);
      expect(occupied(path), path).to.equal(false);
      const again = new FakeContext({ local: true });
      expect(await converge(absent('rm', () => ({ path })), again)).to.equal(null);
      expect(again.ran).to.deep.equal([]);
    }
  });

  it('absent refuses / and paths with .. segments', async () => {
    for (const path of ['/', '//', '/etc/../']) {
      let error: unknown;
      await absent('rm', () => ({ path }))
        .check(new FakeContext({ local: true }))
        .catch((err: unknown) => (error = err));
      expect(error, path).to.be.instanceOf(TaskError);
    }
  });

  it('directory creates with parents, mode and owner, then fixes mode drift only', async () => {
    const path = join(dir, 'a', 'b');
    const spec = { path, mode: 0o750, owner: 'nobody', group: 'nogroup' };
    const ctx = new FakeContext({ local: true });
    expect((await converge(directory('d', () => spec), ctx))?.summary).to.equal('create directory');
    expect(statSync(path).isDirectory()).to.equal(true);
    expect(statSync(path).mode & 0o7777).to.equal(0o750);
    expect(statSync(path).uid).to.equal(65534);
    const again = new FakeContext({ local: true });
    expect(await converge(directory('d', () => spec), again)).to.equal(null);
    expect(again.ran).to.deep.equal([]);
    const drift = new FakeContext({ local: true });
    expect((await converge(directory('d', () => ({ ...spec, mode: 0o755 })), drift))?.summary).to.equal('mode 0750 -> 0755');
    expect(drift.ran).to.have.length(1);
    expect(drift.ran[0]).to.contain('chmod 0755 -- "$dst"').and.not.to.contain('chown');
    expect(statSync(path).mode & 0o7777).to.equal(0o755);
  });

  it('directory refuses a path that is a file', async () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'x');
    let error: unknown;
    await directory('d', () => ({ path }))
      .check(new FakeContext({ local: true }))
      .catch((err: unknown) => (error = err));
    expect((error as Error).message).to.match(/is a regular file, not a directory/);
  });
});
