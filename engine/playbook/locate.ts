import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlaybookError } from '../errors.js';

/** play's own folder (this file is dist/engine/playbook/locate.js): the bundled playbooks/ ship there. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface LocatedPlaybook {
  /** What to load: relative to the current folder when found there, absolute when bundled. */
  readonly path: string;
  /** given: the path as typed; project: under playbooks/ or with .yml added; bundled: play's own. */
  readonly origin: 'given' | 'project' | 'bundled';
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where `play NAME` looks inside one folder, in order: NAME, playbooks/NAME, then with .yml/.yaml added. */
function candidates(given: string): string[] {
  const names = /\.ya?ml$/i.test(given) ? [given] : [given, `${given}.yml`, `${given}.yaml`];
  return names.flatMap((name) => [name, join('playbooks', name)]);
}

function bundledPlaybooks(packageRoot: string): string[] {
  try {
    return readdirSync(join(packageRoot, 'playbooks')).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    return [];
  }
}

/**
 * `play site.yml` in any folder: the project's own site.yml or playbooks/site.yml when there is
 * one, else the playbook shipped with play (an installed package's playbooks/). A bundled match
 * must stay inside the package's playbooks/ folder.
 */
export function locatePlaybook(given: string, cwd = process.cwd(), packageRoot = PACKAGE_ROOT): LocatedPlaybook {
  if (isAbsolute(given)) {
    if (isFile(given)) return { path: given, origin: 'given' };
    throw new PlaybookError('playbook not found', { file: given });
  }
  const local = candidates(given).find((c) => isFile(join(cwd, c)));
  if (local) return { path: local, origin: local === given ? 'given' : 'project' };
  const shipped = join(packageRoot, 'playbooks');
  const bundled = candidates(given)
    .map((c) => resolve(packageRoot, c))
    .find((p) => !relative(shipped, p).startsWith('..') && isFile(p));
  if (bundled) return { path: bundled, origin: 'bundled' };
  const names = bundledPlaybooks(packageRoot);
  throw new PlaybookError(
    `playbook not found (looked here, in playbooks/, and among play's bundled playbooks: ${names.join(', ') || 'none'})`,
    { file: given },
  );
}

/** The -v line that says which playbook a name found, and why there. */
export function describeLocated(given: string, found: LocatedPlaybook, cwd = process.cwd()): string {
  const at = resolve(cwd, found.path);
  if (found.origin === 'bundled') return `playbook ${given}: ${at} (bundled with play: no ${given} nor playbooks/${given} in ${cwd})`;
  if (found.origin === 'project') return `playbook ${given}: ${at} (the project's, in ${cwd})`;
  return `playbook ${given}: ${at}`;
}
