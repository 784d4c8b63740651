// The scale lab: a second, lighter lab for the scale benchmark (test/bench). N small Debian hosts
// on their own bridge `playbench0` (172.29.20.0/22), apart from the main lab (playbr0), so a
// benchmark never touches the hosts other suites are using.
//
// It reuses the main lab's pieces where they take no lab-wide constant: the base image (base.ts,
// read-only lower layer of every overlay; never built here), cgroups (cgroups.ts), the nspawn
// launcher (machine.ts: inCgroups), process helpers (exec.ts), the lab key and known_hosts lines
// (ssh-keys.ts) and mount checks (host-tree.ts). Paths, bridge and machine names are its own:
//
//   /var/lib/play-bench-lab/hosts/NAME/{upper,work,root}   a host's overlay
//   /var/lib/play-bench-lab/run/NAME.{pid,log}              its nspawn process and console
//   /var/lib/play-bench-lab/ssh/known_hosts                 every host's real host key
//
// "Light": no repository server (the workload installs nothing), one ed25519 host key, no console
// getty, a journal kept in a small piece of memory, no timers. Hosts are named bench001.. at
// 172.29.20.11.. (counting on across the /22: bench246 is 172.29.21.0, bench500 172.29.21.254),
// machines pb-bench001.. (veth vb-pb-bench001).
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { basePath } from './base.js';
import { ensureMachineCgroups, removeCgroups } from './cgroups.js';
import { LAB } from './constants.js';
import { isAlive, LabError, mapLimit, mustRun, run, sleep, waitFor, type RunResult } from './exec.js';
import { isMounted } from './host-tree.js';
import { inCgroups } from './machine.js';
import { authorizedKeys, ensureLabKey, knownHostsLines } from './ssh-keys.js';

const STATE_DIR = '/var/lib/play-bench-lab';
/** The /22's first address as a number: 172.29.20.0. */
const SUBNET_BASE = ((172 << 24) | (29 << 16) | (20 << 8)) >>> 0;
const PREFIX_LENGTH = 22;

export const SCALE_LAB = {
  stateDir: STATE_DIR,
  hostsDir: `${STATE_DIR}/hosts`,
  runDir: `${STATE_DIR}/run`,
  sshDir: `${STATE_DIR}/ssh`,
  knownHostsPath: `${STATE_DIR}/ssh/known_hosts`,
  /** The main lab's key: root's authorized key on every scale host too. */
  keyPath: LAB.keyPath,
  bridge: 'playbench0',
  subnet: `${ipv4(SUBNET_BASE)}/${PREFIX_LENGTH}`,
  prefixLength: PREFIX_LENGTH,
  controllerAddress: ipv4(SUBNET_BASE + 1),
  /** bench001's offset in the subnet (.11, as the main lab's first host). */
  firstOffset: 11,
  /** The most this 2-core, 24 GB machine was measured to hold (test/bench/ANALYSIS.md). */
  maxHosts: 500,
  machinePrefix: 'pb-',
} as const;

export interface ScaleHost {
  readonly name: string;
  readonly address: string;
}

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/** The /22 holds offsets 1 (the controller) .. 1022; 1023 is its broadcast address. */
const LAST_HOST_OFFSET = 2 ** (32 - PREFIX_LENGTH) - 2;

/** The address of the `index`-th scale host (1-based): the /22 counted on from .11. */
export function scaleAddress(index: number): string {
  const offset = SCALE_LAB.firstOffset + index - 1;
  if (!Number.isInteger(index) || index < 1 || offset > LAST_HOST_OFFSET) throw new LabError(`no scale host address for index ${index}`);
  return ipv4(SUBNET_BASE + offset);
}

/** Whether an IPv4 address is in the scale lab's subnet. */
export function inScaleSubnet(address: string): boolean {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return false;
  const n = parts.reduce((acc, p) => acc * 256 + p, 0);
  return Math.floor(n / 2 ** (32 - PREFIX_LENGTH)) === SUBNET_BASE / 2 ** (32 - PREFIX_LENGTH);
}

