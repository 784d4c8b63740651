/**
 * Reading the controller's processes from /proc: the tree under a pid (for its peak memory) and
 * the CPU of SSH control masters. A control master (ControlPersist) forks away from the engine
 * that started it and lives on for the next run, so neither getrusage nor a process-tree walk
 * sees its CPU; it is still the engine's cost, so it is counted by delta over a run.
 */
import { readdirSync, readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;
const TICKS_PER_SECOND = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Direct children of a process, over all its threads. */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    const text = read(`/proc/${pid}/task/${tid}/children`);
    if (text) for (const word of text.trim().split(/\s+/)) if (word) out.push(Number(word));
  }
  return out;
}

/** The pid and all its descendants. */
export function processTree(root: number): number[] {
  const seen: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    seen.push(pid);
    stack.push(...childrenOf(pid));
  }
  return seen;
}

/** Resident memory of one process in bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  const statm = read(`/proc/${pid}/statm`);
  const pages = statm ? Number(statm.split(' ')[1]) : 0;
  return Number.isFinite(pages) ? pages * PAGE_BYTES : 0;
}

/** user+system CPU seconds of one process, from /proc/PID/stat (fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * SSH control masters whose socket lives under `controlDir`: OpenSSH renames a master's process
 * title to "ssh: SOCKET [mux]". Returns pid -> CPU seconds so far.
 */
export function controlMasters(controlDir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = read(`/proc/${entry}/cmdline`);
    if (!cmdline || !cmdline.startsWith('ssh') || !cmdline.includes('[mux]') || !cmdline.includes(controlDir)) continue;
    out.set(Number(entry), cpuSeconds(Number(entry)));
  }
  return out;
}

/** CPU the masters used between two snapshots (masters born in between count from zero). */
export function mastersCpuDelta(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return Math.max(0, total);
}

/**
 * CPU seconds the whole machine has been busy (every CPU, /proc/stat minus idle and iowait).
 * The lab hosts are containers on this machine: the delta over a run is the controller's and
 * the hosts' work together (plus whatever else runs, which the benchmark waits out).
 */
export function machineBusySeconds(): number {
  const line = (read('/proc/stat') ?? '').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}
