// The local lab: real Debian hosts (bookworm, or a release per host) on this machine, as systemd-nspawn containers on one
// bridge. This module is the API used by the CLI (cli.ts) and by the integration tests
// (harness.ts); the pieces live in files named after one idea each:
//   base.ts (debootstrap'd base image)   repo.ts + repo-server.ts (the apt repository)
//   network.ts (bridge)   host-tree.ts (per-host overlay)   machine.ts + cgroups.ts (nspawn)
//   ssh-keys.ts + ssh.ts (trust and access)   state.ts (which hosts exist)   lock.ts
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { LAB, RELEASES, hostRelease, type LabHost, type Release } from './constants.js';
import { baseCached, baseHash, basePath, ensureBase, removeUnusedBases } from './base.js';
import { LabError, type RunResult } from './exec.js';
import { dataBinds, ensureHostTree, hostBase, hostPaths, isMounted, mountOverlay, removeHostTree } from './host-tree.js';
import { withLabLock } from './lock.js';
import { cutMachine, machinePid, startMachine, stopMachine } from './machine.js';
import { bridgeExists, bridgePorts, ensureBridge, removeBridge } from './network.js';
import { preflight } from './preflight.js';
import { ensureRepo, repoExists } from './repo.js';
import { ensureRepoServer, repoServerPid, stopRepoServer } from './repo-server.js';
import { ensureLabKey, writeKnownHosts } from './ssh-keys.js';
import { sshRun, waitReady } from './ssh.js';
import { findHost, nextFreeAddress, readState, writeState } from './state.js';
import { removeCgroups } from './cgroups.js';
import { withReleases } from './releases.js';

export { LAB, DEFAULT_HOSTS, MIX_LAYOUT, RELEASES, hostRelease, isRelease, type LabHost, type Release } from './constants.js';
export { isRoot } from './preflight.js';
export { LabError, type RunResult } from './exec.js';
export { shellQuote, sshOptions } from './ssh.js';

