/**
 * Runs the real ansible-inventory / ansible (Debian's ansible-core) on inventories a test wrote,
 * in a clean environment: an empty ansible.cfg, temp dirs of its own, no inherited ANSIBLE_*
 * settings, and any source Ansible cannot parse made fatal instead of a warning.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';

const run = promisify(execFile);
/** Ansible's start-up is slow (about a second): run a couple at a time. */
const limit = pLimit(2);

export interface AnsibleOutput {
  readonly stdout: string;
  readonly stderr: string;
}

export async function ansibleInventoryAvailable(): Promise<boolean> {
  try {
    await run('ansible-inventory', ['--version'], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

async function ansibleEnv(root: string): Promise<NodeJS.ProcessEnv> {
  const config = path.join(root, 'ansible.cfg');
  await writeFile(config, '');
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANSIBLE_')));
  return {
    ...env,
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: path.join(root, '.ansible-home'),
    ANSIBLE_LOCAL_TEMP: path.join(root, '.ansible-tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_DEPRECATION_WARNINGS: 'false',
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'true',
  };
}

function inventoryArgs(sources: readonly string[]): string[] {
  return sources.flatMap((s) => ['-i', s]);
}

/** `ansible-inventory -i S... ARGS` run in `root`. */
export function ansibleInventory(root: string, sources: readonly string[], args: readonly string[]): Promise<AnsibleOutput> {
  return limit(async () => {
    const { stdout, stderr } = await run('ansible-inventory', [...inventoryArgs(sources), ...args], {
      cwd: root,
      env: await ansibleEnv(root),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    return { stdout, stderr };
  });
}

/** The hosts `ansible PATTERN --list-hosts` selects, in its order, and its warnings. */
export function ansibleListHosts(root: string, sources: readonly string[], pattern: string): Promise<{ hosts: string[]; stderr: string }> {
  return limit(async () => {
    const { stdout, stderr } = await run('ansible', [...inventoryArgs(sources), pattern, '--list-hosts'], {
      cwd: root,
      env: await ansibleEnv(root),
      timeout: 120_000,
    });
    const lines = stdout.split('\n');
    const header = lines.findIndex((l) => /^\s*hosts \(\d+\):$/.test(l));
    if (header === -1) throw new Error(`unexpected ansible --list-hosts output:\n${stdout}\n${stderr}`);
    const hosts = lines.slice(header + 1).map((l) => l.trim()).filter((l) => l !== '');
    return { hosts, stderr };
  });
}
