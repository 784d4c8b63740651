// The lab's apt repository, built on the controller and served to the hosts over HTTP
// (repo-server.ts) at http://172.29.10.1:8080/. The hosts have no route out, so this is their only
// package source.
//
// Layout of /var/cache/play-lab/repo (the HTTP server's document root; a symlink to the current
// build, repo-<hash>, swapped atomically when the repository is rebuilt):
//
//   debian/                    flat repo of the default release (bookworm): every .deb below,
//                              Packages, Packages.gz, Release; hosts' sources.list:
//                              deb [trusted=yes] http://172.29.10.1:8080/debian ./
//   debian-RELEASE/            the same for each other release the lab's hosts run (bullseye,
//                              trixie: constants.ts debianRepoPath)
//   kubernetes/vX.Y/deb/       one flat repo per minor the stand-ins are built for (v1.30 with
//                              1.30.2 and 1.30.5, v1.31, v1.32: build.sh's KUBE_VERSIONS):
//                              kubeadm, kubelet, kubectl, cri-tools of that minor, kubernetes-cni,
//                              laid out like pkgs.k8s.io/core:/stable:/vX.Y/deb/; kubectl 1.32.3
//                              is the real client (Debian's build, LAB.realKubectlRoot), the
//                              others are stand-ins
//                              deb [trusted=yes] http://172.29.10.1:8080/kubernetes/v1.32/deb/ /
//   cri-o/vX.Y/deb/            same for the cri-o stand-in (the stand-ins' shared library,
//                              play-standin-lib, is in every one of them)
//   files/calico/*.yaml        plain files (the calico manifest stand-in)
//   .recipe-hash               what this build was made from
//
// What goes into debian/ (and each debian-RELEASE/): for each package the roles install
// (REPO_PACKAGES) and for the stand-ins together, apt on the controller, pointed at that release
// (release-apt.ts), resolves an install *as if on a fresh lab host of that release*
// (Dir::State::status = the release's base's dpkg status), recommends included, as a real host would; every
// package of those resolutions is downloaded (from the package registry, by the controller) into
// /var/cache/play-lab/pool, which keeps .debs across rebuilds. The repository is rebuilt only when
// the package list, the base, the stand-ins' sources or the real kubectl change.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { LAB, REAL_KUBECTL_VERSION, REPO_PACKAGES, debianRepoPath, type Release } from './constants.js';
import { LabError, mapLimit, mustRun, run } from './exec.js';
import { ensureReleaseLists, releaseAptOptions } from './release-apt.js';

const RECIPE_VERSION = 7;
const POOL_DIR = join(LAB.cacheDir, 'pool');

export interface RepoBuild {
  built: boolean;
  seconds: number;
  packages: number;
  warnings: string[];
}

/** The checkout's root (where package.json is), found from this file whether run from dist/ or not. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (package.json) above the lab code');
    dir = parent;
  }
  return dir;
}

function standinsDir(): string {
  return join(projectRoot(), 'test/lab/standins');
}

/** Every file under `dir` (relative paths, sorted), for hashing. */
async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__pycache__') await walk(path);
      } else if (entry.isFile()) out.push(relative(dir, path));
    }
  };
  await walk(dir);
  return out.sort();
}

async function treeHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(dir)) {
    hash.update(file).update('\0').update(await readFile(join(dir, file))).update('\0');
  }
  return hash.digest('hex');
}

/** A release the repository serves, with the base image its resolution starts from. */
export interface RepoRelease {
  release: Release;
  base: string;
  baseHash: string;
}

/**
 * The unpacked tree of Debian's kubectl the repository's kubectl REAL_KUBECTL_VERSION is made of;
 * its absence is an error, never a repository without the real client.
 */
export function realKubectlRoot(root: string = LAB.realKubectlRoot): string {
  if (!existsSync(join(root, 'usr/bin/kubectl'))) {
    throw new LabError(
      `the lab repository's kubectl ${REAL_KUBECTL_VERSION} is Debian's real kubectl, and ${join(root, 'usr/bin/kubectl')} is missing: ` +
        'run test/standins/fetch-real-kubectl.sh (it downloads Debian trixie\'s kubectl package once; .ci/run does)',
    );
  }
  return root;
}

