// The controller's PID 1 is not systemd, so nobody hands systemd-nspawn a unit of its own. Left in
// our cgroup, every nspawn would create the same "payload"/"supervisor" children and containers
// would collide. So each machine gets its own cgroup under play-lab/ in the hierarchies systemd
// uses (name=systemd and the unified one on a hybrid host, the root on a pure v2 host), and
// nspawn is exec'd from inside it (see machine.ts).
import { existsSync } from 'node:fs';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';
const LAB_CGROUP = 'play-lab';

/** The hierarchies a systemd container needs its own place in, as mount points. */
export function systemdHierarchies(): string[] {
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) return [CGROUP_ROOT]; // pure v2
  const found: string[] = [];
  for (const name of ['systemd', 'unified']) {
    const dir = join(CGROUP_ROOT, name);
    if (existsSync(join(dir, 'cgroup.procs'))) found.push(dir);
  }
  return found;
}

/** play-lab/NAME in every hierarchy. */
export function machineCgroups(machine: string): string[] {
  return systemdHierarchies().map((h) => join(h, LAB_CGROUP, machine));
}

/** Creates play-lab/NAME in every hierarchy and returns the directories (for cgroup.procs). */
export async function ensureMachineCgroups(machine: string): Promise<string[]> {
  const dirs = machineCgroups(machine);
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  return dirs;
}

/** Removes play-lab/NAME (or all of play-lab/) depth-first; busy cgroups are left alone. */
export async function removeCgroups(machine?: string): Promise<void> {
  for (const hierarchy of systemdHierarchies()) {
    const top = machine ? join(hierarchy, LAB_CGROUP, machine) : join(hierarchy, LAB_CGROUP);
    await removeTree(top);
  }
}

async function removeTree(dir: string): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) return;
  } catch {
    return;
  }
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeTree(join(dir, entry.name));
  }
  try {
    await rmdir(dir);
  } catch {
    // still has processes (a machine that is running): leave it
  }
}
