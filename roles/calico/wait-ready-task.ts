/**
 * Waits until the nodes are Ready, asking the first master's kubectl (every host does, so
 * `--limit worker3` waits for worker3 even when the first master is not in the play). A node
 * waits for itself; the first master waits for every registered node. The failure names each
 * node still NotReady and why.
 */
import { TaskError } from '../../engine/errors.js';
import { commandFact, pathExistsFact } from '../../engine/facts/index.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { notThereYet } from '../../engine/ops/index.js';
import { ADMIN_CONF, KUBECTL } from '../kube-shared/kube-paths.js';
import { parseNodes, readiness, type Readiness } from './node-status.js';
import type { CalicoVars } from './vars.js';

const GET_NODES = `${KUBECTL} get nodes -o json`;
const POLL_MS = 2000;

interface WaitChange extends Change {
  readonly waitingFor: readonly string[];
}

function judge(ctx: TaskContext<CalicoVars>, stdout: string): Readiness {
  return readiness(parseNodes(stdout), ctx.vars.nodeName, ctx.vars.role === 'first-master');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function waitReadyTask(name: string): Task<CalicoVars, WaitChange> {
  return {
    name,
    // Node states change while earlier tasks (the apply) run: read them in turn.
    prefetch: false,
    async check(ctx) {
      const first = ctx.on(ctx.vars.firstMaster);
      const [cluster, result] = await Promise.all([first.fact(pathExistsFact(ADMIN_CONF)), first.fact(commandFact(GET_NODES))]);
      if (!cluster) {
        // Nothing to wait for: fail now rather than after calico_ready_timeout.
        const pending: WaitChange = { summary: 'wait for the nodes to be Ready (no cluster to ask yet)', waitingFor: [], waitOnly: true };
        return notThereYet(ctx, pending, `no cluster on ${ctx.vars.firstMaster} (${ADMIN_CONF} is missing): the kubeadm role makes it`);
      }
      if (result.code !== 0) return { summary: `kubectl get nodes failed on ${ctx.vars.firstMaster}: will retry`, waitingFor: [], waitOnly: true };
      const state = judge(ctx, result.stdout);
      // The summary names the nodes only; the reasons are for the failure, should it come.
      // A wait changes nothing on the host: after a runtime restart the node is briefly NotReady,
      // and the run that waits it out is still a run that changed only the runtime.
      return state.done
        ? null
        : { summary: `waited for ${state.waitingFor.map((w) => w.split(':')[0]).join(', ')} to be Ready`, waitingFor: state.waitingFor, waitOnly: true };
    },
    async apply(ctx, change) {
      const first = ctx.on(ctx.vars.firstMaster);
      const deadline = Date.now() + ctx.vars.readyTimeoutMs;
      let last: readonly string[] = change.waitingFor;
      let lastError = '';
      for (;;) {
        // run, not fact: facts are cached for the check pass, a wait needs fresh answers.
        const result = await first.run(GET_NODES, { allowFail: true, label: 'kubectl get nodes -o json' });
        if (result.code === 0) {
          const state = judge(ctx, result.stdout);
          if (state.done) return;
          last = state.waitingFor;
        } else {
          lastError = result.stderr.trim().split('\n').pop() ?? '';
        }
        if (Date.now() + POLL_MS > deadline) break;
        await sleep(POLL_MS);
      }
      const seconds = Math.round(ctx.vars.readyTimeoutMs / 1000);
      throw new TaskError(
        `nodes not Ready after ${seconds} s (calico_ready_timeout): ${last.length ? last.join('; ') : `kubectl get nodes failed on ${ctx.vars.firstMaster}: ${lastError}`}`,
      );
    },
  };
}
