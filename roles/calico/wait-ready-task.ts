/**
 * Waits until the nodes are Ready, asking the first master's kubectl (every host does, so
 * `--limit worker3` waits for worker3 even when the first master is not in the play). A node
 * waits for itself; the first master waits for every registered node. The failure names each
 * node still NotReady and why. The waiting is engine/ops/wait-for's; this file only reads nodes.
 */
import { raw, sh } from '../../engine/shell.js';
import { waitFor, type WaitReading } from '../../engine/ops/index.js';
import { serviceFact } from '../../engine/facts/index.js';
import type { Change, ExecResult, Fact, Task, TaskContext } from '../../engine/types.js';
import { ADMIN_CONF, KUBECTL } from '../kube-shared/kube-paths.js';
import { parseNodes, readiness } from './node-status.js';
import type { CalicoVars } from './vars.js';

export const GET_NODES = `${KUBECTL} get nodes -o json`;
const NO_CLUSTER = 'play: no cluster';
const POLL_MS = 2000;

/** One exec on the first master: no admin.conf (no cluster yet), or the nodes as JSON. */
export const NODES_SCRIPT = sh`if [ -e ${ADMIN_CONF} ]; then ${raw(GET_NODES)}; else echo ${NO_CLUSTER}; fi`;

/** The nodes as `vars` sees them: ready when the node (or, on the first master, every node) is Ready. */
export function nodesReadyFact(vars: CalicoVars): Fact<WaitReading> {
  return {
    id: `nodes-ready:${vars.firstMaster}`,
    command: NODES_SCRIPT,
    parse: (result: ExecResult): WaitReading => {
      if (result.code === 0 && result.stdout.trim() === NO_CLUSTER) {
        // Nothing to wait for: fail now rather than after calico_ready_timeout.
        return { ready: false, hopeless: `no cluster on ${vars.firstMaster} (${ADMIN_CONF} is missing): the kubeadm role makes it` };
      }
      if (result.code !== 0) {
        const failed = `kubectl get nodes failed on ${vars.firstMaster}`;
        return { ready: false, waiting: `${failed}: will retry`, why: `${failed}: ${result.stderr.trim().split('\n').pop() ?? ''}` };
      }
      const state = readiness(parseNodes(result.stdout), vars.nodeName, vars.role === 'first-master');
      // The summary names the nodes only; the reasons are for the failure, should it come.
      return {
        ready: state.done,
        waiting: `waited for ${state.waitingFor.map((w) => w.split(':')[0]).join(', ')} to be Ready`,
        why: state.waitingFor.join('; '),
      };
    },
  };
}

/** The node names of readiness()'s lines ("worker2: NotReady (...)"). */
export function nodesIn(why: string | undefined): string[] {
  return (why ?? '').split('; ').map((line) => line.split(':')[0]!.trim()).filter((name) => name !== '');
}

/**
 * A node whose kubelet is not running never gets Ready again by itself: say so, per node, from
 * the host that runs it (its kube_node_name or inventory name). Hosts that cannot be asked are
 * left out: the wait's own message already names their nodes.
 */
export async function kubeletCauses(ctx: TaskContext<CalicoVars>, nodes: readonly string[]): Promise<string[]> {
  const causes: string[] = [];
  for (const node of nodes) {
    const host = ctx.inventory.hosts.find((h) => String(h.vars['kube_node_name'] ?? h.name).toLowerCase() === node);
    if (!host) continue;
    try {
      const kubelet = await ctx.on(host.name).fact(serviceFact('kubelet'));
      if (kubelet.activeState !== 'active') {
        causes.push(`kubelet on ${host.name} is ${kubelet.activeState} (${kubelet.subState}): start it (systemctl start kubelet), or run site.yml, whose kubeadm role keeps it running`);
      }
    } catch {
      // unreachable or unreadable: nothing more to say than the wait did
    }
  }
  return causes;
}

export function waitReadyTask(name: string): Task<CalicoVars, Change> {
  // A wait changes nothing on the host (waitOnly): after a runtime restart the node is briefly
  // NotReady, and the run that waits it out is still a run that changed only the runtime.
  return waitFor<CalicoVars>(name, (ctx) => ({
    probe: nodesReadyFact(ctx.vars),
    on: ctx.vars.firstMaster,
    retries: Math.max(1, Math.floor(ctx.vars.readyTimeoutMs / POLL_MS)),
    delayMs: Math.min(POLL_MS, ctx.vars.readyTimeoutMs),
    waitOnly: true,
    pending: 'wait for the nodes to be Ready (no cluster to ask yet)',
    failMessage: async (last) => {
      const causes = await kubeletCauses(ctx, nodesIn(last.why));
      return `nodes not Ready after ${Math.round(ctx.vars.readyTimeoutMs / 1000)} s (calico_ready_timeout): ${last.why ?? ''}${causes.length ? `\nlikely cause: ${causes.join('; ')}` : ''}`;
    },
  }));
}
