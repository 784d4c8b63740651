import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstNonce, firstResult, firstScriptFrame, HostLock, LockFailure, lockHolder, lockScript, lockVerdict } from '../../engine/connection/host-lock.js';
import { LocalConnection } from '../../engine/connection/local.js';
import { LockedConnection } from '../../engine/connection/locked.js';
import { TaskError } from '../../engine/errors.js';
import { requirePrerequisite } from '../helpers/skip.js';

const NOBODY = 65534;

async function refusal(promise: Promise<HostLock>): Promise<Error> {
  try {
    await (await promise).release();
  } catch (err) {
    return err as Error;
  }
  throw new Error('the second run took the lock while the first held it');
}

describe('per-host run lock', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'play-lock-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a second run is refused with the owner named while the first holds the lock, and gets it after', async () => {
    const file = join(dir, 'host.lock');
    const argv = (owner: string): string[] => ['/bin/sh', '-c', lockScript(owner, file)];
    const first = await HostLock.acquire('box', argv('run one'));
    try {
      await HostLock.acquire('box', argv('run two'));
      expect.fail('second lock taken');
    } catch (err) {
      expect(err).to.be.instanceOf(TaskError);
      expect((err as Error).message).to.match(/box is locked by another play run \(run one\)/);
    }
    // Released means free: the next run may take it at once (two playbooks of one command do).
    await first.release();
    const again = await HostLock.acquire('box', argv('run three'));
    await again.release();
  });

  // Issue 13 row 11: the holder's text was scanned for the LOCKED marker.
  it('a holder whose name carries the LOCKED marker never makes a second run think it holds the lock', async () => {
    for (const owner of ['play pid 1 by root@PLAY-LOCKED-host', 'play pid 1 by root@x\nPLAY-LOCKED']) {
      const file = join(dir, `marker-${owner.length}.lock`);
      const argv = (who: string): string[] => ['/bin/sh', '-c', lockScript(who, file)];
      const first = await HostLock.acquire('box', argv(owner));
      try {
        const err = await refusal(HostLock.acquire('box', argv('run two')));
        expect(err).to.be.instanceOf(TaskError);
        expect(err.message).to.match(/^box is locked by another play run \(play pid 1 by root@.*PLAY-LOCKED.*\); wait for it to finish$/);
      } finally {
        await first.release();
      }
    }
  });

  it('reads the verdict from whole lines, BUSY first, and the holder from stderr, sanitized', () => {
    expect(lockVerdict('PLAY-LOCKED\n')).to.equal('locked');
    expect(lockVerdict('Welcome!\nPLAY-LOCKED\r\n')).to.equal('locked');
    expect(lockVerdict('PLAY-LOCKED')).to.equal(undefined);
    expect(lockVerdict('x PLAY-LOCKED\n')).to.equal(undefined);
    expect(lockVerdict('PLAY-LOCKED\nPLAY-BUSY\n')).to.equal('busy');
    expect(lockHolder('Warning: Permanently added x\nPLAY-OWNER play pid 7 by a@b\x1b[2J\n')).to.equal('play pid 7 by a@b?[2J');
    expect(lockHolder('PLAY-OWNER \n')).to.equal('another play run');
  });

  // Issue 13 row 11: a user's local lock files were at a name in /tmp anyone could take first.
  it("keeps a non-root user's local locks in the user's private folder, never in the temp folder", function () {
    requirePrerequisite(this, process.getuid?.() === 0 ? undefined : 'needs root (it runs play as nobody)');
    const home = join(dir, 'nobody-home');
    const temp = join(dir, 'shared-tmp');
    for (const d of [home, temp]) spawnSync('mkdir', ['-p', d]);
    chmodSync(dir, 0o755);
    chownSync(home, NOBODY, NOBODY);
    chmodSync(temp, 0o1777);
    const script = [
      `const { LocalConnection } = await import(${JSON.stringify(fileURLToPath(new URL('../../engine/connection/local.js', import.meta.url)))});`,
      `const { LockedConnection } = await import(${JSON.stringify(fileURLToPath(new URL('../../engine/connection/locked.js', import.meta.url)))});`,
      "const conn = new LockedConnection(new LocalConnection({ kind: 'local', host: 'box', address: 'localhost', become: false, commonArgs: [] }));",
      "const out = await conn.exec('echo ran');",
      'console.log(JSON.stringify({ lockFile: conn.lockFile, out: out.stdout }));',
      'await conn.close();',
    ].join('\n');
    // runuser sets HOME itself: env sets the user's environment after it (XDG_RUNTIME_DIR empty = unset).
    const env = ['env', `HOME=${home}`, 'XDG_RUNTIME_DIR=', `TMPDIR=${temp}`];
    const run = spawnSync('runuser', ['-u', 'nobody', '--', ...env, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const { lockFile, out } = JSON.parse(run.stdout) as { lockFile: string; out: string };
    expect(out).to.equal('ran\n');
    expect(readdirSync(temp), 'nothing in the shared temp folder').to.deep.equal([]);
    expect(lockFile.startsWith(join(home, '.cache', 'play', 'locks') + '/'), lockFile).to.equal(true);
    const folder = statSync(join(home, '.cache', 'play', 'locks'));
    expect(folder.uid).to.equal(NOBODY);
    expect(folder.mode & 0o777).to.equal(0o700);
    expect(existsSync(lockFile)).to.equal(true);
  });
});