/** The first `n` scale hosts: bench001 at 172.29.20.11, bench002 at .12, ... */
export function scaleHosts(n: number): ScaleHost[] {
  if (!Number.isInteger(n) || n < 1 || n > SCALE_LAB.maxHosts) throw new LabError(`scale lab size must be 1..${SCALE_LAB.maxHosts}, got ${n}`);
  return Array.from({ length: n }, (_, i) => ({
    name: `bench${String(i + 1).padStart(3, '0')}`,
    address: scaleAddress(i + 1),
  }));
}

function machineName(name: string): string {
  return `${SCALE_LAB.machinePrefix}${name}`;
}

interface Paths {
  dir: string;
  upper: string;
  work: string;
  root: string;
  pid: string;
  log: string;
}

function paths(name: string): Paths {
  const dir = join(SCALE_LAB.hostsDir, name);
  return {
    dir, upper: join(dir, 'upper'), work: join(dir, 'work'), root: join(dir, 'root'),
    pid: join(SCALE_LAB.runDir, `${name}.pid`), log: join(SCALE_LAB.runDir, `${name}.log`),
  };
}

/** ssh options for scale hosts: the lab key, the scale known_hosts, strict host key checking. */
export function scaleSshOptions(connectTimeoutSec = 5): string[] {
  return [
    '-F', '/dev/null',
    '-i', SCALE_LAB.keyPath,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${SCALE_LAB.knownHostsPath}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${connectTimeoutSec}`,
    '-o', 'LogLevel=ERROR',
  ];
}

export function scaleSsh(host: ScaleHost, command: string, timeoutMs = 60_000): Promise<RunResult> {
  return run('ssh', [...scaleSshOptions(), `root@${host.address}`, '--', command], { timeoutMs });
}

// ---------------------------------------------------------------------------------------------
// network

async function bridgeExists(): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', SCALE_LAB.bridge])).code === 0;
}

async function ensureBridge(): Promise<void> {
  if (!(await bridgeExists())) await mustRun('ip', ['link', 'add', 'name', SCALE_LAB.bridge, 'type', 'bridge']);
  const cidr = `${SCALE_LAB.controllerAddress}/${SCALE_LAB.prefixLength}`;
  const addrs = await mustRun('ip', ['-o', '-4', 'addr', 'show', 'dev', SCALE_LAB.bridge]);
  if (!addrs.includes(` ${cidr} `)) await mustRun('ip', ['addr', 'add', cidr, 'dev', SCALE_LAB.bridge]);
  await mustRun('ip', ['link', 'set', 'dev', SCALE_LAB.bridge, 'up']);
}

async function bridgePorts(): Promise<string[]> {
  const result = await run('ip', ['-o', 'link', 'show', 'master', SCALE_LAB.bridge]);
  if (result.code !== 0) return [];
  return result.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^@:\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

async function removeBridge(): Promise<void> {
  for (const port of await bridgePorts()) await run('ip', ['link', 'del', 'dev', port]);
  if (await bridgeExists()) await mustRun('ip', ['link', 'del', 'dev', SCALE_LAB.bridge]);
}

// ---------------------------------------------------------------------------------------------
// host trees

async function mountOverlay(name: string, base: string): Promise<void> {
  const p = paths(name);
  if (await isMounted(p.root)) return;
  for (const dir of [p.upper, p.work, p.root]) await mkdir(dir, { recursive: true });
  await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${base},upperdir=${p.upper},workdir=${p.work}`, p.root]);
}

async function removeTree(name: string): Promise<void> {
  const p = paths(name);
  if (await isMounted(p.root)) await mustRun('umount', [p.root]);
  await rm(p.dir, { recursive: true, force: true });
}

