/**
 * Writes /etc/containerd/config.toml from the installed containerd's own defaults (see
 * templates/containerd-config.ts). Reads `containerd config default` on the host, so it runs
 * after the package task (prefetch: false); in --check on a host without containerd yet it can
 * only say that it would write the file.
 */
import { lastLines } from '../../engine/errors.js';
import { commandFact, fileFact } from '../../engine/facts/index.js';
import { applyFileChange, type FileChange, notThereYet, planFile } from '../../engine/ops/index.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { CONTAINERD_CONFIG, renderContainerdConfig } from './templates/containerd-config.js';
import type { RuntimeVars } from './vars.js';

interface ContainerdConfigChange extends Change {
  readonly file?: FileChange;
}

export function containerdConfigTask(
  name: string,
  when: (ctx: TaskContext<RuntimeVars>) => boolean,
  notify: string[],
): Task<RuntimeVars, ContainerdConfigChange> {
  return {
    name,
    when,
    notify,
    prefetch: false,
    async check(ctx) {
      // both in one exec: the file is read along even when containerd turns out to be missing
      const [defaults, current] = await Promise.all([ctx.fact(commandFact('containerd config default')), ctx.fact(fileFact(CONTAINERD_CONFIG))]);
      if (defaults.code !== 0) {
        const pending = { summary: `containerd is not installed yet: write ${CONTAINERD_CONFIG} from its defaults, SystemdCgroup = true` };
        return notThereYet(ctx, pending, `\`containerd config default\` failed (exit ${defaults.code}): ${lastLines(defaults.stderr || defaults.stdout, 3)}`);
      }
      const content = renderContainerdConfig(defaults.stdout, { sandboxImage: ctx.vars.sandboxImage });
      const file = planFile({ path: CONTAINERD_CONFIG, content, mode: 0o644, owner: 'root', group: 'root', makeParents: true }, current);
      return file ? { summary: file.summary, ...(file.diffs ? { diffs: file.diffs } : {}), file } : null;
    },
    async apply(ctx, change) {
      if (change.file) await applyFileChange(ctx, change.file);
    },
  };
}
