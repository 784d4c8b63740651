/**
 * Issue 13, rows 14 and 15: the file op run for real (its scripts with /bin/sh, as root) in a temp
 * dir where a home directory belongs to `nobody`, who plants symlinks there. Root never writes,
 * chmods or chowns through a link another user owns; a user's own file is written as that user;
 * the one-time backup of a file is never looser than the file play writes. The check side too:
 * the file fact never reads through such a link with root's rights (a --diff would show what it
 * read), and absent() never removes behind one.
 */
import { expect } from 'chai';
import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../../engine/errors.js';
import { fileFact } from '../../../engine/facts/file.js';
import { absent } from '../../../engine/ops/absent.js';
import { file } from '../../../engine/ops/file.js';
import type { FileSpec } from '../../../engine/ops/file-plan.js';
import { FakeContext, converge, runSh } from './fake-context.js';
import { requirePrerequisite } from '../../helpers/skip.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the task to fail');
}

describe('ops/file: symlinks and users (real, as root, in a temp dir)', function () {
  let dir: string;
  let home: string;
  let victim: string;
  before(function () {
    requirePrerequisite(this, isRoot ? undefined : 'needs root (it chowns files to nobody and runs the real scripts)');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-file-safety-'));
    chmodSync(dir, 0o755);
    home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    chownSync(home, NOBODY, NOBODY);
    chownSync(join(home, '.kube'), NOBODY, NOBODY);
    victim = join(dir, 'victim');
    writeFileSync(victim, 'root only\n', { mode: 0o600 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A symlink at `path` to `target`, owned by nobody as if nobody had made it. */
  const plant = (path: string, target: string): void => {
    symlinkSync(target, path);
    lchownSync(path, NOBODY, NOBODY);
  };
  const write = (spec: Partial<FileSpec> & { path: string }) => converge(file('test', () => ({ content: 'from play\n', ...spec })), new FakeContext({ local: true }));
  const untouched = (): void => {
    expect(readFileSync(victim, 'utf8')).to.equal('root only\n');
    expect(statSync(victim).uid).to.equal(0);
    expect(statSync(victim).mode & 0o777).to.equal(0o600);
  };

  it("refuses to write root's file through a link a user planted (the file, or a directory on the way)", async () => {
    plant(join(home, '.kube', 'config'), victim);
    const err = await failure(write({ path: join(home, '.kube', 'config'), owner: 'root', mode: 0o600 }));
    expect(err).to.be.instanceOf(TaskError);
    expect(err.message).to.match(/refusing to follow .*\.kube\/config: a symlink owned by nobody/);
    untouched();

    const etc = join(dir, 'etc');
    mkdirSync(etc);
    plant(join(home, 'conf.d'), etc);
    const viaDir = await failure(write({ path: join(home, 'conf.d', 'app.conf') }));
    expect(viaDir.message).to.match(/a symlink owned by nobody/);
    expect(() => lstatSync(join(etc, 'app.conf')), 'nothing written behind the link').to.throw();
  });

  it("never chmods or chowns a link's target for a user, and a user's link does not lead the user's own file elsewhere", async () => {
    plant(join(home, 'notes'), victim);
    // Same content: only mode and owner differ, the attributes path.
    const err = await failure(converge(file('test', () => ({ path: join(home, 'notes'), content: 'root only\n', mode: 0o644, owner: 'nobody' })), new FakeContext({ local: true })));
    expect(err.message).to.match(/a symlink owned by nobody/);
    untouched();
    const write2 = await failure(write({ path: join(home, 'notes'), owner: 'nobody', mode: 0o644 }));
    expect(write2.message).to.match(/a symlink owned by nobody/);
    untouched();
  });

  it("writes a user's own file as that user, and still follows root's own links", async () => {
    const path = join(home, '.kube', 'config');
    // The validator runs as the writer: it passes only when that is nobody.
    await write({ path, owner: 'nobody', group: 'nogroup', mode: 0o600, validate: 'test "$(id -u)" = 65534 && test -s %s' });
    expect(readFileSync(path, 'utf8')).to.equal('from play\n');
    expect(statSync(path).uid).to.equal(NOBODY);
    expect(statSync(path).mode & 0o777).to.equal(0o600);

    const real = join(dir, 'real.conf');
    writeFileSync(real, 'old\n');
    symlinkSync(real, join(dir, 'link.conf'));
    await write({ path: join(dir, 'link.conf'), backup: false });
    expect(readFileSync(real, 'utf8')).to.equal('from play\n');
  });

  it("gives the backup of a file no wider mode than the new file's (row 15)", async () => {
    const path = join(dir, 'keepalived.conf');
    writeFileSync(path, 'auth_pass old-secret\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    await write({ path, content: 'auth_pass new-secret\n', mode: 0o640, secret: true });
    expect(statSync(path).mode & 0o777).to.equal(0o640);
    expect(readFileSync(`${path}.play-orig`, 'utf8')).to.equal('auth_pass old-secret\n');
    expect(statSync(`${path}.play-orig`).mode & 0o777, 'the backup holds the old secret').to.equal(0o640);
    // A tighter original stays as tight.
    const tight = join(dir, 'tight.conf');
    writeFileSync(tight, 'x\n', { mode: 0o600 });
    await write({ path: tight, mode: 0o644 });
    expect(statSync(`${tight}.play-orig`).mode & 0o777).to.equal(0o600);
  });

  it('never writes the backup through a dangling link planted at its name', async () => {
    const path = join(home, 'app.conf');
    writeFileSync(path, 'original\n');
    chownSync(path, NOBODY, NOBODY);
    const elsewhere = join(dir, 'planted-backup');
    plant(`${path}.play-orig`, elsewhere);
    await write({ path, owner: 'nobody', mode: 0o600 });
    expect(readFileSync(path, 'utf8')).to.equal('from play\n');
    expect(() => lstatSync(elsewhere), 'the backup went through the link').to.throw();
  });

  it("checks never read a root-only file through a user's link: no content reaches a --diff", async () => {
    const path = join(home, '.kube', 'config');
    plant(path, victim);
    const leaked = (text: string): boolean => text.includes('root only') || text.includes(Buffer.from('root only\n').toString('base64'));
    const err = await failure(file('test', () => ({ path, content: 'from play\n', owner: 'root', mode: 0o600 })).check(new FakeContext({ local: true })));
    expect(err).to.be.instanceOf(TaskError);
    expect(err.message).to.match(/refusing to follow .*\.kube\/config: a symlink owned by nobody is on its path, and nobody cannot read it/);
    expect(leaked(err.message)).to.equal(false);
    // The batched form (one command for several files) reads it as nobody too.
    const fact = fileFact(path);
    const grouped = await runSh(fact.group!.command([path, victim]));
    const [viaLink, direct] = fact.group!.split(grouped, [path, victim]);
    expect(leaked(viaLink!.stdout), 'content read through the link').to.equal(false);
    expect(() => fact.parse(viaLink!)).to.throw(/a symlink owned by nobody is on its path/);
    expect(leaked(direct!.stdout), "root's own path is read as before").to.equal(true);
  });

  it("reads a file behind a user's link as that user, and refuses to change it for anyone else", async () => {
    const shared = join(dir, 'shared.conf');
    writeFileSync(shared, 'shared\n', { mode: 0o644 });
    chmodSync(shared, 0o644);
    const path = join(home, 'shared.conf');
    plant(path, shared);
    const state = fileFact(path).parse(await runSh(fileFact(path).command));
    expect(state).to.deep.include({ exists: true, linkOwner: 'nobody', owner: 'root', content: 'shared\n' });
    const err = await failure(file('test', () => ({ path, content: 'changed\n' })).check(new FakeContext({ local: true })));
    expect(err.message).to.match(/refusing to follow .*shared\.conf: a symlink owned by nobody is on its path/);
    // Converged: nothing to change, nothing refused.
    expect(await file('test', () => ({ path, content: 'shared\n' })).check(new FakeContext({ local: true }))).to.equal(null);
    expect(readFileSync(shared, 'utf8')).to.equal('shared\n');
  });

  it('absent never removes through a linked folder a user planted on the way; a link itself goes, not its target', async () => {
    const etc = join(dir, 'etc');
    mkdirSync(etc);
    writeFileSync(join(etc, 'app.conf'), 'keep me\n');
    plant(join(home, 'conf.d'), etc);
    const err = await failure(converge(absent('rm', () => ({ path: join(home, 'conf.d', 'app.conf') })), new FakeContext({ local: true })));
    expect(err).to.be.instanceOf(TaskError);
    expect(err.message).to.match(/refusing to follow .*home\/conf\.d: a symlink owned by nobody/);
    expect(readFileSync(join(etc, 'app.conf'), 'utf8')).to.equal('keep me\n');
    await converge(absent('rm', () => ({ path: join(home, 'conf.d') })), new FakeContext({ local: true }));
    expect(() => lstatSync(join(home, 'conf.d')), 'the link is gone').to.throw();
    expect(readFileSync(join(etc, 'app.conf'), 'utf8')).to.equal('keep me\n');
  });
});
