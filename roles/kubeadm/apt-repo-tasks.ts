/**
 * Tasks that make one pkgs.k8s.io-style repository available to apt: its signing key (signed
 * repositories) and its sources.list.d file. Shared by kubeadm (Kubernetes core) and
 * crio-or-docker (cri-o, and the core repository for cri-tools). The package installs that
 * follow use updateCache, so a new source is read before anything is installed from it.
 */
import { TaskError } from '../../engine/errors.js';
import { command, file, packages } from '../../engine/ops/index.js';
import { sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { renderAptSource, type AptRepo } from './apt-repo.js';

export function aptRepoTasks<V>(
  label: string,
  repoOf: (vars: V) => AptRepo | undefined,
): Task<V, Change>[] {
  const signed = (ctx: TaskContext<V>): boolean => {
    const repo = repoOf(ctx.vars);
    return repo !== undefined && !repo.unsigned;
  };
  const repo = (ctx: TaskContext<V>): AptRepo => {
    const r = repoOf(ctx.vars);
    if (!r) throw new TaskError(`${label}: no repository for this host`);
    return r;
  };
  return [
    packages<V>(`Install what fetches the ${label} signing key`, () => ({ names: ['ca-certificates', 'curl', 'gnupg'], updateCache: true }), {
      when: signed,
    }),
    command<V>(
      `Fetch the ${label} signing key`,
      (ctx) => {
        const r = repo(ctx);
        const tmp = `${r.keyring}.tmp`;
        return {
          // Through a temp file: a failed download must not leave an empty keyring behind that
          // `creates` would then take for done.
          command: [
            'set -e',
            sh`install -d -m 0755 -- ${r.keyring.slice(0, r.keyring.lastIndexOf('/'))}`,
            sh`curl -fsSL --max-time 60 -- ${r.keyUrl} | gpg --dearmor --yes -o ${tmp}`,
            sh`chmod 0644 -- ${tmp}`,
            sh`mv -f -- ${tmp} ${r.keyring}`,
          ].join('\n'),
          creates: r.keyring,
        };
      },
      { when: signed },
    ),
    file<V>(
      `Add the ${label} apt repository`,
      (ctx) => ({ path: repo(ctx).listFile, content: renderAptSource(repo(ctx)), mode: 0o644, owner: 'root', group: 'root' }),
      { when: (ctx) => repoOf(ctx.vars) !== undefined },
    ),
  ];
}
