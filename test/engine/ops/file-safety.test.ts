/**
 * Issue 13, rows 14 and 15: the file op run for real (its scripts with /bin/sh, as root) in a temp
 * dir where a home directory belongs to `nobody`, who plants symlinks there. Root never writes,
 * chmods or chowns through a link another user owns; a user's own file is written as that user;
 * the one-time backup of a file is never looser than the file play writes.
 */
import { expect } from 'chai';
import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../../engine/errors.js';
import { file } from '../../../engine/ops/file.js';
import type { FileSpec } from '../../../engine/ops/file-plan.js';
import { FakeContext, converge } from './fake-context.js';
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
});