/** What makes a scale host itself, written into its mounted tree once. */
async function personalize(host: ScaleHost, root: string, keys: string): Promise<void> {
  await writeFile(join(root, 'etc/hostname'), `${host.name}\n`);
  await writeFile(join(root, 'etc/hosts'), `127.0.0.1\tlocalhost\n${host.address}\t${host.name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  await writeFile(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`);
  await mkdir(join(root, 'etc/systemd/network'), { recursive: true });
  await writeFile(
    join(root, 'etc/systemd/network/10-host0.network'),
    `# play bench lab: static address, no gateway (no route out)\n[Match]\nName=host0\n\n[Network]\nAddress=${host.address}/${SCALE_LAB.prefixLength}\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`,
  );
  // One host key (ed25519) instead of three: RSA generation is the slow part of making 50 hosts.
  await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${host.name}`, '-f', join(root, 'etc/ssh/ssh_host_ed25519_key')]);
  await mkdir(join(root, 'etc/ssh/sshd_config.d'), { recursive: true });
  await writeFile(join(root, 'etc/ssh/sshd_config.d/10-play-bench.conf'), 'HostKey /etc/ssh/ssh_host_ed25519_key\n');
  await mkdir(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
  await chmod(join(root, 'root/.ssh'), 0o700);
  await writeFile(join(root, 'root/.ssh/authorized_keys'), keys, { mode: 0o600 });
  await mkdir(join(root, 'etc/systemd/journald.conf.d'), { recursive: true });
  await writeFile(join(root, 'etc/systemd/journald.conf.d/10-play-bench.conf'), LIGHT_JOURNALD_CONF);
  for (const unit of LIGHT_MASKED_UNITS) {
    const masked = join(root, 'etc/systemd/system', unit);
    await rm(masked, { force: true });
    await symlink('/dev/null', masked);
  }
}

/**
 * The journal in memory only, and small: a host's journald otherwise keeps its files under
 * /var/log/journal in the host's overlay (disk) and sizes its mmap'd window to the file system,
 * a few MB of page cache per host that 500 hosts make into GBs.
 */
const LIGHT_JOURNALD_CONF = '[Journal]\nStorage=volatile\nRuntimeMaxUse=2M\nRuntimeMaxFileSize=512K\nForwardToSyslog=no\nForwardToWall=no\n';

/**
 * What a light host does not run: no getty on the (read-only) console, no password agents (nobody
 * types one here), no timers (their jobs, dpkg backups, fstrim, tmpfiles cleaning, would wake 500
 * hosts at once mid-measurement), no network-online wait (nothing here orders after it).
 */
const LIGHT_MASKED_UNITS = [
  'console-getty.service', 'getty@tty1.service', 'systemd-ask-password-console.path', 'systemd-ask-password-wall.path',
  'dpkg-db-backup.timer', 'fstrim.timer', 'systemd-tmpfiles-clean.timer', 'systemd-networkd-wait-online.service',
];

// Kernel limits the host count runs into, raised for the scale lab's size by scaleLabUp (the old
// value recorded under the state directory) and put back by scaleLabDown:
// - fs.inotify.max_user_instances: every systemd instance (PID 1 of each host, its journald,
//   logind, dbus, the user manager of each login) holds inotify instances, all charged to root on
//   this machine: the default of 128 runs out at about 18 hosts ("Failed to create inotify object:
//   Too many open files", hosts come up degraded).
// - net.ipv4.neigh.default.gc_thresh1..3: the controller's ARP table holds one entry per host on
//   the bridge; past gc_thresh2 (512) the kernel evicts entries every few seconds and past
//   gc_thresh3 (1024) it refuses new ones ("neighbour table overflow"), i.e. hosts become
//   unreachable at random mid-run.
export interface KernelLimit {
  readonly path: string;
  /** The value wanted for `hosts` hosts; a limit already at or above it is left alone. */
  readonly wanted: (hosts: number) => number;
}

export const SCALE_KERNEL_LIMITS: readonly KernelLimit[] = [
  { path: '/proc/sys/fs/inotify/max_user_instances', wanted: (hosts) => 256 + 12 * hosts },
  // thresh1 above the entry count: no garbage collection of entries at all below it
  { path: '/proc/sys/net/ipv4/neigh/default/gc_thresh1', wanted: (hosts) => 256 + 2 * hosts },
  { path: '/proc/sys/net/ipv4/neigh/default/gc_thresh2', wanted: (hosts) => 512 + 4 * hosts },
  { path: '/proc/sys/net/ipv4/neigh/default/gc_thresh3', wanted: (hosts) => 1024 + 8 * hosts },
];

function limitRecord(limit: KernelLimit): string {
  return join(SCALE_LAB.stateDir, `${limit.path.slice('/proc/sys/'.length).replace(/\//g, '.')}.orig`);
}

async function raiseKernelLimits(hosts: number, log: (line: string) => void): Promise<void> {
  for (const limit of SCALE_KERNEL_LIMITS) {
    const current = Number((await readFile(limit.path, 'utf8')).trim());
    const wanted = limit.wanted(hosts);
    if (current >= wanted) continue;
    await mkdir(SCALE_LAB.stateDir, { recursive: true });
    if (!existsSync(limitRecord(limit))) await writeFile(limitRecord(limit), `${current}\n`);
    await writeFile(limit.path, `${wanted}\n`);
    log(`raised ${limit.path} from ${current} to ${wanted} (restored by down)`);
  }
}

async function restoreKernelLimits(log: (line: string) => void): Promise<void> {
  for (const limit of SCALE_KERNEL_LIMITS) {
    if (!existsSync(limitRecord(limit))) continue;
    const original = (await readFile(limitRecord(limit), 'utf8')).trim();
    await writeFile(limit.path, `${original}\n`);
    log(`restored ${limit.path} to ${original}`);
  }
}

// ---------------------------------------------------------------------------------------------
// machines

async function machinePid(name: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(paths(name).pid, 'utf8')).trim(), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || !isAlive(pid)) return null;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    if (!cmdline.includes(`--machine=${machineName(name)}`)) return null;
  } catch {
    return null;
  }
  return pid;
}

