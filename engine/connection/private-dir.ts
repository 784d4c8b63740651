/**
 * Directories only the running user can enter: where play keeps its SSH control sockets and, for
 * a non-root user, the run locks of local connections. A control socket is a login: whoever can
 * put one where play looks for it receives play's scripts (and the secrets in them) instead of
 * the host. Under `sudo -E` root keeps the user's XDG_RUNTIME_DIR and HOME, so the user could
 * plant one there: a directory is used only when it is the effective user's own, mode 0700, not
 * a symlink, and nobody else can write to any folder above it (the rule OpenSSH applies to the
 * folders above authorized_keys); otherwise play refuses and says why.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { PlayError } from '../errors.js';

/** The directory cannot be trusted; no host was contacted. Exit 2, as for bad input. */
export class UnsafeDirectoryError extends PlayError {
  override readonly exitCode = 2;
}

/** An environment path: unset when empty or not absolute (a relative one would follow the cwd). */
function absoluteEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value !== undefined && value !== '' && isAbsolute(value) ? value : undefined;
}

/**
 * Where play keeps per-user runtime files: $XDG_RUNTIME_DIR/play, else $HOME/.cache/play, else
 * the passwd home's .cache/play. Empty or relative variables count as unset.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = absoluteEnv(env, 'XDG_RUNTIME_DIR');
  if (xdg !== undefined) return join(xdg, 'play');
  return join(absoluteEnv(env, 'HOME') ?? userInfo().homedir, '.cache', 'play');
}

function euid(): number {
  return process.geteuid?.() ?? 0;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** Makes `dir` (0700, with missing parents) and refuses it unless it is private (see above). */
export function ensurePrivateDir(dir: string): void {
  if (!isAbsolute(dir)) refuse(dir, 'it is not an absolute path');
  // Checked before anything is made: nothing of root's is left in a folder that is not root's.
  let existing = dirname(dir);
  while (!existsSync(existing)) existing = dirname(existing);
  checkAncestors(dir, existing, statSync);
  checkAncestors(dir, realpathSync(existing), lstatSync);
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    refuse(dir, `it cannot be made (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // What this call made is ours: the umask may have taken bits off 0700, never added any.
  if (created !== undefined) {
    for (let step = dir; step.length >= created.length; step = dirname(step)) chmodSync(step, 0o700);
  }
  checkOwnDir(dir);
}

function refuse(dir: string, why: string): never {
  const hint = euid() === 0 ? ' (under `sudo -E`? run sudo without -E, or set XDG_RUNTIME_DIR to a folder of your own)' : '';
  throw new UnsafeDirectoryError(`refusing ${dir} as play's private folder (control sockets, locks): ${why}${hint}`);
}

function checkOwnDir(dir: string): void {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) refuse(dir, 'it is a symlink');
  if (!st.isDirectory()) refuse(dir, 'it is not a directory');
  if (st.uid !== euid()) refuse(dir, `it is owned by uid ${st.uid}, not by you (uid ${euid()})`);
  if ((st.mode & 0o777) !== 0o700) refuse(dir, `its mode is ${octal(st.mode)}, not 0700 (chmod 700 it if it is yours)`);
}

/**
 * Every folder from `dir` up to / is the effective user's or root's, and writable by no one else
 * (a sticky folder such as /tmp excepted: nobody else can rename what is in it). Walked on the
 * path as given (stat: a linked ~/.cache counts as where it leads) and on its real path.
 */
function checkAncestors(dir: string, from: string, stat: (path: string) => Stats): void {
  for (let step = from; ; step = dirname(step)) {
    const st = stat(step);
    if (st.uid !== euid() && st.uid !== 0) refuse(dir, `${step} above it is owned by uid ${st.uid}, neither you (uid ${euid()}) nor root`);
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) refuse(dir, `others can write to ${step} above it (mode ${octal(st.mode)})`);
    if (step === dirname(step)) return;
  }
}
