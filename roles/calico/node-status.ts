/** Which nodes are Ready, from `kubectl get nodes -o json` (pure, unit-tested). */
import { TaskError } from '../../engine/errors.js';

export interface NodeStatus {
  readonly name: string;
  readonly ready: boolean;
  /** The Ready condition's reason/message when not Ready (e.g. NetworkPluginNotReady). */
  readonly why?: string;
}

interface NodeList {
  items?: Array<{
    metadata?: { name?: string };
    status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> };
  }>;
}

export function parseNodes(json: string): NodeStatus[] {
  let doc: NodeList;
  try {
    doc = JSON.parse(json) as NodeList;
  } catch {
    throw new TaskError('`kubectl get nodes -o json` did not print JSON');
  }
  return (doc.items ?? []).map((item) => {
    const ready = item.status?.conditions?.find((c) => c.type === 'Ready');
    const ok = ready?.status === 'True';
    const why = ok ? undefined : ready ? [ready.reason, ready.message].filter(Boolean).join(': ') || `Ready=${ready.status}` : 'no Ready condition yet';
    return { name: item.metadata?.name ?? '?', ready: ok, ...(why !== undefined ? { why } : {}) };
  });
}

export interface Readiness {
  readonly done: boolean;
  /** One line per node that keeps it from done. */
  readonly waitingFor: readonly string[];
}

/**
 * Done when `own` is registered and Ready and, when `all` (the first master), every registered
 * node is Ready: each node waits for itself, the first master for the whole cluster.
 */
export function readiness(nodes: readonly NodeStatus[], own: string, all: boolean): Readiness {
  const waitingFor: string[] = [];
  if (!nodes.some((n) => n.name === own)) waitingFor.push(`${own}: not registered`);
  for (const n of nodes) {
    if (!n.ready && (all || n.name === own)) waitingFor.push(`${n.name}: NotReady (${n.why ?? 'unknown'})`);
  }
  return { done: waitingFor.length === 0, waitingFor };
}