async function startMachine(host: ScaleHost): Promise<void> {
  if ((await machinePid(host.name)) !== null) return;
  await mkdir(SCALE_LAB.runDir, { recursive: true });
  await removeCgroups(machineName(host.name));
  const dirs = await ensureMachineCgroups(machineName(host.name));
  const { cmd, args } = inCgroups(dirs, 'systemd-nspawn', [
    '--register=no', '--keep-unit', '--boot', `--directory=${paths(host.name).root}`, `--machine=${machineName(host.name)}`,
    `--network-bridge=${SCALE_LAB.bridge}`, '--resolv-conf=off', '--timezone=off', '--link-journal=no', '--console=read-only',
  ]);
  const log = openSync(paths(host.name).log, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    if (child.pid === undefined) throw new LabError(`could not start systemd-nspawn for ${host.name}`);
    await writeFile(paths(host.name).pid, `${child.pid}\n`);
    await sleep(200);
    if (!isAlive(child.pid)) throw new LabError(`systemd-nspawn for ${host.name} exited at once; see ${paths(host.name).log}`);
  } finally {
    closeSync(log);
  }
}

async function stopMachine(name: string): Promise<boolean> {
  const pid = await machinePid(name);
  if (pid !== null) {
    process.kill(pid, 'SIGTERM'); // nspawn asks the container's systemd for a clean poweroff
    if (!(await waitFor(() => !isAlive(pid), 20_000, 100))) {
      process.kill(-pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), 10_000, 100);
    }
  }
  await rm(paths(name).pid, { force: true });
  await removeCgroups(machineName(name));
  await rm(join('/run/systemd/nspawn/propagate', machineName(name)), { recursive: true, force: true });
  return pid !== null;
}

async function waitRunning(host: ScaleHost, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const r = await run('ssh', [...scaleSshOptions(2), `root@${host.address}`, '--', 'systemctl is-system-running --wait'], { timeoutMs: 60_000 });
    const state = r.stdout.trim();
    if (state === 'running') return;
    if (state === 'degraded') {
      const failed = await scaleSsh(host, 'systemctl --failed --no-legend --plain | cut -d" " -f1');
      throw new LabError(`${host.name} is degraded: ${failed.stdout.trim().split('\n').join(', ')}`);
    }
    last = state || r.stderr.trim() || `exit ${r.code}`;
    await sleep(300);
  }
  throw new LabError(`${host.name} not running in time (last answer: ${last})`);
}

