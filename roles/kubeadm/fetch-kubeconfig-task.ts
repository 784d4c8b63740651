/**
 * Fetches admin.conf from the first master to the controller (kubeconfig_fetch_dir), the way
 * seed 004 copies it to a workstation: `kubectl --kubeconfig <dir>/admin.conf get nodes` then
 * works from here through the load balancer. A controller-side write: node:fs, atomic (private
 * temp file + rename), 0600 in a folder only this user can write. The content is a credential: it is never printed and
 * the change carries no diff.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TaskError } from '../../engine/errors.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { ADMIN_CONF } from '../kube-shared/kube-paths.js';
import { adminConf, clientKeysIn } from './kubeconfig-tasks.js';
import type { KubeadmVars } from './vars.js';

const FETCHED_MODE = 0o600;

export interface LocalFile {
  readonly sha256: string;
  readonly mode: number;
}

export function readLocalFile(path: string): LocalFile | undefined {
  try {
    const content = readFileSync(path);
    return { sha256: createHash('sha256').update(content).digest('hex'), mode: statSync(path).mode & 0o7777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TaskError(`cannot read ${path} on the controller: ${(err as Error).message}`);
  }
}

/**
 * The folder admin.conf goes to must be the controller user's own and writable by no one else:
 * otherwise another local user could rename, replace or link the credential. A folder play makes
 * is 0700; an existing one is checked, never silently changed (it may be the user's home).
 */
export function checkLocalSecretDir(dir: string): void {
  let info;
  try {
    info = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new TaskError(`cannot read ${dir} on the controller: ${(err as Error).message}`);
  }
  const uid = process.getuid?.();
  if (!info.isDirectory()) throw new TaskError(`${dir} on the controller is not a directory (kubeconfig_fetch_dir)`);
  if (uid !== undefined && info.uid !== uid) {
    throw new TaskError(`${dir} on the controller belongs to uid ${info.uid}, not to this user (${uid}): refusing to put admin.conf there (kubeconfig_fetch_dir)`);
  }
  if (info.mode & 0o022) {
    throw new TaskError(
      `${dir} on the controller is writable by ${info.mode & 0o002 ? 'every user' : 'its group'} (mode ${(info.mode & 0o7777).toString(8)}): ` +
        'refusing to put admin.conf there; chmod go-w it or choose another kubeconfig_fetch_dir',
    );
  }
}

/**
 * Writes `content` to `path` on the controller: the folder made 0700 or checked, the content
 * created exclusively (O_EXCL, 0600) in a private mkdtemp folder beside the target, then renamed
 * over it. Nothing at a guessable name is ever opened, so a planted file or link changes nothing.
 */
export function writeLocalSecretFile(path: string, content: string): void {
  const dir = dirname(path);
  checkLocalSecretDir(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkLocalSecretDir(dir);
  const privateDir = mkdtempSync(join(dir, `.${basename(path)}.play-`));
  try {
    const tmp = join(privateDir, basename(path));
    writeFileSync(tmp, content, { mode: FETCHED_MODE, flag: 'wx' });
    chmodSync(tmp, FETCHED_MODE); // the umask may have narrowed it; never widened it
    renameSync(tmp, path);
  } finally {
    rmSync(privateDir, { recursive: true, force: true });
  }
}

export function fetchKubeconfigTask(name: string, when: (ctx: TaskContext<KubeadmVars>) => boolean): Task<KubeadmVars, Change> {
  return {
    name,
    when,
    prefetch: false,
    async check(ctx) {
      const content = await adminConf(ctx);
      const target = ctx.vars.fetchPath;
      if (content === undefined) {
        if (ctx.checkMode) return { summary: `fetch ${ADMIN_CONF} to ${target} (controller) once kubeadm init has written it` };
        throw new TaskError(`${ADMIN_CONF} is missing on ${ctx.vars.host} although kubeadm init reported success`);
      }
      checkLocalSecretDir(dirname(target));
      const local = readLocalFile(target);
      const wanted = createHash('sha256').update(content, 'utf8').digest('hex');
      if (local && local.sha256 === wanted && local.mode === FETCHED_MODE) return null;
      const why = !local ? 'missing' : local.sha256 !== wanted ? 'content differs' : `mode ${local.mode.toString(8)} -> 600`;
      return { summary: `write ${target} on the controller (${why})` };
    },
    async apply(ctx) {
      // Read now, not from the check: the file the controller gets is the one on the host.
      const result = await ctx.run(sh`cat -- ${ADMIN_CONF}`, { label: `read ${ADMIN_CONF}` });
      clientKeysIn(result.stdout).forEach((key) => ctx.secret(key));
      if (!result.stdout.includes('server:')) throw new TaskError(`${ADMIN_CONF} on ${ctx.vars.host} is not a kubeconfig`);
      writeLocalSecretFile(ctx.vars.fetchPath, result.stdout);
    },
  };
}
