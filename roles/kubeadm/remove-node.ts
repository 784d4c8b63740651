/**
 * playbooks/remove-node.yml -e node=NAME: one node leaves the cluster for good. The removed host
 * is reset as reset.yml resets a node (drained and its Node deleted through a master, `kubeadm
 * reset -f`, which also removes a control plane's etcd member, then what reset leaves), and a
 * master that stays (the "actor") does the cluster side: first the refusals (the last control
 * plane, a removal that would cost etcd its quorum), then, once the host is reset or found
 * unreachable, whatever is left: the etcd member (etcdctl member remove), the Node object. As
 * k0sctl and kubespray do, the cluster side completes without the host; the run then warns that
 * the host itself was not reset.
 */
import { TaskError } from '../../engine/errors.js';
import { commandFact } from '../../engine/facts/index.js';
import { runMust } from '../../engine/ops/index.js';
import { raw, sh } from '../../engine/shell.js';
import type { Task, TaskContext, Change } from '../../engine/types.js';
import { ETCDCTL, KUBECTL } from '../kube-shared/kube-paths.js';
import type { KubeadmVars } from './vars.js';

export { readRemoval, REMOVE_KEY, type Removal } from './remove-node-vars.js';

const ALLOWED = 'kubeadm:remove:allowed';
const HOST_RESET = 'kubeadm:remove:host-reset';

type Ctx = TaskContext<KubeadmVars>;

export interface EtcdMember {
  readonly id: string;
  readonly name: string;
  readonly clientUrls: readonly string[];
}

/** `etcdctl member list` (simple format: "id, status, name, peer urls, client urls, is learner"). */
export function parseMembers(text: string): EtcdMember[] {
  return text
    .split('\n')
    .filter((line) => /^[0-9a-f]+, /.test(line.trim()))
    .map((line) => {
      const [id = '', , name = '', , clients = ''] = line.split(',').map((f) => f.trim());
      return { id, name, clientUrls: clients.split(/\s+/).filter(Boolean) };
    });
}

/** `etcdctl endpoint health --cluster`: the client URLs that answered healthy. */
export function parseHealthy(text: string): Set<string> {
  return new Set([...text.matchAll(/^(\S+) is healthy:/gm)].map((m) => m[1]!));
}

const quorum = (members: number): number => Math.floor(members / 2) + 1;

/** Pure: why removing `node` from these members must not happen, or undefined. */
export function judgeRemoval(members: readonly EtcdMember[], healthy: ReadonlySet<string>, node: string): string | undefined {
  const leaving = members.find((m) => m.name === node);
  if (!leaving) return undefined;
  if (members.length === 1) return `${node} holds the last etcd member: removing it would remove the cluster`;
  const isHealthy = (m: EtcdMember): boolean => m.clientUrls.some((u) => healthy.has(u));
  const left = members.filter((m) => m !== leaving);
  const healthyLeft = left.filter(isHealthy).length;
  if (healthyLeft < quorum(left.length)) {
    return (
      `removing ${node} would leave ${healthyLeft} healthy etcd member(s) of ${left.length}, short of the quorum of ${quorum(left.length)}: ` +
      'bring the unhealthy members back first (etcdctl endpoint health --cluster on a master names them)'
    );
  }
  return undefined;
}

const MEMBERS_SCRIPT = `${ETCDCTL} member list; echo '--- health'; ${ETCDCTL} endpoint health --cluster 2>&1 || true`;