async function writeKnownHosts(hosts: readonly ScaleHost[]): Promise<void> {
  const lines: string[] = [];
  for (const host of hosts) lines.push(...(await knownHostsLines({ ...host, group: 'bench' }, paths(host.name).upper)));
  await mkdir(SCALE_LAB.sshDir, { recursive: true, mode: 0o700 });
  const tmp = `${SCALE_LAB.knownHostsPath}.tmp`;
  await writeFile(tmp, lines.length ? `${lines.join('\n')}\n` : '');
  await rename(tmp, SCALE_LAB.knownHostsPath);
}

// ---------------------------------------------------------------------------------------------
// API

export interface ScaleUpReport {
  hosts: ScaleHost[];
  created: number;
  seconds: number;
}

/**
 * Brings up the first `n` scale hosts (keeps any already running, so 10 -> 25 -> 50 only adds).
 * Needs the main lab's base image (`npm run lab -- up` builds it); never builds it itself.
 */
export async function scaleLabUp(n: number, log: (line: string) => void = (l) => process.stderr.write(`scale-lab: ${l}\n`)): Promise<ScaleUpReport> {
  if (process.getuid?.() !== 0) throw new LabError('the scale lab needs root (bridge, overlay mounts, containers)');
  const started = Date.now();
  const base = basePath();
  if (!existsSync(join(base, '.play-lab-base'))) {
    throw new LabError(`no lab base image at ${base}: run \`npm run lab -- up\` first (the scale lab reuses it)`);
  }
  await ensureLabKey();
  await raiseKernelLimits(n, log);
  await ensureBridge();
  const hosts = scaleHosts(n);
  const keys = await authorizedKeys();
  let created = 0;
  // Trees first (ssh-keygen and mounts), a few at a time; then boots, a few at a time: 50 systemd
  // instances starting at once on two cores make every one of them slow.
  await mapLimit(hosts, 4, async (host) => {
    const p = paths(host.name);
    if (existsSync(join(p.dir, 'made'))) {
      await mountOverlay(host.name, (await readFile(join(p.dir, 'made'), 'utf8')).trim());
      return;
    }
    await removeTree(host.name);
    await mountOverlay(host.name, base);
    await personalize(host, p.root, keys);
    await writeFile(join(p.dir, 'made'), `${base}\n`);
    created++;
  });
  await writeKnownHosts(hosts);
  const toBoot = (await Promise.all(hosts.map(async (h) => ((await machinePid(h.name)) === null ? h : null)))).filter((h): h is ScaleHost => h !== null);
  if (toBoot.length) log(`booting ${toBoot.length} host(s) on ${SCALE_LAB.bridge}`);
  await mapLimit(toBoot, 8, async (host) => {
    await startMachine(host);
    await waitRunning(host);
  });
  const seconds = (Date.now() - started) / 1000;
  log(`${hosts.length} host(s) running (${created} created) in ${seconds.toFixed(1)} s`);
  return { hosts, created, seconds };
}

/** Every host the scale lab may have made (trees on disk, pid files). */
async function knownNames(): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of [SCALE_LAB.hostsDir, SCALE_LAB.runDir]) {
    if (!existsSync(dir)) continue;
    for (const entry of await readdir(dir)) names.add(entry.replace(/\.(pid|log)$/, ''));
  }
  return [...names].filter((n) => /^bench\d+$/.test(n)).sort();
}

/**
 * Removes everything the scale lab made: machines, overlay mounts and trees, veths, the bridge,
 * cgroups, its known_hosts and state directory, and the SSH control masters (play's and
 * ansible's) that pointed at its addresses. Idempotent. Returns what is still left (should be []).
 */
