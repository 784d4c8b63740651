import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../../engine/errors.js';
import { blockInFile } from '../../../engine/ops/block-in-file.js';
import { lineInFile } from '../../../engine/ops/line-in-file.js';
import { FakeContext, converge } from './fake-context.js';

describe('ops/lineInFile and blockInFile (real, in a temp dir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-edit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lineInFile edits in place, backs up once, then is converged', async () => {
    const path = join(dir, 'sshd_config');
    writeFileSync(path, 'Port 22\nPermitRootLogin yes\n', { mode: 0o600 });
    const task = lineInFile('root login', () => ({ path, line: 'PermitRootLogin prohibit-password', regexp: '^#?PermitRootLogin\\s' }));
    const change = await converge(task, new FakeContext({ local: true }));
    expect(change?.summary).to.equal('content differs (2 lines)');
    expect(readFileSync(path, 'utf8')).to.equal('Port 22\nPermitRootLogin prohibit-password\n');
    expect(statSync(path).mode & 0o777, 'mode kept').to.equal(0o600);
    expect(readFileSync(`${path}.play-orig`, 'utf8')).to.equal('Port 22\nPermitRootLogin yes\n');
    const again = new FakeContext({ local: true });
    expect(await converge(task, again)).to.equal(null);
    expect(again.ran).to.deep.equal([]);
  });

  it('lineInFile needs create for a missing file, and creates it with the mode asked', async () => {
    const path = join(dir, 'new.conf');
    let error: unknown;
    await lineInFile('x', () => ({ path, line: 'a' }))
      .check(new FakeContext({ local: true }))
      .catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(TaskError);
    expect((error as Error).message).to.match(/does not exist \(set create: true/);
    await converge(lineInFile('x', () => ({ path, line: 'a', create: true, mode: 0o640 })), new FakeContext({ local: true }));
    expect(readFileSync(path, 'utf8')).to.equal('a\n');
    expect(statSync(path).mode & 0o777).to.equal(0o640);
    expect(await lineInFile('x', () => ({ path, line: 'zz', state: 'absent' })).check(new FakeContext({ local: true }))).to.equal(null);
  });

  it('lineInFile with secret hides the line from the diff', async () => {
    const path = join(dir, 'env');
    writeFileSync(path, 'A=1\n');
    const change = await lineInFile('token', () => ({ path, line: 'TOKEN=s3cr3t', secret: true })).check(new FakeContext({ local: true }));
    expect(change?.diffs?.[0]?.secret).to.equal(true);
    expect(change?.summary).not.to.contain('s3cr3t');
  });

  it('blockInFile appends then replaces its block', async () => {
    const path = join(dir, 'hosts');
    writeFileSync(path, '127.0.0.1 localhost\n');
    await converge(blockInFile('hosts', () => ({ path, block: '10.0.0.1 m1' })), new FakeContext({ local: true }));
    await converge(blockInFile('hosts', () => ({ path, block: '10.0.0.1 m1\n10.0.0.2 m2' })), new FakeContext({ local: true }));
    expect(readFileSync(path, 'utf8')).to.equal(
      '127.0.0.1 localhost\n# BEGIN PLAY MANAGED BLOCK\n10.0.0.1 m1\n10.0.0.2 m2\n# END PLAY MANAGED BLOCK\n',
    );
    expect(await blockInFile('hosts', () => ({ path, block: '10.0.0.1 m1\n10.0.0.2 m2' })).check(new FakeContext({ local: true }))).to.equal(null);
  });
});
