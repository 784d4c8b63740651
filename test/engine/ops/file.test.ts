import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../../engine/errors.js';
import { file } from '../../../engine/ops/file.js';
import type { FileSpec } from '../../../engine/ops/file-plan.js';
import { renderDiff } from '../../../engine/ops/render-diff.js';
import { FakeContext, converge } from './fake-context.js';

describe('ops/file (real, in a temp dir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const task = (spec: Partial<FileSpec> & { path: string }) =>
    file('test', () => ({ content: 'a\nb\n', ...spec }));
  const modeOf = (path: string) => statSync(path).mode & 0o7777;

  it('creates a file, then finds it converged and runs nothing', async () => {
    const path = join(dir, 'app.conf');
    const t = task({ path, mode: 0o640 });
    const first = new FakeContext({ local: true });
    const change = await converge(t, first);
    expect(change?.summary).to.equal('create (2 lines)');
    expect(change?.diffs?.[0]).to.deep.equal({ path, before: null, after: 'a\nb\n' });
    expect(readFileSync(path, 'utf8')).to.equal('a\nb\n');
    expect(modeOf(path)).to.equal(0o640);
    expect(first.factBatches).to.have.length(1);

    const again = new FakeContext({ local: true });
    expect(await converge(t, again)).to.equal(null);
    expect(again.ran).to.deep.equal([]);
    expect(again.factBatches).to.have.length(1);
    expect(existsSync(`${path}.play-orig`), 'no backup of a file play created').to.equal(false);
  });

  it('fixes a mode-only drift with chmod, without rewriting the content', async () => {
    const path = join(dir, 'app.conf');
    writeFileSync(path, 'a\nb\n');
    chmodSync(path, 0o644);
    const inode = statSync(path).ino;
    const ctx = new FakeContext({ local: true });
    const change = await converge(task({ path, mode: 0o600 }), ctx);
    expect(change?.summary).to.equal('mode 0644 -> 0600');
    expect(change?.write).to.equal(undefined);
    expect(ctx.ran).to.have.length(1);
    expect(ctx.ran[0]).to.contain('chmod 0600');
    expect(ctx.ran[0]).not.to.contain('base64');
    expect(modeOf(path)).to.equal(0o600);
    expect(statSync(path).ino, 'same inode: not rewritten').to.equal(inode);
  });

  it('fixes owner drift with chown only', async () => {
    const path = join(dir, 'app.conf');
    writeFileSync(path, 'a\nb\n');
    const ctx = new FakeContext({ local: true });
    const change = await converge(task({ path, owner: 'nobody', group: 'nogroup' }), ctx);
    expect(change?.summary).to.equal('owner root -> nobody, group root -> nogroup');
    expect(ctx.ran[0]).to.contain('chown -h nobody:nogroup');
    expect(statSync(path).uid).to.equal(65534);
    expect(await task({ path, owner: 'nobody', group: 'nogroup' }).check(new FakeContext({ local: true }))).to.equal(null);
  });

  it('reports content drift with a diff, keeps mode and owner, backs up the original once', async () => {
    const path = join(dir, 'app.conf');
    writeFileSync(path, 'a\nold\n');
    chmodSync(path, 0o600);
    const first = await converge(task({ path }), new FakeContext({ local: true }));
    expect(first?.summary).to.equal('content differs (2 lines)');
    const diff = first?.diffs?.[0];
    expect(diff).to.deep.equal({ path, before: 'a\nold\n', after: 'a\nb\n' });
    if (!diff) throw new Error('no diff');
    expect(renderDiff(diff)).to.contain('-old\n+b\n');
    expect(readFileSync(path, 'utf8')).to.equal('a\nb\n');
    expect(modeOf(path), 'mode kept when the spec names none').to.equal(0o600);
    expect(readFileSync(`${path}.play-orig`, 'utf8')).to.equal('a\nold\n');

    await converge(task({ path, content: 'third\n' }), new FakeContext({ local: true }));
    expect(readFileSync(path, 'utf8')).to.equal('third\n');
    expect(readFileSync(`${path}.play-orig`, 'utf8'), 'the backup keeps the very first original').to.equal('a\nold\n');
    expect(readdirSync(dir).sort()).to.deep.equal(['app.conf', 'app.conf.play-orig']);
  });

  it('does not back up when backup is false', async () => {
    const path = join(dir, 'app.conf');
    writeFileSync(path, 'old\n');
    await converge(task({ path, backup: false }), new FakeContext({ local: true }));
    expect(readdirSync(dir)).to.deep.equal(['app.conf']);
  });

  it('keeps the old file byte-for-byte and leaves no temp file when validation fails', async () => {
    const path = join(dir, 'haproxy.cfg');
    const original = Buffer.from('good config\n\x00\xff binary tail');
    writeFileSync(path, original);
    const t = task({ path, content: 'broken\n', validate: 'grep -q good %s || { echo "line 1: parse error in" %s >&2; exit 3; }' });
    const ctx = new FakeContext({ local: true });
    const change = await t.check(ctx);
    if (!change) throw new Error('expected a change');
    let error: unknown;
    try {
      await t.apply(ctx, change);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(TaskError);
    expect((error as TaskError).message).to.match(/validation failed, file left unchanged/);
    expect((error as TaskError).message).to.match(/line 1: parse error in .*\.haproxy\.cfg\.play-/);
    expect(readFileSync(path).equals(original)).to.equal(true);
    expect(readdirSync(dir)).to.deep.equal(['haproxy.cfg']);
  });

  it('replaces the file when validation passes', async () => {
    const path = join(dir, 'haproxy.cfg');
    writeFileSync(path, 'old\n');
    await converge(task({ path, content: 'good\n', validate: 'grep -q good %s' }), new FakeContext({ local: true }));
    expect(readFileSync(path, 'utf8')).to.equal('good\n');
  });

  it('writes content with quotes, $(), backticks and newlines literally, to a path that needs quoting', async () => {
    const marker = join(dir, 'INJECTED');
    const content = `it's "quoted" $(touch ${marker}) \`touch ${marker}\` \${HOME} \\n\n'; touch ${marker}; '\n\ttab\n`;
    // A file name cannot hold '/', so the name's injection touches a relative marker (cwd = dir).
    const path = join(dir, `we'ird $(touch INJECTED) \`touch INJECTED\` name.conf`);
    const ctx = new FakeContext({ local: true, cwd: dir });
    await converge(file('odd', () => ({ path, content })), ctx);
    expect(readFileSync(path, 'utf8')).to.equal(content);
    expect(existsSync(marker)).to.equal(false);
    expect(await file('odd', () => ({ path, content })).check(new FakeContext({ local: true, cwd: dir }))).to.equal(null);
    expect(readdirSync(dir)).to.deep.equal([path.slice(dir.length + 1)]);
  });

  it('follows a symlink: compares and writes the target, the link stays', async () => {
    const target = join(dir, 'real.conf');
    const link = join(dir, 'link.conf');
    writeFileSync(target, 'old\n');
    symlinkSync(target, link);
    await converge(task({ path: link, backup: false }), new FakeContext({ local: true }));
    expect(readFileSync(target, 'utf8')).to.equal('a\nb\n');
    expect(existsSync(link)).to.equal(true);
    expect(await task({ path: link }).check(new FakeContext({ local: true }))).to.equal(null);
  });

  it('creates parent directories only when asked', async () => {
    const path = join(dir, 'x', 'y', 'app.conf');
    const ctx = new FakeContext({ local: true });
    let error: unknown;
    try {
      await converge(task({ path }), ctx);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(TaskError);
    expect(existsSync(path)).to.equal(false);
    await converge(task({ path, makeParents: true }), new FakeContext({ local: true }));
    expect(readFileSync(path, 'utf8')).to.equal('a\nb\n');
  });

  it('hides secret content from diffs and from the run label', async () => {
    const path = join(dir, 'token');
    writeFileSync(path, 'old-secret\n');
    const ctx = new FakeContext({ local: true });
    const change = await converge(task({ path, content: 'new-secret\n', secret: true, mode: 0o600 }), ctx);
    const diff = change?.diffs?.[0];
    if (!diff) throw new Error('no diff');
    expect(diff.secret).to.equal(true);
    // Apply needs the content (change.write); the diff, which reports may serialize, must not.
    expect(JSON.stringify(change?.diffs), 'the diff holds no secret text').not.to.match(/old-secret|new-secret/);
    expect(renderDiff(diff)).to.equal('(content hidden: secret) 2 lines changed');
    expect(change?.summary).not.to.contain('secret\n');
    expect(ctx.labels).to.deep.equal([`write ${path}`]);
  });

  it('refuses a directory and a relative path', async () => {
    const ctx = new FakeContext({ local: true });
    let error: unknown;
    try {
      await task({ path: dir }).check(ctx);
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.match(/is a directory/);
    try {
      await task({ path: 'relative.conf' }).check(ctx);
      error = undefined;
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.match(/must be absolute/);
  });
});
