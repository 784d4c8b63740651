// Issue 13 row 12: the folder of the SSH control sockets (and of a user's local locks) is used
// only when it is the effective user's own, mode 0700, not a symlink, under folders nobody else
// can write; an empty XDG_RUNTIME_DIR or HOME counts as unset, never as a relative path.
import { expect } from 'chai';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { defaultSshSettings } from '../../../engine/connection/ssh.js';
import { ensurePrivateDir, runtimeDir, UnsafeDirectoryError } from '../../../engine/connection/private-dir.js';
import { FIXTURE_ROLES, runPlay } from '../../helpers/run-play.js';
import { requirePrerequisite } from '../../helpers/skip.js';
import { installStandIns } from './helpers/stand-ins.js';

const NOBODY = 65534;

/** Runs `fn` with these environment variables (undefined: unset), then puts them back. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

describe('connection/private-dir: where control sockets live', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-private-'));
    chmodSync(dir, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('treats an empty or relative XDG_RUNTIME_DIR (and HOME) as unset, never as a relative path', () => {
    const home = join(dir, 'home');
    for (const xdg of ['', 'relative/run']) {
      const controlDir = withEnv({ XDG_RUNTIME_DIR: xdg, HOME: home }, () => defaultSshSettings().controlDir);
      expect(controlDir, `XDG_RUNTIME_DIR='${xdg}'`).to.equal(join(home, '.cache', 'play', 'cp'));
    }
    const noHome = withEnv({ XDG_RUNTIME_DIR: undefined, HOME: '' }, () => defaultSshSettings().controlDir);
    expect(isAbsolute(noHome), noHome).to.equal(true);
    expect(noHome).to.equal(join(userInfo().homedir, '.cache', 'play', 'cp'));
    expect(withEnv({ XDG_RUNTIME_DIR: join(dir, 'run') }, () => runtimeDir())).to.equal(join(dir, 'run', 'play'));
  });

  it('makes a missing folder 0700 and accepts its own 0700 folder again', () => {
    const cp = join(dir, 'run', 'play', 'cp');
    const umask = process.umask(0o077);
    try {
      ensurePrivateDir(cp);
    } finally {
      process.umask(umask);
    }
    expect(statSync(cp).mode & 0o777).to.equal(0o700);
    expect(statSync(join(dir, 'run', 'play')).mode & 0o777).to.equal(0o700);
    ensurePrivateDir(cp);
  });

  it('refuses a symlink, a folder of another mode, and anything that is not a folder', () => {
    const real = join(dir, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(dir, 'link'));
    expect(() => ensurePrivateDir(join(dir, 'link'))).to.throw(UnsafeDirectoryError, /link as play's private folder .*: it is a symlink/);
    mkdirSync(join(dir, 'open'), { mode: 0o755 });
    chmodSync(join(dir, 'open'), 0o755);
    expect(() => ensurePrivateDir(join(dir, 'open'))).to.throw(UnsafeDirectoryError, /its mode is 0755, not 0700/);
    writeFileSync(join(dir, 'file'), '');
    expect(() => ensurePrivateDir(join(dir, 'file'))).to.throw(UnsafeDirectoryError);
  });

  it("refuses another user's folder, or a folder under one (root under sudo -E), and a folder under a world-writable one", function () {
    requirePrerequisite(this, process.getuid?.() === 0 ? undefined : 'needs root (it chowns folders to nobody)');
    const planted = join(dir, 'user-run', 'play', 'cp');
    mkdirSync(planted, { recursive: true, mode: 0o700 });
    chownSync(planted, NOBODY, NOBODY);
    expect(() => ensurePrivateDir(planted)).to.throw(UnsafeDirectoryError, /owned by uid 65534, not by you \(uid 0\)/);
    // The user's XDG_RUNTIME_DIR kept by sudo -E: whatever is below it, the user can replace.
    const userRun = join(dir, 'xdg');
    mkdirSync(userRun, { mode: 0o700 });
    chownSync(userRun, NOBODY, NOBODY);
    expect(() => ensurePrivateDir(join(userRun, 'play', 'cp'))).to.throw(UnsafeDirectoryError, /xdg above it is owned by uid 65534/);
    expect(() => lstatSync(join(userRun, 'play')), 'nothing of root’s was made in the user’s folder').to.throw();
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => ensurePrivateDir(join(open, 'cp'))).to.throw(UnsafeDirectoryError, /others can write to .*open above it \(mode 0777\)/);
    // A sticky world-writable folder (/tmp) is fine: nobody else can rename what is in it.
    chmodSync(open, 0o1777);
    ensurePrivateDir(join(open, 'cp'));
  });

  it('through the CLI: a planted socket folder stops the run before any host is contacted (exit 2)', async function () {
    this.timeout(60_000);
    requirePrerequisite(this, process.getuid?.() === 0 ? undefined : 'needs root (it chowns folders to nobody)');
    const standIns = installStandIns(join(dir, 'stand-ins'), 'unused');
    const userRun = join(dir, 'xdg');
    mkdirSync(join(userRun, 'play', 'cp'), { recursive: true, mode: 0o700 });
    for (const d of [userRun, join(userRun, 'play'), join(userRun, 'play', 'cp')]) chownSync(d, NOBODY, NOBODY);
    writeFileSync(join(dir, 'empty.cfg'), '');
    writeFileSync(join(dir, 'site.yml'), '- hosts: box\n  roles: [demo]\n');
    writeFileSync(join(dir, 'hosts.ini'), `[box]\nfakehost ansible_host=127.0.0.1 ansible_user=root demo_dir=${join(dir, 'target')} demo_password=demo1234\n`);
    const env = { ...standIns.env('nopasswd'), XDG_RUNTIME_DIR: userRun, PLAY_ROLES_PATH: FIXTURE_ROLES, ANSIBLE_CONFIG: join(dir, 'empty.cfg') };
    const run = await runPlay(['site.yml', '-i', 'hosts.ini'], { cwd: dir, env });
    expect(run.code, run.stdout + run.stderr).to.equal(2);
    expect(run.stderr).to.match(/refusing .*xdg\/play\/cp as play's private folder \(control sockets, locks\): .*owned by uid 65534.*sudo -E/);
    expect(standIns.argvs(), 'no ssh was started').to.deep.equal([]);
  });
});
