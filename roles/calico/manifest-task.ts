/**
 * /etc/kubernetes/calico.yaml on the first master: the manifest at calico_manifest_url, fetched
 * there with curl (the first master reaches the URL; the controller may not), with the pod CIDR
 * set. When the URL cannot be fetched but the file exists, the file is kept (with a warning):
 * a converged cluster should not fail because a download site is down.
 */
import { createHash } from 'node:crypto';
import { TaskError, lastLines } from '../../engine/errors.js';
import { commandFact, fileFact } from '../../engine/facts/index.js';
import { file } from '../../engine/ops/index.js';
import { sh } from '../../engine/shell.js';
import type { Task, TaskContext } from '../../engine/types.js';
import type { FileChange, FileSpec } from '../../engine/ops/index.js';
import { CALICO_MANIFEST, setCalicoPoolCidr } from './templates/calico-manifest.js';
import type { CalicoVars } from './vars.js';

export function fetchCommand(url: string): string {
  return sh`curl -fsSL --max-time 120 --retry 2 -- ${url}`;
}

async function manifestSpec(ctx: TaskContext<CalicoVars>): Promise<FileSpec> {
  const spec = (content: string): FileSpec => ({ path: CALICO_MANIFEST, content, mode: 0o644, owner: 'root', group: 'root', makeParents: true });
  // the manifest on the host is read along (one exec): file() asks for it next, and a failed fetch keeps it
  const [fetched, existing] = await Promise.all([ctx.fact(commandFact(fetchCommand(ctx.vars.manifestUrl))), ctx.fact(fileFact(CALICO_MANIFEST))]);
  if (fetched.code === 0) {
    checkDigest(ctx.vars, fetched.stdout);
    return spec(setCalicoPoolCidr(fetched.stdout, ctx.vars.networks.pod.text));
  }
  const reason = `cannot fetch ${ctx.vars.manifestUrl} on ${ctx.vars.host} (curl exit ${fetched.code}): ${lastLines(fetched.stderr, 2)}`;
  if (existing.exists && existing.content !== undefined) {
    ctx.warn(`${reason}; keeping the manifest already there`);
    return spec(existing.content);
  }
  throw new TaskError(reason);
}

/**
 * The manifest is applied as cluster-admin: with calico_manifest_sha256 set, only the manifest
 * with that digest is (a changed file at the URL, or one swapped on the way, is refused).
 */
export function checkDigest(vars: CalicoVars, manifest: string): void {
  if (vars.manifestSha256 === undefined) return;
  const actual = createHash('sha256').update(manifest, 'utf8').digest('hex');
  if (actual !== vars.manifestSha256) {
    throw new TaskError(`${vars.manifestUrl} has sha256 ${actual}, not calico_manifest_sha256 ${vars.manifestSha256}: not written, not applied`);
  }
}

export function manifestTask(name: string, when: (ctx: TaskContext<CalicoVars>) => boolean): Task<CalicoVars, FileChange> {
  // After the curl install in the same role: read in turn, not ahead.
  return file<CalicoVars>(name, manifestSpec, { when, prefetch: false });
}
