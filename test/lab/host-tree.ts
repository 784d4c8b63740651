// A host's file system: an overlay with the shared base as its read-only lower layer and a
// per-host upper layer under /var/lib/play-lab/hosts/NAME. Everything that makes a host itself
// (hostname, address, machine id, ssh host keys, authorized key, the sudo users of
// lab-users.ts, the stand-ins' settings) is written once, at creation,
// into the upper layer; stop/start keep it, `down` deletes it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LAB, STANDIN_SETTINGS, type LabHost } from './constants.js';
import { mustRun, run } from './exec.js';
import { ensureLabUsers } from './lab-users.js';
import { authorizedKeys } from './ssh-keys.js';

export interface HostPaths {
  dir: string;
  upper: string;
  work: string;
  root: string;
  /** Written last at creation: holds the base this host's upper layer was made on. */
  marker: string;
  /** Plain directories (not overlay) bind-mounted into the host, see DATA_DIRS. */
  data: string;
}

/**
 * Directories that container runtimes fill with their own overlay mounts. An overlay's upper
 * layer cannot sit on another overlay (dockerd: "failed to mount overlay: invalid argument"), so
 * these are plain directories of the controller's disk, bind-mounted into the host (machine.ts).
 */
export const DATA_DIRS: readonly string[] = ['/var/lib/docker', '/var/lib/containerd', '/var/lib/containers'];

/** `--bind=` values for a host's data directories (created if missing). */
export async function dataBinds(name: string): Promise<string[]> {
  const binds: string[] = [];
  for (const dir of DATA_DIRS) {
    const source = join(hostPaths(name).data, dir.slice(1).replace(/\//g, '-'));
    await mkdir(source, { recursive: true, mode: 0o711 });
    binds.push(`${source}:${dir}`);
  }
  return binds;
}

export function hostPaths(name: string): HostPaths {
  const dir = join(LAB.hostsDir, name);
  return {
    dir, upper: join(dir, 'upper'), work: join(dir, 'work'), root: join(dir, 'root'), marker: join(dir, 'base'), data: join(dir, 'data'),
  };
}

export async function isMounted(path: string): Promise<boolean> {
  return (await run('mountpoint', ['-q', path])).code === 0;
}

/** The base a host was created on, or null when the host does not exist (or is half made). */
export async function hostBase(name: string): Promise<string | null> {
  try {
    return (await readFile(hostPaths(name).marker, 'utf8')).trim();
  } catch {
    return null;
  }
}

export async function mountOverlay(name: string, base: string): Promise<void> {
  const p = hostPaths(name);
  if (await isMounted(p.root)) return;
  await mkdir(p.upper, { recursive: true });
  await mkdir(p.work, { recursive: true });
  await mkdir(p.root, { recursive: true });
  await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${base},upperdir=${p.upper},workdir=${p.work}`, p.root]);
}

export async function unmountOverlay(name: string): Promise<void> {
  const root = hostPaths(name).root;
  if (await isMounted(root)) await mustRun('umount', [root]);
}

/** Deletes the host's layers (it must be stopped). */
export async function removeHostTree(name: string): Promise<void> {
  await unmountOverlay(name);
  await rm(hostPaths(name).dir, { recursive: true, force: true });
}

/**
 * Makes sure the host's tree exists on `base` and is mounted. A host made on another base is
 * made again (an overlay's lower layer must not change under its upper layer).
 * Returns true when the tree was (re)created.
 */
export async function ensureHostTree(host: LabHost, base: string): Promise<boolean> {
  const existing = await hostBase(host.name);
  if (existing === base) {
    await mountOverlay(host.name, base);
    // Hosts made before the lab had its sudo users or its stand-in settings get them now (idempotent).
    await ensureLabUsers(hostPaths(host.name).root);
    if (!existsSync(join(hostPaths(host.name).root, LAB.standinSettingsPath))) await writeStandinSettings(hostPaths(host.name).root);
    return false;
  }
  await removeHostTree(host.name);
  await mountOverlay(host.name, base);
  await personalize(host, hostPaths(host.name).root);
  await writeFile(hostPaths(host.name).marker, `${base}\n`);
  return true;
}

/** Writes what makes this host itself into its (mounted) tree. */
async function personalize(host: LabHost, root: string): Promise<void> {
  await writeFile(join(root, 'etc/hostname'), `${host.name}\n`);
  await writeFile(join(root, 'etc/hosts'), hostsFile(host));
  await writeFile(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`);
  await mkdir(join(root, 'etc/systemd/network'), { recursive: true });
  await writeFile(join(root, 'etc/systemd/network/10-host0.network'), networkFile(host));
  await mustRun('ssh-keygen', ['-A', '-f', root]); // fresh rsa, ecdsa and ed25519 host keys
  await mkdir(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
  await chmod(join(root, 'root/.ssh'), 0o700);
  await writeFile(join(root, 'root/.ssh/authorized_keys'), await authorizedKeys(), { mode: 0o600 });
  await ensureLabUsers(root);
  await writeStandinSettings(root);
}

/** The stand-ins' settings of this host alone (no folder is shared between hosts). */
async function writeStandinSettings(root: string): Promise<void> {
  await mkdir(join(root, dirname(LAB.standinSettingsPath)), { recursive: true });
  await writeFile(join(root, LAB.standinSettingsPath), `${JSON.stringify(STANDIN_SETTINGS)}\n`);
}

function hostsFile(host: LabHost): string {
  return [
    '127.0.0.1\tlocalhost',
    `${host.address}\t${host.name}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    '',
  ].join('\n');
}

/**
 * The static address on nspawn's host0. The name sorts before systemd's own
 * 80-container-host0.network (which would ask DHCP and give only a link-local address).
 * No Gateway=: the lab hosts have no route out, on purpose.
 */
function networkFile(host: LabHost): string {
  return [
    '# play lab: static address, no gateway (the lab has no route out)',
    '[Match]',
    'Name=host0',
    '',
    '[Network]',
    `Address=${host.address}/${LAB.prefixLength}`,
    'LinkLocalAddressing=no',
    'IPv6AcceptRA=no',
    '',
  ].join('\n');
}

/** True when the host has a tree on disk (made, mounted or not). */
export function hostTreeExists(name: string): boolean {
  return existsSync(hostPaths(name).dir);
}
