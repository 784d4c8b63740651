// SSH trust for the lab, checked both ways: the controller's lab key is root's authorized key on
// every host, and every host's real host keys are in the lab's known_hosts, so ssh runs with
// StrictHostKeyChecking=yes and never skips host key checks.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LAB, type LabHost } from './constants.js';
import { mustRun, run } from './exec.js';

/** Creates the lab's ed25519 key pair (mode 0600) when missing. */
export async function ensureLabKey(): Promise<void> {
  await mkdir(LAB.sshDir, { recursive: true, mode: 0o700 });
  if (!existsSync(LAB.keyPath)) {
    await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'play-lab', '-f', LAB.keyPath]);
  }
  await chmod(LAB.keyPath, 0o600);
}

/** The invoking user's home: under sudo, SUDO_USER's, else ours. */
async function invokingUserHome(): Promise<string> {
  const sudoUser = process.env.SUDO_USER;
  if (sudoUser && sudoUser !== 'root') {
    const entry = await run('getent', ['passwd', sudoUser]);
    const home = entry.stdout.trim().split(':')[5];
    if (entry.code === 0 && home) return home;
  }
  return homedir();
}

/** The lab key plus the invoking user's ~/.ssh/*.pub, as authorized_keys content. */
export async function authorizedKeys(): Promise<string> {
  const keys = [(await readFile(`${LAB.keyPath}.pub`, 'utf8')).trim()];
  const userSsh = join(await invokingUserHome(), '.ssh');
  if (existsSync(userSsh)) {
    for (const name of (await readdir(userSsh)).sort()) {
      if (!name.endsWith('.pub')) continue;
      const key = (await readFile(join(userSsh, name), 'utf8')).trim();
      if (key !== '' && !keys.includes(key)) keys.push(key);
    }
  }
  return `${keys.join('\n')}\n`;
}

/** known_hosts lines for one host from its own public host keys, by name and address. */
export async function knownHostsLines(host: LabHost, root: string): Promise<string[]> {
  const sshDir = join(root, 'etc/ssh');
  const lines: string[] = [];
  for (const name of (await readdir(sshDir)).sort()) {
    if (!/^ssh_host_.*_key\.pub$/.test(name)) continue;
    const [type, key] = (await readFile(join(sshDir, name), 'utf8')).trim().split(/\s+/);
    if (type && key) lines.push(`${host.name},${host.address} ${type} ${key}`);
  }
  return lines;
}

/** Rewrites the lab known_hosts with every host's keys (atomically: ssh may be reading it). */
export async function writeKnownHosts(entries: ReadonlyArray<{ host: LabHost; root: string }>): Promise<void> {
  const lines: string[] = [];
  for (const { host, root } of entries) {
    if (existsSync(join(root, 'etc/ssh'))) lines.push(...(await knownHostsLines(host, root)));
  }
  await mkdir(LAB.sshDir, { recursive: true, mode: 0o700 });
  const tmp = `${LAB.knownHostsPath}.tmp`;
  await writeFile(tmp, lines.length ? `${lines.join('\n')}\n` : '');
  await rename(tmp, LAB.knownHostsPath);
}