async function etcdView(ctx: Ctx): Promise<{ members: EtcdMember[]; healthy: Set<string> }> {
  const got = await ctx.fact(commandFact(MEMBERS_SCRIPT));
  const [list = '', health = ''] = got.stdout.split('--- health');
  if (got.code !== 0 || parseMembers(list).length === 0) {
    throw new TaskError(`cannot read etcd's members on ${ctx.vars.host} (etcdctl member list: exit ${got.code}): ${got.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return { members: parseMembers(list), healthy: parseHealthy(health) };
}

const isActor = (ctx: Ctx): boolean => ctx.vars.remove?.actor === ctx.vars.host;
const isLeaving = (ctx: Ctx): boolean => ctx.vars.remove?.host === ctx.vars.host;

/** Before anything: the refusals only a live cluster can answer; then the host may go. */
function allowTask(): Task<KubeadmVars, Change> {
  return {
    name: 'Check that the node can leave the cluster',
    when: isActor,
    prefetch: false,
    async check(ctx) {
      const r = ctx.vars.remove!;
      let etcd = '';
      if (r.master) {
        const { members, healthy } = await etcdView(ctx);
        const refused = judgeRemoval(members, healthy, r.nodeName);
        if (refused) throw new TaskError(`refused before any change: ${refused}`);
        etcd = `, etcd: ${members.length} member(s), ${[...healthy].length} healthy`;
      }
      ctx.publish(ALLOWED, true);
      return { summary: `${r.host} (${r.master ? 'a control plane' : 'a worker'}) may leave${etcd}`, waitOnly: true };
    },
    async apply() {
      // waitOnly: never applied.
    },
  };
}

/** The leaving host starts its reset only once the actor allowed the removal. */
function waitAllowedTask(): Task<KubeadmVars, Change> {
  return {
    name: 'Wait until the cluster allows the removal',
    when: isLeaving,
    async check(ctx) {
      await ctx.waitFor(ALLOWED).catch(() => {
        throw new TaskError(`the removal of ${ctx.vars.host} was not allowed (see ${ctx.vars.remove!.actor}): nothing was changed here`);
      });
      return null;
    },
    async apply() {},
  };
}

function hostResetTask(): Task<KubeadmVars, Change> {
  return {
    name: 'Tell the cluster this host is reset',
    when: isLeaving,
    async check(ctx) {
      ctx.publish(HOST_RESET, true);
      return null;
    },
    async apply() {},
  };
}

/** The actor waits for the leaving host's reset; an unreachable (or failed) host is a warning. */
function waitHostTask(): Task<KubeadmVars, Change> {
  return {
    name: 'Wait for the removed host to be reset',
    when: isActor,
    prefetch: false,
    async check(ctx) {
      const r = ctx.vars.remove!;
      await ctx.waitFor(HOST_RESET).catch(() => {
        ctx.warn(`${r.host} was not reset (unreachable, or its reset failed): the cluster side of its removal completes without it; run 'kubeadm reset -f' there if it comes back`);
      });
      return null;
    },
    async apply() {},
  };
}

function etcdMemberTask(): Task<KubeadmVars, Change & { id?: string }> {
  return {
    name: 'Remove the etcd member of the removed node',
    when: (ctx) => isActor(ctx) && ctx.vars.remove!.master,
    prefetch: false,
    async check(ctx) {
      const node = ctx.vars.remove!.nodeName;
      const member = (await etcdView(ctx)).members.find((m) => m.name === node);
      return member ? { summary: `etcdctl member remove ${member.id} (${node})`, id: member.id } : null;
    },
    async apply(ctx, change) {
      await runMust(ctx, `${ETCDCTL} member remove ${sh`${change.id!}`}`, { label: `etcdctl member remove ${change.id}` });
    },
  };
}

function deleteNodeTask(): Task<KubeadmVars, Change> {
  const get = (node: string): string => sh`${raw(KUBECTL)} get node ${node} -o name --ignore-not-found`;
  return {
    name: 'Delete the Node object of the removed node',
    when: isActor,
    prefetch: false,
    async check(ctx) {
      const node = ctx.vars.remove!.nodeName;
      const found = await ctx.fact(commandFact(get(node)));
      return found.code === 0 && found.stdout.trim() !== '' ? { summary: `kubectl delete node ${node}` } : null;
    },
    async apply(ctx) {
      await runMust(ctx, sh`${raw(KUBECTL)} delete node ${ctx.vars.remove!.nodeName} --ignore-not-found`, { label: 'kubectl delete node' });
    },
  };
}

/** Before the leaving host's reset tasks. */
export function removeFirstTasks(): Task<KubeadmVars, Change>[] {
  return [allowTask(), waitAllowedTask()];
}

/** After them. */
export function removeLastTasks(): Task<KubeadmVars, Change>[] {
  return [hostResetTask(), waitHostTask(), etcdMemberTask() as Task<KubeadmVars, Change>, deleteNodeTask()];
}
