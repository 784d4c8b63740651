// Lab machines are systemd-nspawn containers booted with systemd as PID 1, one per host. The
// controller has no systemd (no machined), so each nspawn runs with --register=no --keep-unit as a
// detached process with a pid file and a log file under /var/lib/play-lab/run, inside a cgroup of
// its own (cgroups.ts).
//
// Capabilities: --capability=all. nspawn's default set already holds CAP_NET_ADMIN and CAP_NET_RAW
// (keepalived's VRRP needs both); "all" adds what container runtimes want (CAP_SYS_RESOURCE,
// CAP_IPC_LOCK, CAP_SYS_TIME...) so containerd can at least start. CAP_SYS_MODULE is not in the
// controller's bounding set (nspawn says "Some capabilities will not be set"): modules are not
// loadable here anyway.
//
// Open files: hosts inherit this machine's hard limit (20000 here). A real Debian host has 524288,
// but this machine refuses to raise a hard limit even for root (prlimit: "Operation not
// permitted"), so --rlimit would change nothing; dbus logs that it cannot raise it, harmlessly.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAB, type LabHost } from './constants.js';
import { ensureMachineCgroups, machineCgroups, removeCgroups } from './cgroups.js';
import { isAlive, LabError, sleep, waitFor } from './exec.js';

export function machineName(host: LabHost | string): string {
  return `${LAB.machinePrefix}${typeof host === 'string' ? host : host.name}`;
}

export function pidFile(name: string): string {
  return join(LAB.runDir, `${name}.pid`);
}

export function logFile(name: string): string {
  return join(LAB.runDir, `${name}.log`);
}

/**
 * A command line that puts itself into the given cgroups and then execs the program. The
 * cgroup directories and the program's arguments travel as positional parameters, never pasted
 * into the script text.
 */
export function inCgroups(dirs: readonly string[], cmd: string, args: readonly string[]): { cmd: string; args: string[] } {
  const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1/cgroup.procs" || exit 1; shift; n=$((n-1)); done; exec "$@"';
  return { cmd: 'sh', args: ['-c', script, 'sh', String(dirs.length), ...dirs, cmd, ...args] };
}

/** nspawn arguments to run one command in a tree (no boot, the controller's network): base builds. */
export async function nspawnRunArgs(machine: string, root: string, command: readonly string[]): Promise<{ cmd: string; args: string[] }> {
  const dirs = await ensureMachineCgroups(machine);
  return inCgroups(dirs, 'systemd-nspawn', [
    '--register=no', '--keep-unit', '--quiet', `--directory=${root}`, `--machine=${machine}`,
    '--resolv-conf=copy-host', '--link-journal=no', '--console=pipe', '--setenv=DEBIAN_FRONTEND=noninteractive',
    ...command,
  ]);
}

/** nspawn arguments that boot a lab host on the lab bridge. */
function bootArgs(host: LabHost, root: string, binds: readonly string[]): string[] {
  return [
    '--register=no', '--keep-unit', '--boot', `--directory=${root}`, `--machine=${machineName(host)}`,
    `--network-bridge=${LAB.bridge}`, '--resolv-conf=off', '--timezone=off', '--link-journal=no',
    '--console=read-only', '--capability=all',
    ...binds.map((b) => `--bind=${b}`),
  ];
}

/** The pid of the host's running nspawn, or null when it is not running. */
export async function machinePid(name: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile(name), 'utf8')).trim(), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || !isAlive(pid)) return null;
  // a recycled pid would belong to some other program: check that it is our nspawn
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    if (!cmdline.includes(`--machine=${machineName(name)}`)) return null;
  } catch {
    return null;
  }
  return pid;
}

/**
 * Boots the host's tree (already mounted at `root`) as a detached nspawn process; `binds` are
 * extra SOURCE:TARGET bind mounts.
 */
export async function startMachine(host: LabHost, root: string, binds: readonly string[] = []): Promise<number> {
  const running = await machinePid(host.name);
  if (running !== null) return running;
  await mkdir(LAB.runDir, { recursive: true });
  await removeCgroups(machineName(host)); // leftovers of a machine that died
  const dirs = await ensureMachineCgroups(machineName(host));
  const { cmd, args } = inCgroups(dirs, 'systemd-nspawn', bootArgs(host, root, binds));
  const log = openSync(logFile(host.name), 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    if (child.pid === undefined) throw new LabError(`could not start systemd-nspawn for ${host.name}`);
    await writeFile(pidFile(host.name), `${child.pid}\n`);
    await sleep(300);
    if (!isAlive(child.pid)) {
      throw new LabError(`systemd-nspawn for ${host.name} exited at once; see ${logFile(host.name)}`);
    }
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * Powers the host off: SIGTERM makes nspawn ask the container's systemd for a clean poweroff
 * (its --kill-signal for --boot is SIGRTMIN+3). SIGKILL after `graceMs` if it hangs.
 */
export async function stopMachine(name: string, graceMs = 20_000): Promise<boolean> {
  const pid = await machinePid(name);
  if (pid !== null) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitFor(() => !isAlive(pid), graceMs, 100))) {
      process.kill(-pid, 'SIGKILL'); // the whole process group: nspawn and its container
      await waitFor(() => !isAlive(pid), 10_000, 100);
    }
  }
  await rm(pidFile(name), { force: true });
  await removeCgroups(machineName(name));
  // nspawn leaves this (empty) directory behind and says it may not remove it itself
  await rm(join('/run/systemd/nspawn/propagate', machineName(name)), { recursive: true, force: true });
  return pid !== null;
}

/**
 * Cuts the host's power: every process of the machine (nspawn, the container's systemd and all it
 * runs) killed at once through cgroup v2's cgroup.kill, so nothing inside gets to shut down (no
 * keepalived goodbye, no etcd leave). Then cleans up as stopMachine does. Needs a kernel with
 * cgroup.kill (5.14+) on the unified hierarchy.
 */
export async function cutMachine(name: string): Promise<boolean> {
  const pid = await machinePid(name);
  if (pid !== null) {
    const kill = (await Promise.all(machineCgroups(machineName(name)).map(async (dir) => {
      const file = join(dir, 'cgroup.kill');
      return access(file).then(() => file, () => undefined);
    }))).find((f) => f !== undefined);
    if (kill === undefined) throw new LabError(`no cgroup.kill for ${name}: a power cut needs cgroup v2's unified hierarchy (Linux 5.14+)`);
    await writeFile(kill, '1');
    if (!(await waitFor(() => !isAlive(pid), 10_000, 50))) throw new LabError(`${name} still runs after cgroup.kill`);
  }
  return (await stopMachine(name)) || pid !== null;
}
