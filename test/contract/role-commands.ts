/**
 * Every command line the cluster roles run, collected by running their tasks (check, then apply)
 * for every host of a cluster against hosts that answer like fresh ones, with the few answers a
 * build needs to go on (the join command, containerd's defaults, a signing key, Ready nodes). The
 * contract suite checks what is collected; nothing here knows which flags a role uses.
 */
import { asDebianHost } from '../helpers/debian-host.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Change, ExecResult, Fact, Role, Task, TaskContext, Vars } from '../../engine/types.js';
import { inventoryView } from '../../engine/runner/host-view.js';
import calico from '../../roles/calico/index.js';
import common from '../../roles/common/index.js';
import crioOrDocker from '../../roles/crio-or-docker/index.js';
import kubeadm from '../../roles/kubeadm/index.js';
import { REPO_ROOT } from '../helpers/run-play.js';
import { ipAddrOutput } from '../roles/helpers/fresh-host.js';
import { colonKey, FPR_A } from '../roles/helpers/colon-keys.js';
import { resolveRole, varsOf } from '../roles/helpers/resolve.js';
import { dedicatedPair } from '../roles/helpers/topologies.js';
import { fileAnswer } from '../roles/helpers/fake-cluster.js';

export const TOKEN = 'abcdef.0123456789abcdef';
const CA_HASH = `sha256:${'c'.repeat(64)}`;
const HOSTS = ['master1', 'master2', 'master3', 'worker1'];

const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
const fail: ExecResult = { code: 1, stdout: '', stderr: '' };

export interface Scenario {
  /** Vars for every host (kubernetes_version, container_runtime...). */
  readonly vars: Vars;
  /** The cluster exists (reset) or not (a first build). */
  readonly clusterExists: boolean;
}

const NODES_READY = JSON.stringify({
  items: HOSTS.map((name) => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } })),
});

function answer(fact: Fact<unknown>, scenario: Scenario, host: string, address: string): ExecResult {
  const id = fact.id;
  if (id === `exists:/etc/kubernetes/admin.conf`) return ok(scenario.clusterExists && host.startsWith('master') ? 'yes\n' : 'no\n');
  if (id === 'file:/etc/kubernetes/calico.yaml') return ok(fileAnswer('kind: DaemonSet\n'));
  if (id.startsWith('file:')) return ok('missing\n');
  if (id.startsWith('exists:')) return ok('no\n');
  if (id.startsWith('kmod:')) return ok('absent\n');
  if (id.startsWith('sysctl:')) return fail;
  if (id.startsWith('packages:')) return { code: 1, stdout: '', stderr: 'dpkg-query: no packages found matching' };
  if (id.startsWith('service:')) return ok('LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\nNeedDaemonReload=no\n');
  if (id === 'addresses:ipv4') return ok(ipAddrOutput(address));
  if (id === 'command:containerd config default') return ok(readFileSync(join(REPO_ROOT, 'test/fixtures/containerd/config-default-2.0.0.toml'), 'utf8'));
  if (id.includes('gpg --batch --show-keys')) return ok(`now 1700000000\n--- published\n${colonKey(FPR_A, '')}`);
  if (id.startsWith('command:curl -fsSL')) return ok(readFileSync(join(REPO_ROOT, 'test/lab/standins/calico/calico-v3.28.0.yaml'), 'utf8'));
  if (id.includes(' get nodes -o json')) return ok(NODES_READY);
  if (id.includes(' get node ')) return ok(scenario.clusterExists ? 'node/x\n' : '');
  if (id.startsWith('command:')) return fail;
  if (id === 'hostname') return ok(`${host}\n`);
  throw new Error(`no answer for fact ${id}`);
}

function runAnswer(script: string): ExecResult {
  if (script.startsWith('kubeadm token create')) return ok(`kubeadm join 10.0.0.10:6443 --token ${TOKEN} --discovery-token-ca-cert-hash ${CA_HASH} \n`);
  if (script.includes(' get nodes -o json')) return ok(NODES_READY);
  return ok();
}

/** Scripts run per role and host, in order. */
export type Recorded = Array<{ role: string; host: string; script: string }>;

function recordingContext<V>(role: string, host: string, scenario: Scenario, varsOfHost: (h: string) => V, recorded: Recorded, shared: Map<string, Promise<unknown>>): TaskContext<V> {
  const inventory = inventoryView(dedicatedPair(scenario.vars));
  const view = inventory.host(host);
  const ctx: TaskContext<V> = {
    host: view,
    vars: varsOfHost(host),
    inventory,
    checkMode: false,
    registered: new Map(),
    fact: async <T>(fact: Fact<T>) => {
      recorded.push({ role, host, script: fact.command });
      return fact.parse(asDebianHost(fact as Fact<unknown>, answer(fact as Fact<unknown>, scenario, host, view.address)));
    },
    run: async (script: string) => {
      recorded.push({ role, host, script });
      return runAnswer(script);
    },
    on: (other: string) => ({ ...recordingContext(role, other, scenario, varsOfHost, recorded, shared), vars: ctx.vars }),
    once: <T>(key: string, compute: () => Promise<T>) => {
      if (!shared.has(key)) shared.set(key, compute());
      return shared.get(key) as Promise<T>;
    },
    publish: () => undefined,
    waitFor: async <T>() => true as T,
    exclusive: <T>(_key: string, fn: () => Promise<T>) => fn(),
    secret: () => undefined,
    log: () => undefined,
    warn: () => undefined,
  };
  return ctx;
}

const ROLES: ReadonlyArray<Role<unknown>> = [common, crioOrDocker, kubeadm, calico] as ReadonlyArray<Role<unknown>>;

/** Runs every task of the cluster roles on every node for the scenario; returns the scripts run. */
export async function collectRoleCommands(scenario: Scenario): Promise<Recorded> {
  const recorded: Recorded = [];
  const inventory = dedicatedPair(scenario.vars);
  for (const role of ROLES) {
    const resolved = resolveRole(role, inventory, 'masters:workers');
    const shared = new Map<string, Promise<unknown>>();
    for (const host of HOSTS) {
      const ctx = recordingContext(role.name, host, scenario, (h) => varsOf(resolved, h), recorded, shared);
      for (const task of role.tasks as ReadonlyArray<Task<unknown, Change>>) {
        if (task.when && !task.when(ctx)) continue;
        let change: Change | null = null;
        try {
          change = await task.check(ctx);
        } catch {
          continue; // a check that needs state a fresh host lacks (admin.conf before init): nothing to run
        }
        if (change && !change.waitOnly) await task.apply(ctx, change).catch(() => undefined);
      }
    }
  }
  return recorded;
}
