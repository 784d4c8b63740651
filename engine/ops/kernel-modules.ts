import { fileFact } from '../facts/file.js';
import { kernelModuleFact, normalizeModuleName } from '../facts/kernel-module.js';
import { sh } from '../shell.js';
import type { Change, Task } from '../types.js';
import { planFile, type FileChange } from './file-plan.js';
import { applyFileChange } from './file-write.js';
import { ownedFileContent } from './owned-file.js';
import { requireAbsolute } from './paths.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface KernelModulesSpec {
  modules: string[];
  /** e.g. /etc/modules-load.d/k8s.conf: loads them at boot; its whole content is play's. */
  file: string;
}

export interface KernelModulesChange extends Change {
  readonly file?: FileChange;
  /** Modules neither loaded nor built in: the only ones modprobe is asked for. */
  readonly load: readonly string[];
}

/** Ensures kernel modules are available now (modprobe unless loaded or built in) and at boot. */
export function kernelModules<V>(
  name: string,
  spec: SpecFn<V, KernelModulesSpec>,
  opts?: TaskOptions<V>,
): Task<V, KernelModulesChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      const modules = s.modules.map(normalizeModuleName);
      const [state, ...loaded] = await Promise.all([
        ctx.fact(fileFact(requireAbsolute(s.file))),
        ...modules.map((m) => ctx.fact(kernelModuleFact(m))),
      ]);
      const load = modules.filter((_, i) => !loaded[i]?.loaded);
      const fileChange = planFile({ path: s.file, content: ownedFileContent(modules), mode: 0o644 }, state);
      const parts = [...(fileChange ? [`${s.file}: ${fileChange.summary}`] : []), ...(load.length ? [`not loaded: ${load.join(', ')}`] : [])];
      if (parts.length === 0) return null;
      return { summary: parts.join(', '), ...(fileChange ? { file: fileChange, diffs: fileChange.diffs ?? [] } : {}), load };
    },
    async apply(ctx, change) {
      if (change.file) await applyFileChange(ctx, change.file);
      if (change.load.length) {
        await ctx.run(['set -e', ...change.load.map((m) => sh`modprobe -- ${m}`)].join('\n') + '\n');
      }
    },
  };
}