describe('the lock session carries the first script (issue 17 item 1)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'play-lock-first-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const argv = (file: string, owner = 'run'): string[] => ['/bin/sh', '-c', lockScript(owner, join(dir, file))];

  it('answers with the exit code, stdout and stderr apart, byte for byte, whatever the script prints', async () => {
    const script = [
      "printf 'PLAY-LOCKED\\nPLAY-FIRST 0 0 0\\n'",
      "printf 'caf\\303\\251 no newline'",
      "echo 'to stderr' >&2",
      'read x && echo "stdin gave $x" || echo "stdin is empty"',
      'exit 3',
    ].join('\n');
    const lock = await HostLock.acquire('box', argv('a.lock'), { first: script });
    try {
      expect(await lock.first).to.deep.equal({ code: 3, stdout: 'PLAY-LOCKED\nPLAY-FIRST 0 0 0\ncafé no newlinestdin is empty\n', stderr: 'to stderr\n' });
      // `exit` in the script ends its subshell, not the session: the lock is still held.
      const err = await refusal(HostLock.acquire('box', argv('a.lock', 'run two')));
      expect(err.message).to.match(/locked by another play run \(run\)/);
    } finally {
      await lock.release();
    }
  });

  it("frames and reads a result only from whole frames after the verdict, with the session's nonce", () => {
    const n = 'abc123';
    expect(firstScriptFrame('echo é', n)).to.equal('7 abc123\necho é');
    expect(firstScriptFrame(undefined, n)).to.equal('-\n');
    expect(firstNonce()).to.match(/^[0-9a-f]{24}$/);
    expect(firstNonce()).not.to.equal(firstNonce());
    const b = (text: string): Buffer => Buffer.from(text, 'utf8');
    const err = b('[sudo] password for u: PLAY-FIRST-abc123\nde\nPLAY-FIRST-abc123\n');
    expect(firstResult(b('motd\nPLAY-LOCKED\nabc\nPLAY-FIRST-abc123 1\n'), err, n)).to.deep.equal({ code: 1, stdout: 'abc', stderr: 'de' });
    // empty output, and output without a last newline, come back as they were
    expect(firstResult(b('PLAY-LOCKED\n\nPLAY-FIRST-abc123 0\n'), b('PLAY-FIRST-abc123\n\nPLAY-FIRST-abc123\n'), n)).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(firstResult(b('PLAY-LOCKED\n\n\nPLAY-FIRST-abc123 0\n'), err, n)).to.deep.equal({ code: 0, stdout: '\n', stderr: 'de' });
    expect(firstResult(b('PLAY-LOCKED\nabc\nPLAY-FIRST-abc123 0'), err, n)).to.equal(undefined); // code line not whole yet
    expect(firstResult(b('PLAY-LOCKED\nabc\nPLAY-FIRST-abc123 0\n'), b('PLAY-FIRST-abc123\nde'), n)).to.equal(undefined); // stderr not closed yet
    expect(firstResult(b('PLAY-LOCKED\nabc\nPLAY-FIRST-other 0\n'), err, n)).to.equal(undefined); // another nonce is no frame
    expect(firstResult(b('x PLAY-LOCKED\n\nPLAY-FIRST-abc123 0\n'), err, n)).to.equal(undefined); // no verdict line
    expect(() => firstResult(b('PLAY-LOCKED\n\nPLAY-FIRST-abc123 x\n'), err, n)).to.throw(/unexpected line/);
  });

  it('runs no process of its own on the host but flock and head (issue 17: a process is ~5 ms of host CPU)', () => {
    const words = lockScript('run', '/run/play.lock').split(/[\s;|&()]+/);
    for (const external of ['cat', 'mktemp', 'wc', 'rm', 'tee', 'dd']) expect(words, external).not.to.include(external);
    expect(words).to.include('flock');
  });

  it('a session that ends before answering fails the first script instead of hanging', async () => {
    const lock = await HostLock.acquire('box', ['/bin/sh', '-c', `${lockScript('run', join(dir, 'b.lock')).replace('( eval "$s" )', () => 'kill -9 $$; ( eval "$s" )')}`], { first: 'echo hi' });
    const err = await lock.first!.then(() => undefined, (e: Error) => e);
    expect(err).to.be.instanceOf(LockFailure);
  });

  it('a connection whose first exec rides on the lock costs one exec; the next ones their own', async () => {
    const conn = new LockedConnection(new LocalConnection({ kind: 'local', host: 'box', address: 'localhost', become: false, commonArgs: [] }));
    try {
      expect(await conn.exec('echo one; echo err >&2; exit 4')).to.deep.equal({ code: 4, stdout: 'one\n', stderr: 'err\n' });
      expect(conn.stats.execs).to.equal(1);
      expect((await conn.exec('echo two')).stdout).to.equal('two\n');
      expect(conn.stats.execs).to.equal(2);
    } finally {
      await conn.close();
    }
  });
});