export async function scaleLabDown(log: (line: string) => void = (l) => process.stderr.write(`scale-lab: ${l}\n`)): Promise<string[]> {
  const names = await knownNames();
  let stopped = 0;
  await mapLimit(names, 16, async (name) => {
    if (await stopMachine(name)) stopped++;
    await removeTree(name);
  });
  await removeBridge();
  const masters = await stopControlMasters();
  await restoreKernelLimits(log);
  await rm(SCALE_LAB.stateDir, { recursive: true, force: true });
  log(`down: stopped ${stopped} machine(s), removed ${names.length} tree(s), the bridge, ${masters} ssh control master(s)`);
  return scaleLabLeftovers();
}

/**
 * ssh processes talking to scale-lab addresses: clients (the address is on their command line)
 * and control masters, which outlive their run and whose title ("ssh: SOCKET [mux]") names no
 * host, so they are found by the remote end of their TCP connection.
 */
async function stopControlMasters(): Promise<number> {
  const pids = await scaleSshPids();
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone already
    }
  }
  return pids.length;
}

/** socket inode -> remote IPv4 address, from /proc/net/tcp (hex, little-endian). */
async function tcpRemotes(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const text = await readFile('/proc/net/tcp', 'utf8').catch(() => '');
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const remote = f[2]?.split(':')[0];
    const inode = f[9];
    if (!remote || !inode || remote.length !== 8) continue;
    const bytes = [6, 4, 2, 0].map((i) => parseInt(remote.slice(i, i + 2), 16));
    out.set(inode, bytes.join('.'));
  }
  return out;
}

async function scaleSshPids(): Promise<number[]> {
  const pids: number[] = [];
  const remotes = await tcpRemotes();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ');
    } catch {
      continue;
    }
    if (!cmdline.startsWith('ssh')) continue;
    if ((cmdline.match(/\d+\.\d+\.\d+\.\d+/g) ?? []).some(inScaleSubnet)) {
      pids.push(Number(entry));
      continue;
    }
    if (!cmdline.includes('[mux]')) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      const remote = inode ? remotes.get(inode) : undefined;
      if (remote && inScaleSubnet(remote)) {
        pids.push(Number(entry));
        break;
      }
    }
  }
  return pids;
}

export async function scaleLabLeftovers(): Promise<string[]> {
  const found: string[] = [];
  if (await bridgeExists()) found.push(`bridge ${SCALE_LAB.bridge}`);
  for (const port of await bridgePorts()) found.push(`veth ${port}`);
  for (const name of await knownNames()) {
    if ((await machinePid(name)) !== null) found.push(`machine ${name}`);
    if (await isMounted(paths(name).root)) found.push(`mount ${paths(name).root}`);
  }
  const mounts = await readFile('/proc/mounts', 'utf8');
  for (const line of mounts.split('\n')) if (line.includes(SCALE_LAB.stateDir)) found.push(`mount ${line.split(' ')[1]}`);
  if (existsSync(SCALE_LAB.stateDir)) found.push(SCALE_LAB.stateDir);
  return [...new Set(found)];
}

export async function scaleLabStatus(): Promise<{ bridge: boolean; running: string[]; made: string[] }> {
  const names = await knownNames();
  const running: string[] = [];
  for (const name of names) if ((await machinePid(name)) !== null) running.push(name);
  return { bridge: await bridgeExists(), running, made: names };
}

/** An INI inventory of the first `n` scale hosts (group `bench`), for play and ansible alike. */
export function scaleInventory(n: number): string {
  const lines = ['# generated by the scale benchmark (test/bench): the scale lab on playbench0', '[bench]'];
  for (const h of scaleHosts(n)) lines.push(`${h.name} ansible_host=${h.address}`);
  lines.push(
    '',
    '[all:vars]',
    'ansible_user=root',
    `ansible_ssh_private_key_file=${SCALE_LAB.keyPath}`,
    `ansible_ssh_common_args='-o UserKnownHostsFile=${SCALE_LAB.knownHostsPath} -o StrictHostKeyChecking=yes'`,
    '',
  );
  return lines.join('\n');
}