export interface LabOptions {
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/**
 * Which release each host runs, for `up`: a layout sets the hosts it names (others keep theirs);
 * none keeps what the state records (a fresh lab: every host on LAB.suite). A host whose release
 * changes gets a new disk on that release's base.
 */
export interface UpOptions extends LabOptions {
  releases?: Readonly<Record<string, Release>>;
}

export interface UpReport {
  seconds: number;
  baseBuiltSeconds: number | null;
  repoBuiltSeconds: number | null;
  created: string[];
  booted: string[];
  hosts: LabHost[];
}

export type HostState = 'running' | 'stopped' | 'absent';

export interface HostStatus extends LabHost {
  state: HostState;
  pid: number | null;
}

export interface LabStatus {
  bridge: boolean;
  repoServer: boolean;
  repoBuilt: boolean;
  base: string | null;
  hosts: HostStatus[];
}

/** Checks root and tools first (a clear message, before even the lock file), then holds the lock. */
async function labOperation<T>(fn: () => Promise<T>): Promise<T> {
  preflight();
  return withLabLock(fn);
}

const defaultLog = (line: string): void => {
  process.stderr.write(`lab: ${line}\n`);
};

/**
 * Brings up whatever is missing: base image, repository, bridge, HTTP server, every host's tree
 * and machine; then waits until each host's systemd says "running" over ssh. Idempotent: on a
 * running lab it checks and returns.
 */
export function labUp(opts: UpOptions = {}): Promise<UpReport> {
  const log = opts.log ?? defaultLog;
  return labOperation(async () => {
    const started = Date.now();
    await ensureLabKey();
    const state = { hosts: withReleases((await readState()).hosts, opts.releases) };
    // The repository serves the default release (repoExists, hosts added later), the releases in
    // use, and every release whose base is built: going from a mix to one release and back then
    // rebuilds nothing.
    const releases = RELEASES.filter((r) => r === LAB.suite || baseCached(r) || state.hosts.some((h) => hostRelease(h) === r));
    const bases = new Map<Release, string>();
    let baseSeconds: number | null = null;
    for (const release of releases) { // one at a time: the builds share the machine name lab-build
      const base = await ensureBase(release, log);
      bases.set(release, base.path);
      if (base.built) baseSeconds = (baseSeconds ?? 0) + base.seconds;
    }
    const repo = await ensureRepo(releases.map((release) => ({ release, base: bases.get(release) ?? '', baseHash: baseHash(release) })), log);
    await ensureBridge();
    await ensureRepoServer();
    await writeState(state);
    const created: string[] = [];
    const booted: string[] = [];
    await Promise.all(state.hosts.map(async (host) => {
      const { made, started } = await bringUpHost(host, bases.get(hostRelease(host)) ?? basePath(hostRelease(host)));
      if (made) created.push(host.name);
      if (started) booted.push(host.name);
    }));
    await refreshKnownHosts(state.hosts);
    await waitAllReady(state.hosts, new Set(created), log);
    const removed = await removeUnusedBases();
    for (const path of removed) log(`removed the old base ${path}`);
    return {
      seconds: (Date.now() - started) / 1000,
      baseBuiltSeconds: baseSeconds,
      repoBuiltSeconds: repo.built ? repo.seconds : null,
      created: created.sort(),
      booted: booted.sort(),
      hosts: state.hosts,
    };
  });
}

/** Makes the host's disk if needed (again, on a new base) and boots it unless it runs. */
async function bringUpHost(host: LabHost, base: string): Promise<{ made: boolean; started: boolean }> {
  const current = await hostBase(host.name);
  if (current !== null && current !== base) await stopMachine(host.name); // its disk is about to be made anew
  const made = await ensureHostTree(host, base);
  if ((await machinePid(host.name)) !== null) return { made, started: false };
  await startMachine(host, hostPaths(host.name).root, await dataBinds(host.name));
  return { made, started: true };
}

async function refreshKnownHosts(hosts: readonly LabHost[]): Promise<void> {
  await writeKnownHosts(hosts.map((host) => ({ host, root: hostPaths(host.name).upper })));
}

/**
 * Waits for every host in parallel. A host with a fresh disk must reach "running": "degraded"
 * there means the base image is wrong, and the error names the failed units. Any other host (its
 * disk has seen earlier work) only has to answer; units that work left failed are said, not fatal.
 */
async function waitAllReady(hosts: readonly LabHost[], fresh: ReadonlySet<string>, log: (line: string) => void): Promise<void> {
  const results = await Promise.all(hosts.map(async (host) => ({ host, ready: await waitReady(host) })));
  const problems: string[] = [];
  for (const { host, ready } of results) {
    if (ready.state === 'timeout') problems.push(`${host.name}: not ready in time (last answer: ${ready.last})`);
    if (ready.state !== 'degraded') continue;
    const line = `${host.name}: degraded, failed units: ${ready.failedUnits.join(', ') || '(none listed)'}`;
    if (fresh.has(host.name)) problems.push(line);
    else log(`note: ${line} (left by earlier work on it; \`lab reset ${host.name}\` makes it new)`);
  }
  if (problems.length > 0) throw new LabError(`lab hosts not running:\n  ${problems.join('\n  ')}`);
}

/**
 * Removes everything the lab made: machines, overlay mounts and host layers, veths, the bridge,
 * the HTTP server, cgroups, the state. Keeps the caches (base image, package pool, repository)
 * and the lab key, so the next `up` is fast. Idempotent.
 */
export function labDown(opts: LabOptions = {}): Promise<string[]> {
  const log = opts.log ?? defaultLog;
  return labOperation(async () => {
    const names = await knownHostNames();
    const stopped: string[] = [];
    await Promise.all(names.map(async (name) => {
      if (await stopMachine(name)) stopped.push(name);
      await removeHostTree(name);
    }));
    await stopRepoServer();
    await removeBridge();
    await removeCgroups();
    for (const path of [LAB.runDir, LAB.hostsDir, LAB.clusterDir, LAB.stateFile, LAB.knownHostsPath]) {
      await rm(path, { recursive: true, force: true });
    }
    log(`down: stopped ${stopped.length ? stopped.sort().join(', ') : 'no machine'}; bridge, server and host layers removed`);
    return stopped.sort();
  });
}

/** Every host the lab may have made: the state's, plus any tree on disk (a crashed `add`). */
async function knownHostNames(): Promise<string[]> {
  const names = new Set((await readState()).hosts.map((h) => h.name));
  if (existsSync(LAB.hostsDir)) for (const name of await readdir(LAB.hostsDir)) names.add(name);
  return [...names];
}

export async function labStatus(): Promise<LabStatus> {
  const state = await readState();
  const hosts = await Promise.all(state.hosts.map(async (host): Promise<HostStatus> => {
    const pid = await machinePid(host.name);
    const exists = (await hostBase(host.name)) !== null;
    return { ...host, pid, state: pid !== null ? 'running' : exists ? 'stopped' : 'absent' };
  }));
  const base = basePath();
  return {
    bridge: await bridgeExists(),
    repoServer: (await repoServerPid()) !== null,
    repoBuilt: await repoExists(),
    base: existsSync(base) ? base : null,
    hosts,
  };
}

const HOST_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** Adds one more host (next free address from .41 up), records it in the state and boots it. */
export async function labAddHost(name: string, group: string, opts: LabOptions = {}): Promise<LabHost> {
  if (!HOST_NAME.test(name)) throw new LabError(`bad host name ${JSON.stringify(name)}: use lowercase letters, digits and -`);
  if (!HOST_NAME.test(group)) throw new LabError(`bad group name ${JSON.stringify(group)}: use lowercase letters, digits and -`);
  const host = await labOperation(async () => {
    const state = await readState();
    const existing = state.hosts.find((h) => h.name === name);
    if (existing) {
      if (existing.group !== group) throw new LabError(`${name} already exists in group ${existing.group}`);
      return existing;
    }
    const added: LabHost = { name, group, address: nextFreeAddress(state) };
    await writeState({ hosts: [...state.hosts, added] });
    return added;
  });
  await labUp(opts);
  return host;
}

/** Powers a host off (its overlay, so its disk, is kept). */
export function labStopHost(name: string): Promise<void> {
  return labOperation(async () => {
    findHost(await readState(), name);
    await stopMachine(name);
  });
}

/** Cuts a host's power: every process of it killed at once, no shutdown (its disk is kept). */
export function labCutHost(name: string): Promise<void> {
  return labOperation(async () => {
    findHost(await readState(), name);
    await cutMachine(name);
  });
}

/** Boots a stopped host again on its kept overlay and waits until it is running. */
export function labStartHost(name: string): Promise<void> {
  return labOperation(async () => {
    const host = findHost(await readState(), name);
    const base = await hostBase(name);
    if (base === null || !existsSync(base)) {
      throw new LabError(`${name} has no disk yet (or its base is gone): run \`lab up\` to create it`);
    }
    await ensureBridge();
    await ensureRepoServer();
    if (!(await isMounted(hostPaths(name).root))) await mountOverlay(name, base);
    if ((await machinePid(name)) === null) await startMachine(host, hostPaths(name).root, await dataBinds(name));
    // its disk is kept, with whatever units earlier work left failed: only "no answer" is an error
    await waitAllReady([host], new Set(), defaultLog);
  });
}

/** Makes a host new again: powers it off, deletes its disk, and creates and boots it afresh. */
export function labResetHost(name: string, opts: UpOptions = {}): Promise<void> {
  return labOperation(async () => {
    findHost(await readState(), name);
    await stopMachine(name);
    await removeHostTree(name);
    await labUp(opts);
  });
}

/** Runs a command on a lab host as root over ssh (lab key, lab known_hosts, strict checking). */
export async function labSsh(name: string, command: string | readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const host = findHost(await readState(), name);
  return sshRun(host, command, opts);
}

/** The lab's hosts as recorded (default seven plus added ones). */
export async function labHosts(): Promise<LabHost[]> {
  return (await readState()).hosts;
}

/** Leftovers check used by tests and `status`: what of the lab is still on the machine. */
export async function labLeftovers(): Promise<string[]> {
  const found: string[] = [];
  if (await bridgeExists()) found.push(`bridge ${LAB.bridge}`);
  for (const port of await bridgePorts()) found.push(`veth ${port}`);
  if ((await repoServerPid()) !== null) found.push('repository server');
  for (const name of await knownHostNames()) {
    if ((await machinePid(name)) !== null) found.push(`machine ${name}`);
    if (await isMounted(hostPaths(name).root)) found.push(`mount ${hostPaths(name).root}`);
  }
  return found;
}
