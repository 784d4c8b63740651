/**
 * `kubectl apply -f /etc/kubernetes/calico.yaml` on the first master, only when the manifest
 * differs from the one last applied. The last applied manifest's sha256 is kept next to it
 * (calico.yaml.applied), written only after kubectl succeeded: a run that wrote the manifest
 * but failed before applying it applies it on the next run, which a "changed in this run"
 * signal (notify, register) would miss. reset.yml removes /etc/kubernetes and so the stamp.
 */
import { fileFact } from '../../engine/facts/index.js';
import { raw, sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { notThereYet, runMust } from '../../engine/ops/index.js';
import { KUBECTL } from '../kube-shared/kube-paths.js';
import { CALICO_MANIFEST } from './templates/calico-manifest.js';
import type { CalicoVars } from './vars.js';

export const APPLIED_STAMP = `${CALICO_MANIFEST}.applied`;

interface ApplyChange extends Change {
  readonly sha256: string;
}

export function applyCommand(sha256: string): string {
  return [
    'set -e',
    sh`${raw(KUBECTL)} apply -f ${CALICO_MANIFEST}`,
    sh`printf '%s\\n' ${sha256} > ${APPLIED_STAMP}`,
  ].join('\n');
}

export function applyTask(name: string, when: (ctx: TaskContext<CalicoVars>) => boolean): Task<CalicoVars, ApplyChange> {
  return {
    name,
    when,
    prefetch: false,
    async check(ctx) {
      const [manifest, stamp] = await Promise.all([ctx.fact(fileFact(CALICO_MANIFEST)), ctx.fact(fileFact(APPLIED_STAMP))]);
      if (!manifest.exists || manifest.sha256 === undefined) {
        return notThereYet(ctx, { summary: `apply ${CALICO_MANIFEST} once written`, sha256: '' }, `${CALICO_MANIFEST} is missing on ${ctx.vars.host}`);
      }
      const applied = stamp.exists ? stamp.content?.trim() : undefined;
      if (applied === manifest.sha256) return null;
      return { summary: applied === undefined ? `kubectl apply -f ${CALICO_MANIFEST} (never applied)` : `kubectl apply -f ${CALICO_MANIFEST} (manifest changed)`, sha256: manifest.sha256 };
    },
    async apply(ctx, change) {
      await runMust(ctx, applyCommand(change.sha256), { label: 'kubectl apply calico', what: `kubectl apply -f ${CALICO_MANIFEST}`, tailLines: 6, timeoutMs: 300_000 });
    },
  };
}
