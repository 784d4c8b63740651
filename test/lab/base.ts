// The base images: one debootstrap'd Debian tree per release (bullseye, bookworm, trixie), cached
// under /var/cache/play-lab/base-<hash of the recipe>, used read-only as the lower layer of the
// overlay of every host of that release. A change of the recipe (packages, files, units) changes the hash and so builds a new
// base; an unchanged recipe reuses the cache.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BASE_PACKAGES, LAB, RELEASES, debianRepoPath, type Release } from './constants.js';
import { mustRun, runLoud } from './exec.js';
import { nspawnRunArgs } from './machine.js';

/** Bump when the build steps below change in a way the data of the recipe does not show. */
const RECIPE_VERSION = 3;

/** Sources used only while building, to bring the base up to the point releases and security. */
export function buildSources(release: Release): string {
  return [
    `deb ${LAB.mirror} ${release} main`,
    `deb ${LAB.mirror} ${release}-updates main`,
    `deb ${LAB.mirror}-security ${release}-security main`,
    '',
  ].join('\n');
}

/** Files the finished base has (the hosts' view of the world). */
function baseFiles(release: Release): Readonly<Record<string, string>> {
  return {
    // the lab repository is the only package source: the hosts have no route out
    '/etc/apt/sources.list': `# play lab: the only package source (served by the controller)\ndeb [trusted=yes] ${LAB.repoUrl}/${debianRepoPath(release)} ./\n`,
    '/etc/apt/apt.conf.d/90play-lab': 'Acquire::Languages "none";\nAcquire::Retries "2";\n',
    // no DNS server is reachable; names come from /etc/hosts
    '/etc/resolv.conf': '# play lab: no DNS (hosts have no route out); names are in /etc/hosts\n',
    // minbase has no locale settings; pam_env warns on every ssh login without this file
    '/etc/default/locale': 'LANG=C.UTF-8\n',
    // empty: each host writes its own id (machine-id is per host, never shared)
    '/etc/machine-id': '',
  };
}

/** Timers masked so that no background apt run holds the dpkg lock while a role installs. */
const MASKED_UNITS = ['apt-daily.timer', 'apt-daily-upgrade.timer', 'e2scrub_all.timer', 'e2scrub_reap.service'];
const ENABLED_UNITS = ['systemd-networkd.service'];
/** Per-host things the base must not carry: each host makes its own. */
const REMOVED_PATHS = ['/etc/hostname', '/var/lib/dbus/machine-id'];

function recipe(release: Release): unknown {
  return {
    version: RECIPE_VERSION, suite: release, mirror: LAB.mirror, packages: [...BASE_PACKAGES].sort(),
    buildSources: buildSources(release), files: baseFiles(release), masked: MASKED_UNITS, enabled: ENABLED_UNITS, removed: REMOVED_PATHS,
  };
}

export function baseHash(release: Release = LAB.suite): string {
  return createHash('sha256').update(JSON.stringify(recipe(release))).digest('hex').slice(0, 16);
}

export function basePath(release: Release = LAB.suite): string {
  return join(LAB.cacheDir, `base-${baseHash(release)}`);
}

/** True when the release's base of the current recipe is built. */
export function baseCached(release: Release): boolean {
  return existsSync(join(basePath(release), '.play-lab-base'));
}

/** Returns the release's base directory, building it first when the recipe's base is not cached. */
export async function ensureBase(release: Release, log: (line: string) => void): Promise<{ path: string; built: boolean; seconds: number }> {
  const path = basePath(release);
  if (baseCached(release)) return { path, built: false, seconds: 0 };
  const started = Date.now();
  log(`building the ${release} base image ${path} (debootstrap, about a minute)`);
  const tmp = `${path}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(LAB.cacheDir, { recursive: true });
  await debootstrap(release, tmp);
  await upgradeToPointRelease(release, tmp);
  await configureBase(release, tmp);
  await writeFile(join(tmp, '.play-lab-base'), `${JSON.stringify(recipe(release), null, 2)}\n`);
  await rename(tmp, path);
  const seconds = (Date.now() - started) / 1000;
  log(`base image built in ${seconds.toFixed(1)} s`);
  return { path, built: true, seconds };
}

/**
 * debootstrap's own package cache, shared by the releases' builds and kept across recipes (the
 * file names carry the versions): a rebuilt base downloads only what changed.
 */
export const DEBOOTSTRAP_CACHE = join(LAB.cacheDir, 'debootstrap');

export function debootstrapArgs(release: Release, target: string): string[] {
  return [
    '--variant=minbase', `--include=${BASE_PACKAGES.join(',')}`, `--cache-dir=${DEBOOTSTRAP_CACHE}`, release, target, LAB.mirror,
  ];
}

async function debootstrap(release: Release, target: string): Promise<void> {
  await mkdir(DEBOOTSTRAP_CACHE, { recursive: true });
  await runLoud('debootstrap', debootstrapArgs(release, target), `[debootstrap ${release}]`);
}

/**
 * debootstrap installs the release as first published; the controller's apt (which downloads the
 * lab repository) sees updates and security. Upgrading the base the same way keeps the two in step,
 * so installing a role's package on a host never needs a newer libc than the repository has.
 * This runs on the controller's network (the package registry), never from a lab host.
 */
async function upgradeToPointRelease(release: Release, root: string): Promise<void> {
  await writeFile(join(root, 'etc/apt/sources.list'), buildSources(release));
  const script = 'apt-get update -q && apt-get -y -q dist-upgrade && apt-get clean && rm -rf /var/lib/apt/lists/*';
  // a machine name per release: nothing stops two releases' bases being built at once
  const { cmd, args } = await nspawnRunArgs(`lab-build-${release}`, root, ['sh', '-c', script]);
  await runLoud(cmd, args, `[base upgrade ${release}]`);
}

async function configureBase(release: Release, root: string): Promise<void> {
  for (const [path, content] of Object.entries(baseFiles(release))) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await rm(join(root, path), { force: true }); // resolv.conf may be a symlink
    await writeFile(join(root, path), content);
  }
  for (const path of REMOVED_PATHS) await rm(join(root, path), { force: true });
  await removeSshHostKeys(root);
  for (const unit of ENABLED_UNITS) await mustRun('chroot', [root, 'systemctl', 'enable', unit]);
  for (const unit of MASKED_UNITS) {
    const link = join(root, 'etc/systemd/system', unit);
    await rm(link, { force: true });
    await symlink('/dev/null', link);
  }
  await chmod(join(root, 'etc/machine-id'), 0o444);
}

/** The base must carry no host keys: every host gets fresh ones (host-tree.ts). */
async function removeSshHostKeys(root: string): Promise<void> {
  const sshDir = join(root, 'etc/ssh');
  for (const name of await readdir(sshDir)) {
    if (name.startsWith('ssh_host_')) await rm(join(sshDir, name));
  }
}

/**
 * Deletes cached bases of old recipes. The current recipe of every release is kept, used or not:
 * a lab that goes back and forth between one release and a mix must not debootstrap each time.
 */
export async function removeUnusedBases(): Promise<string[]> {
  const keep = RELEASES.map((release) => basePath(release));
  // (DEBOOTSTRAP_CACHE is not named base-*: it is kept)
  const removed: string[] = [];
  if (!existsSync(LAB.cacheDir)) return removed;
  for (const name of await readdir(LAB.cacheDir)) {
    const path = join(LAB.cacheDir, name);
    if (!name.startsWith('base-') || keep.includes(path)) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
