import { fileFact } from '../facts/file.js';
import { normalizeSysctlValue, sysctlFact, sysctlPath } from '../facts/sysctl.js';
import { sh } from '../shell.js';
import type { Change, Task } from '../types.js';
import { planFile, type FileChange } from './file-plan.js';
import { applyFileChange } from './file-write.js';
import { ownedFileContent } from './owned-file.js';
import { requireAbsolute } from './paths.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface SysctlSpec {
  /** e.g. /etc/sysctl.d/99-kubernetes.conf: its whole content is play's. */
  file: string;
  values: Record<string, string | number>;
}

export interface SysctlChange extends Change {
  readonly file?: FileChange;
  /** Runtime values to set, by key. */
  readonly set: Readonly<Record<string, string>>;
}

/** The persistent file, keys sorted so the content does not depend on the spec's key order. */
export function renderSysctlFile(values: Readonly<Record<string, string | number>>): string {
  const keys = Object.keys(values).sort();
  return ownedFileContent(keys.map((key) => `${key} = ${normalizeSysctlValue(values[key] ?? '')}`));
}

/** Pure: runtime keys whose current value differs (undefined = the key does not exist yet). */
export function planSysctlRuntime(
  values: Readonly<Record<string, string | number>>,
  current: Readonly<Record<string, string | undefined>>,
): { set: Record<string, string>; summary: string[] } {
  const set: Record<string, string> = {};
  const summary: string[] = [];
  for (const key of Object.keys(values).sort()) {
    const want = normalizeSysctlValue(values[key] ?? '');
    const have = current[key];
    if (have !== want) {
      set[key] = want;
      summary.push(`${key} ${have ?? '(missing)'} -> ${want}`);
    }
  }
  return { set, summary };
}

/** Writes /proc/sys directly: same effect as `sysctl -w`, without needing procps on the host. */
export function sysctlWriteScript(set: Readonly<Record<string, string>>): string {
  const lines = Object.entries(set).map(([key, value]) => sh`printf '%s\\n' ${value} > ${sysctlPath(key)}`);
  return ['set -e', ...lines].join('\n') + '\n';
}

/** Ensures kernel parameters: persisted in a file play owns and set at runtime. */
export function sysctl<V>(name: string, spec: SpecFn<V, SysctlSpec>, opts?: TaskOptions<V>): Task<V, SysctlChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      const keys = Object.keys(s.values);
      const [state, current] = await Promise.all([
        ctx.fact(fileFact(requireAbsolute(s.file))),
        ctx.fact(sysctlFact(keys)),
      ]);
      const fileChange = planFile({ path: s.file, content: renderSysctlFile(s.values), mode: 0o644 }, state);
      const runtime = planSysctlRuntime(s.values, current);
      const parts = [...(fileChange ? [`${s.file}: ${fileChange.summary}`] : []), ...runtime.summary];
      if (parts.length === 0) return null;
      return {
        summary: parts.join(', '),
        ...(fileChange ? { file: fileChange, diffs: fileChange.diffs ?? [] } : {}),
        set: runtime.set,
      };
    },
    async apply(ctx, change) {
      if (change.file) await applyFileChange(ctx, change.file);
      if (Object.keys(change.set).length) {
        await ctx.run(sysctlWriteScript(change.set), { label: `sysctl -w ${Object.keys(change.set).join(' ')}` });
      }
    },
  };
}
