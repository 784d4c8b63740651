/**
 * Runs the real ansible-inventory / ansible (Debian's ansible-core) on inventories a test wrote,
 * in a clean environment: an empty ansible.cfg, temp dirs of its own, no inherited ANSIBLE_*
 * settings, and any source Ansible cannot parse made fatal instead of a warning.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
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

/**
 * Each host's values of `names` as Ansible renders them: `ansible PATTERN -c local -m debug
 * -a var=[n1,n2,...] -o`, one line per host. Asking for the list (not var=NAME one at a time)
 * makes one run for all names, and shows each variable's own rendered value: `var=NAME` would
 * template "{{ NAME }}" once more and turn its number into text. HOME is the temp dir: nothing
 * is written outside it.
 */
export function ansibleDebugVars(
  root: string,
  sources: readonly string[],
  pattern: string,
  names: readonly string[],
  extraVars: readonly string[] = [],
): Promise<Map<string, Record<string, unknown>>> {
  return limit(async () => {
    const args = [...inventoryArgs(sources), pattern, '-c', 'local', '-m', 'debug', '-a', `var=[${names.join(',')}]`, '-o', ...extraVars.flatMap((e) => ['-e', e])];
    const { stdout } = await run('ansible', args, { cwd: root, env: { ...(await ansibleEnv(root)), HOME: root }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    const out = new Map<string, Record<string, unknown>>();
    for (const line of stdout.split('\n').filter((l) => l.includes(' => '))) {
      const [head, json] = [line.slice(0, line.indexOf(' => ')), line.slice(line.indexOf(' => ') + 4)];
      const host = head.split(' | ')[0]!.trim();
      if (!head.includes('SUCCESS')) throw new Error(`ansible debug failed on ${host}: ${json}`);
      const values = (JSON.parse(json) as Record<string, unknown>)[`[${names.join(',')}]`];
      if (!Array.isArray(values)) throw new Error(`ansible debug printed no list for ${host}: ${json}`);
      out.set(host, Object.fromEntries(names.map((n, i) => [n, values[i]])));
    }
    return out;
  });
}

/**
 * The values of `names` as a playbook's task sees them: `ansible-playbook` with connection local
 * and no facts, whose one play must write them (`| to_json`) to `out.json` in `root` (see
 * dumpVarsPlaybook). `args` are more arguments (-i, -e).
 */
export function ansiblePlaybookVars(root: string, playbook: string, names: readonly string[], args: readonly string[]): Promise<Record<string, unknown>> {
  return limit(async () => {
    await run('ansible-playbook', ['-c', 'local', playbook, ...args], { cwd: root, env: { ...(await ansibleEnv(root)), HOME: root }, timeout: 120_000 });
    const values = JSON.parse(await readFile(path.join(root, 'out.json'), 'utf8')) as unknown;
    if (!Array.isArray(values)) throw new Error(`ansible-playbook wrote no list to out.json`);
    return Object.fromEntries(names.map((n, i) => [n, values[i]]));
  });
}

/** A play on `hosts` that writes the values of `names`, as JSON, to out.json next to itself. */
export function dumpVarsPlaybook(names: readonly string[], playVars = '', hosts = 'all'): string {
  return [
    `- hosts: ${hosts}`,
    '  gather_facts: false',
    ...(playVars ? ['  vars:', playVars.trimEnd()] : []),
    '  tasks:',
    '    - copy:',
    `        content: "{{ [${names.join(', ')}] | to_json }}"`,
    '        dest: "{{ playbook_dir }}/out.json"',
    '',
  ].join('\n');
}
