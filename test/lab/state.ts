// The lab's record of its hosts (/var/lib/play-lab/state.json): the default seven plus any added
// with `lab add`. status, down, stop and start read it, so added hosts are never forgotten.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_HOSTS, LAB, type LabHost } from './constants.js';
import { LabError } from './exec.js';

export interface LabState {
  hosts: LabHost[];
}

function isLabHost(value: unknown): value is LabHost {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.group === 'string' && typeof v.address === 'string';
}

/** Reads the state; when none was written yet the lab is the default seven hosts. */
export async function readState(): Promise<LabState> {
  let text: string;
  try {
    text = await readFile(LAB.stateFile, 'utf8');
  } catch {
    return { hosts: DEFAULT_HOSTS.map((h) => ({ ...h })) };
  }
  const parsed: unknown = JSON.parse(text);
  const hosts = (parsed as { hosts?: unknown }).hosts;
  if (!Array.isArray(hosts) || !hosts.every(isLabHost)) {
    throw new LabError(`${LAB.stateFile} is not a lab state file (expected {"hosts": [{name, group, address}]})`);
  }
  return { hosts };
}

/** Writes the state atomically (temp file + rename) so a crash never leaves half a file. */
export async function writeState(state: LabState): Promise<void> {
  await mkdir(dirname(LAB.stateFile), { recursive: true });
  const tmp = `${LAB.stateFile}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, LAB.stateFile);
}

export function findHost(state: LabState, name: string): LabHost {
  const host = state.hosts.find((h) => h.name === name);
  if (!host) {
    throw new LabError(`no lab host named ${name} (hosts: ${state.hosts.map((h) => h.name).join(', ')})`);
  }
  return host;
}

/** The next free address from .41 upward, for `lab add`. */
export function nextFreeAddress(state: LabState): string {
  const used = new Set(state.hosts.map((h) => h.address));
  for (let octet = LAB.firstAddedOctet; octet < 255; octet++) {
    const address = `${LAB.subnetPrefix}.${octet}`;
    if (!used.has(address)) return address;
  }
  throw new LabError('no free address left in the lab subnet');
}
