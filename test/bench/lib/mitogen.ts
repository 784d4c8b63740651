/**
 * Ansible with Mitogen, the benchmark's third engine: ansible-playbook with the same ansible.cfg
 * and playbooks, its strategy swapped for ansible-mitogen's `mitogen_linear` or `mitogen_free`
 * (Debian: apt-get install ansible-mitogen). The plugins are given to Ansible through its
 * environment (ANSIBLE_STRATEGY_PLUGINS, ANSIBLE_STRATEGY), so no user's ansible.cfg is touched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The interpreter Debian's ansible-playbook runs on (its #! line): Mitogen must import there. */
const ANSIBLE_PYTHON = '/usr/bin/python3';

export interface MitogenInstall {
  /** ansible_mitogen's strategy plugins (mitogen_linear.py, mitogen_free.py). */
  readonly strategyDir: string;
  readonly version: string;
}

export const MITOGEN_MISSING =
  'ansible-mitogen is missing: the benchmark runs ansible-playbook with Mitogen as its third engine (apt-get install ansible-mitogen)';

/**
 * Where ansible-mitogen is installed for Ansible's Python, and its version; undefined when it
 * is not (no module, or a module without the strategy plugins).
 */
export function findMitogen(python = ANSIBLE_PYTHON): MitogenInstall | undefined {
  const r = spawnSync(
    python,
    ['-c', "import os, ansible_mitogen, mitogen; print(os.path.dirname(ansible_mitogen.__file__)); print('.'.join(map(str, mitogen.__version__)))"],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return undefined;
  const [dir, version] = r.stdout.trim().split('\n');
  if (!dir || !version) return undefined;
  const strategyDir = join(dir, 'plugins', 'strategy');
  return existsSync(join(strategyDir, 'mitogen_linear.py')) && existsSync(join(strategyDir, 'mitogen_free.py')) ? { strategyDir, version } : undefined;
}

let found: MitogenInstall | undefined;

/** findMitogen(), once per process; throws MITOGEN_MISSING when it is not installed. */
export function mitogen(): MitogenInstall {
  found ??= findMitogen();
  if (!found) throw new Error(MITOGEN_MISSING);
  return found;
}

/** The environment that makes ansible-playbook run a play with Mitogen's `strategy`. */
export function mitogenEnv(strategy: 'linear' | 'free', install: MitogenInstall = mitogen()): NodeJS.ProcessEnv {
  return { ANSIBLE_STRATEGY_PLUGINS: install.strategyDir, ANSIBLE_STRATEGY: `mitogen_${strategy}` };
}
