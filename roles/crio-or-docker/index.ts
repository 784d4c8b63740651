/**
 * crio-or-docker: the container runtime kubelet talks to (container_runtime):
 *  - containerd: Debian's containerd, its default config with SystemdCgroup = true;
 *  - docker: docker.io with seed 002's daemon.json, and the containerd it runs on configured the
 *    same way: since Kubernetes 1.24 kubelet reaches docker's containers through containerd's CRI;
 *  - crio: cri-o from the cri-o repository of the Kubernetes minor (seed 004), with cri-tools.
 * crictl is pointed at the chosen socket. A config change restarts the runtime (handler); an
 * unchanged one never does.
 */
import { aptRepoTasks, file, packages, restartIfStale, service } from '../../engine/ops/index.js';
import { defineRole } from '../../engine/role.js';
import type { TaskContext } from '../../engine/types.js';
import { containerdConfigTask } from './containerd-config-task.js';
import { defaults } from './defaults.js';
import { checkDockerStorage } from './docker-storage.js';
import { usesContainerd } from '../kube-shared/runtime.js';
import { CRICTL_YAML, renderCrictlYaml } from './templates/crictl-yaml.js';
import { CONTAINERD_CONFIG } from './templates/containerd-config.js';
import { DAEMON_JSON, renderDaemonJson } from './templates/daemon-json.js';
import { resolveRuntime, type RuntimeVars } from './vars.js';

type Ctx = TaskContext<RuntimeVars>;

const RESTART_CONTAINERD = 'restart containerd';
const RESTART_DOCKER = 'restart docker';

const containerd = (ctx: Ctx): boolean => usesContainerd(ctx.vars.runtime);
const docker = (ctx: Ctx): boolean => ctx.vars.runtime === 'docker';
const crio = (ctx: Ctx): boolean => ctx.vars.runtime === 'crio';

export default defineRole<RuntimeVars>({
  name: 'crio-or-docker',
  defaults,
  resolve: resolveRuntime,
  handlers: {
    // Declared in this order on purpose: handlers run in declaration order, and dockerd needs
    // its containerd back before it restarts.
    [RESTART_CONTAINERD]: (ctx) => restartIfStale(ctx, 'containerd', [CONTAINERD_CONFIG]),
    [RESTART_DOCKER]: (ctx) => restartIfStale(ctx, 'docker', [DAEMON_JSON]),
  },
  tasks: [
    packages<RuntimeVars>('Install containerd', () => ({ names: ['containerd'], updateCache: true }), {
      when: (ctx) => ctx.vars.runtime === 'containerd',
    }),
    packages<RuntimeVars>('Install docker.io', () => ({ names: ['docker.io'], updateCache: true }), { when: docker }),
    file<RuntimeVars>(
      'Write /etc/docker/daemon.json',
      async (ctx) => {
        await checkDockerStorage(ctx);
        return {
          path: DAEMON_JSON,
          content: renderDaemonJson({ storageDriver: ctx.vars.dockerStorageDriver, logMaxSize: ctx.vars.dockerLogMaxSize }),
          mode: 0o644,
          owner: 'root',
          group: 'root',
          makeParents: true,
        };
      },
      { when: docker, notify: [RESTART_DOCKER] },
    ),
    containerdConfigTask('Write /etc/containerd/config.toml for kubelet', containerd, [RESTART_CONTAINERD]),
    service<RuntimeVars>('Enable and start containerd', () => ({ name: 'containerd', enabled: true, state: 'started' }), { when: containerd }),
    service<RuntimeVars>('Enable and start docker', () => ({ name: 'docker', enabled: true, state: 'started' }), { when: docker }),
    ...aptRepoTasks<RuntimeVars>('cri-o', (v) => v.crioRepo),
    // cri-tools (crictl) is published with Kubernetes itself, in the core repository.
    ...aptRepoTasks<RuntimeVars>('Kubernetes', (v) => v.kubeRepo),
    packages<RuntimeVars>('Install cri-o and cri-tools', () => ({ names: ['cri-o', 'cri-tools'], updateCache: true }), { when: crio }),
    service<RuntimeVars>('Enable and start cri-o', () => ({ name: 'crio', enabled: true, state: 'started', daemonReload: true }), { when: crio }),
    file<RuntimeVars>('Point crictl at the runtime', (ctx) => ({
      path: CRICTL_YAML,
      content: renderCrictlYaml(ctx.vars.criSocket),
      mode: 0o644,
      owner: 'root',
      group: 'root',
    })),
  ],
});
