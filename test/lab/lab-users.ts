// Non-root users on every lab host, for building the cluster as a user would on a cloud image:
// `deploy` has sudo with a password (Debian's %sudo rule), `debian` has passwordless sudo
// (NOPASSWD, like cloud images). Both log in with the lab key. deploy's password is random, made
// once per machine and kept in the lab's ssh folder (0600); it reaches chpasswd on stdin only.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAB } from './constants.js';
import { mustRun } from './exec.js';
import { authorizedKeys } from './ssh-keys.js';

export const LAB_USERS = {
  /** sudo asks this user for a password. */
  passwordSudo: 'deploy',
  /** sudo asks this user nothing. */
  passwordlessSudo: 'debian',
} as const;

const PASSWORD_FILE = join(LAB.sshDir, 'sudo-password');
/** Written last: the users of this host are complete. */
const SUDOERS_FILE = 'etc/sudoers.d/play-lab';

/** Makes deploy's password when missing (kept across `down`, like the lab key). */
export async function ensureLabSudoPassword(): Promise<void> {
  await mkdir(LAB.sshDir, { recursive: true, mode: 0o700 });
  if (!existsSync(PASSWORD_FILE)) await writeFile(PASSWORD_FILE, `${randomBytes(15).toString('base64url')}\n`, { mode: 0o600 });
  await chmod(PASSWORD_FILE, 0o600);
}

/** deploy's sudo password, for tests that feed it to -K or encrypt it into a vault. */
export async function labSudoPassword(): Promise<string> {
  return (await readFile(PASSWORD_FILE, 'utf8')).trim();
}

/** Adds both users to a host's (mounted) tree, once. */
export async function ensureLabUsers(root: string): Promise<void> {
  if (existsSync(join(root, SUDOERS_FILE))) return;
  await ensureLabSudoPassword();
  const keys = await authorizedKeys();
  for (const user of Object.values(LAB_USERS)) {
    const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
    if (!passwd.split('\n').some((line) => line.startsWith(`${user}:`))) {
      await mustRun('chroot', [root, 'useradd', '--create-home', '--shell', '/bin/bash', user]);
    }
    await mkdir(join(root, 'home', user, '.ssh'), { recursive: true, mode: 0o700 });
    await writeFile(join(root, 'home', user, '.ssh/authorized_keys'), keys, { mode: 0o600 });
    await mustRun('chroot', [root, 'chown', '-R', `${user}:${user}`, `/home/${user}/.ssh`]);
  }
  await mustRun('chroot', [root, 'usermod', '-aG', 'sudo', LAB_USERS.passwordSudo]);
  await mustRun('chroot', [root, 'chpasswd'], { input: `${LAB_USERS.passwordSudo}:${await labSudoPassword()}\n` });
  await writeFile(join(root, SUDOERS_FILE), `${LAB_USERS.passwordlessSudo} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
}