export async function repoHash(releases: readonly RepoRelease[]): Promise<string> {
  const bases = [...releases].sort((a, b) => a.release.localeCompare(b.release)).map((r) => [r.release, r.baseHash]);
  const recipe = {
    version: RECIPE_VERSION,
    bases,
    packages: [...REPO_PACKAGES].sort(),
    standins: await treeHash(standinsDir()),
    realKubectl: [REAL_KUBECTL_VERSION, await treeHash(realKubectlRoot())],
  };
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
}

/** Builds the repository (one Debian folder per release) unless the one on disk was made from the same recipe. */
export async function ensureRepo(releases: readonly RepoRelease[], log: (line: string) => void): Promise<RepoBuild> {
  const hash = await repoHash(releases);
  const stampFile = join(LAB.repoDir, '.recipe-hash');
  if (existsSync(stampFile) && (await readFile(stampFile, 'utf8')).trim() === hash) {
    return { built: false, seconds: 0, packages: 0, warnings: [] };
  }
  const started = Date.now();
  log('building the lab apt repository (apt resolves each role package as on a fresh host)');
  const warnings: string[] = [];
  const tmp = join(LAB.cacheDir, `repo-${hash}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  const standins = await buildStandins(warnings);
  let debianPackages = 0;
  const debianDirs = releases.map((r) => debianRepoPath(r.release));
  for (const { release, base } of releases) {
    const dir = join(tmp, debianRepoPath(release));
    await mkdir(dir, { recursive: true });
    const wanted = await resolveAll(release, base, standins.debs);
    await downloadToPool(release, wanted);
    for (const pkg of wanted) await link(join(POOL_DIR, poolFileName(pkg)), join(dir, poolFileName(pkg)));
    debianPackages += wanted.length;
  }
  const standinDirs = await addStandins(tmp, debianDirs, standins.debs);
  await copyCalico(tmp, warnings);
  for (const dir of [...debianDirs, ...standinDirs]) await indexFlatRepo(join(tmp, dir));
  await writeFile(join(tmp, '.recipe-hash'), `${hash}\n`);
  await swapIn(tmp, hash);
  if (standins.workDir) await rm(standins.workDir, { recursive: true, force: true });
  const seconds = (Date.now() - started) / 1000;
  for (const w of warnings) log(`WARNING: ${w}`);
  log(`lab repository built in ${seconds.toFixed(1)} s: ${debianPackages} Debian packages (${releases.map((r) => r.release).join(', ')}), ${standins.debs.length} stand-ins`);
  return { built: true, seconds, packages: debianPackages + standins.debs.length, warnings };
}

/**
 * Publishes a build: repo-HASH becomes the target of the symlink `repo`, replaced in one rename,
 * so hosts running apt while the lab rebuilds see the old or the new repository, never none.
 */
async function swapIn(tmp: string, hash: string): Promise<void> {
  const final = join(LAB.cacheDir, `repo-${hash}`);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  const link = `${LAB.repoDir}.new`;
  await rm(link, { force: true });
  await symlink(`repo-${hash}`, link);
  const current = await lstat(LAB.repoDir).catch(() => null);
  if (current && !current.isSymbolicLink()) await rm(LAB.repoDir, { recursive: true, force: true }); // older layout
  await rename(link, LAB.repoDir);
  for (const name of await readdir(LAB.cacheDir)) {
    if (name.startsWith('repo-') && name !== `repo-${hash}`) await rm(join(LAB.cacheDir, name), { recursive: true, force: true });
  }
}

interface Standins {
  debs: string[];
  workDir: string | null;
}

/** Runs the stand-ins' own build (test/lab/standins/build.sh OUTDIR); skipped with a warning if absent, an error if it fails. */
async function buildStandins(warnings: string[]): Promise<Standins> {
  const script = join(standinsDir(), 'build.sh');
  if (!existsSync(script)) {
    warnings.push(`${relative(projectRoot(), script)} not found: the repository has no kubeadm/kubelet/kubectl/cri-o stand-ins`);
    return { debs: [], workDir: null };
  }
  const workDir = await mkdtemp(join(LAB.cacheDir, 'standins-'));
  const result = await run('bash', [script, workDir], {
    cwd: projectRoot(),
    env: { ...process.env, REAL_KUBECTL_ROOT: realKubectlRoot(), REAL_KUBECTL_VERSION },
  });
  if (result.code !== 0) {
    // No cluster can be built from a repository without them (and the real kubectl's checks are
    // there): an error, not a warning under a repository that looks fine.
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-10).join('\n');
    await rm(workDir, { recursive: true, force: true });
    throw new LabError(`the stand-in build failed (exit ${result.code}):\n${tail}`);
  }
  const debs = (await listFiles(workDir)).filter((f) => f.endsWith('.deb')).map((f) => join(workDir, f));
  if (debs.length === 0) warnings.push('the stand-in build made no .deb');
  return { debs, workDir };
}

interface AptPackage {
  name: string;
  version: string;
  arch: string;
}

/** apt's file name for a package: name_version_arch.deb, the epoch's colon written %3a. */
export function poolFileName(pkg: AptPackage): string {
  return `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_${pkg.arch}.deb`;
}

/** Parses apt-get -s output ("Inst name [old] (version origin [arch])") into packages. */
export function parseSimulatedInstalls(output: string): AptPackage[] {
  const found: AptPackage[] = [];
  for (const line of output.split('\n')) {
    const m = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) .*\[([^\]]+)\]\)/.exec(line);
    if (m?.[1] && m[2] && m[3]) found.push({ name: m[1], version: m[2], arch: m[3] });
  }
  return found;
}

/** apt options that make the controller's apt resolve as if it were a fresh lab host of `release`. */
function asFreshHost(release: Release, base: string): string[] {
  return [
    ...releaseAptOptions(release),
    '-o', `Dir::State::status=${join(base, 'var/lib/dpkg/status')}`,
    '-o', 'Debug::NoLocking=1',
    // no shared cache files: several of these run at once and must not write the controller's
    '-o', 'Dir::Cache::pkgcache=', '-o', 'Dir::Cache::srcpkgcache=',
    '-o', `APT::Architecture=amd64`,
  ];
}

async function simulateInstall(release: Release, base: string, targets: readonly string[]): Promise<AptPackage[]> {
  await ensureReleaseLists(release);
  const out = await mustRun('apt-get', ['install', '-s', '-q', ...asFreshHost(release, base), ...targets], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
  });
  return parseSimulatedInstalls(out);
}

/** The union of what a fresh host would install for each role package, and for the stand-ins. */
async function resolveAll(release: Release, base: string, standinDebs: readonly string[]): Promise<AptPackage[]> {
  const byKey = new Map<string, AptPackage>();
  const add = (pkgs: AptPackage[]): void => {
    for (const p of pkgs) byKey.set(`${p.name}=${p.version}`, p);
  };
  add(await resolveRolePackages(release, base));
  if (standinDebs.length > 0) {
    const standinNames = new Set(await Promise.all(standinDebs.map((d) => debField(d, 'Package'))));
    add((await simulateInstall(release, base, standinDebs)).filter((p) => !standinNames.has(p.name)));
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * What a fresh host installs for each role package, one package at a time (a role installs its
 * own packages, and alternatives may resolve differently together). About 2.5 s of apt per
 * package, so the answer is kept in the pool, keyed by the base and the package list: a change
 * of the stand-ins alone does not pay for it again.
 */
async function resolveRolePackages(release: Release, base: string): Promise<AptPackage[]> {
  const key = createHash('sha256').update(JSON.stringify({ base, packages: REPO_PACKAGES })).digest('hex').slice(0, 16);
  const cacheFile = join(POOL_DIR, `resolved-${key}.json`);
  if (existsSync(cacheFile)) return JSON.parse(await readFile(cacheFile, 'utf8')) as AptPackage[];
  const perPackage = await mapLimit(REPO_PACKAGES, 2, (name) => simulateInstall(release, base, [name]));
  const all = perPackage.flat();
  await mkdir(POOL_DIR, { recursive: true });
  await writeFile(cacheFile, JSON.stringify(all));
  return all;
}

async function debField(deb: string, field: string): Promise<string> {
  return (await mustRun('dpkg-deb', ['-f', deb, field])).trim();
}

/** Downloads into the pool what it does not hold yet (the controller talks to the registry). */
async function downloadToPool(release: Release, pkgs: readonly AptPackage[]): Promise<void> {
  await mkdir(POOL_DIR, { recursive: true });
  const missing = pkgs.filter((p) => !existsSync(join(POOL_DIR, poolFileName(p))));
  if (missing.length === 0) return;
  await ensureReleaseLists(release);
  await mustRun('apt-get', ['download', '-q', ...releaseAptOptions(release), ...missing.map((p) => `${p.name}=${p.version}`)], {
    cwd: POOL_DIR,
  });
  for (const p of missing) {
    if (!existsSync(join(POOL_DIR, poolFileName(p)))) throw new Error(`apt-get download did not produce ${poolFileName(p)}`);
  }
}

/** The Kubernetes minors the stand-ins were built for, from their file names (kubeadm_1.31.14-1.1_amd64.deb). */
export function standinMinors(debNames: readonly string[]): string[] {
  const minors = debNames.map((n) => /^kubeadm_(\d+\.\d+)\./.exec(n)?.[1]).filter((m): m is string => m !== undefined);
  return [...new Set(minors)].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

/**
 * Which pkgs.k8s.io-like folders a stand-in belongs in: cri-o's of its minor, Kubernetes' of its
 * minor (kubeadm, kubelet, kubectl, cri-tools), or every folder (play-standin-lib, kubernetes-cni).
 */
export function standinRepoDirs(debName: string, minors: readonly string[]): string[] {
  const minor = /^[a-z-]+_(\d+\.\d+)\./.exec(debName)?.[1];
  if (debName.startsWith('cri-o_')) return [`cri-o/v${minor}/deb`];
  if (debName.startsWith('play-standin') || debName.startsWith('kubernetes-cni')) {
    return minors.flatMap((m) => [`kubernetes/v${m}/deb`, `cri-o/v${m}/deb`]);
  }
  return [`kubernetes/v${minor}/deb`];
}

/**
 * Stand-ins go into every release's Debian folder and, by name, into the pkgs.k8s.io-like or
 * cri-o-like folders; returns those folders.
 */
async function addStandins(tmp: string, debianDirs: readonly string[], debs: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  const [first, ...others] = debianDirs;
  if (first === undefined) return [];
  for (const deb of debs) {
    const name = `${await debField(deb, 'Package')}_${(await debField(deb, 'Version')).replace(/:/g, '%3a')}_${await debField(deb, 'Architecture')}.deb`;
    await copyFile(deb, join(tmp, first, name));
    for (const dir of others) await link(join(tmp, first, name), join(tmp, dir, name));
    names.push(name);
  }
  const minors = standinMinors(names);
  const dirs = new Set<string>();
  for (const name of names) {
    for (const dir of standinRepoDirs(name, minors)) {
      await mkdir(join(tmp, dir), { recursive: true });
      await link(join(tmp, first, name), join(tmp, dir, name));
      dirs.add(dir);
    }
  }
  return [...dirs].sort();
}

async function copyCalico(tmp: string, warnings: string[]): Promise<void> {
  const src = join(standinsDir(), 'calico');
  const yamls = (await listFiles(src)).filter((f) => f.endsWith('.yaml') && !f.includes('/'));
  if (yamls.length === 0) {
    warnings.push('no test/lab/standins/calico/*.yaml: files/calico/ is empty');
    return;
  }
  await mkdir(join(tmp, 'files/calico'), { recursive: true });
  for (const file of yamls) await copyFile(join(src, file), join(tmp, 'files/calico', file));
}

/** Packages, Packages.gz and a Release file for a flat repository in `dir`. */
async function indexFlatRepo(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const packages = await mustRun('dpkg-scanpackages', ['-m', '.', '/dev/null'], { cwd: dir });
  const gz = gzipSync(packages, { level: 9 });
  await writeFile(join(dir, 'Packages'), packages);
  await writeFile(join(dir, 'Packages.gz'), gz);
  await writeFile(join(dir, 'Release'), releaseFile([['Packages', Buffer.from(packages)], ['Packages.gz', gz]]));
}

export function releaseFile(files: ReadonlyArray<readonly [string, Buffer]>): string {
  const sums = (algo: 'md5' | 'sha256'): string =>
    files.map(([name, data]) => ` ${createHash(algo).update(data).digest('hex')} ${String(data.length).padStart(8)} ${name}`).join('\n');
  return [
    'Origin: play-lab',
    'Label: play-lab',
    'Architectures: amd64 all',
    `Date: ${new Date().toUTCString()}`,
    'MD5Sum:',
    sums('md5'),
    'SHA256:',
    sums('sha256'),
    '',
  ].join('\n');
}

/** True when the repository has been built at least once (served files exist). */
export async function repoExists(): Promise<boolean> {
  try {
    return (await stat(join(LAB.repoDir, 'debian/Packages'))).isFile();
  } catch {
    return false;
  }
}
