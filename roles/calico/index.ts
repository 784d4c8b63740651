/**
 * calico: the pod network. The first master fetches calico.yaml, sets the IPv4 pool to the pod
 * CIDR, and applies it when it changed; then every node waits until it is Ready (a node is
 * NotReady until a CNI config exists) and the first master until every node is.
 */
import { packages } from '../../engine/ops/index.js';
import { defineRole } from '../../engine/role.js';
import type { TaskContext } from '../../engine/types.js';
import { applyTask } from './apply-task.js';
import { defaults } from './defaults.js';
import { manifestTask } from './manifest-task.js';
import { resolveCalico, type CalicoVars } from './vars.js';
import { waitReadyTask } from './wait-ready-task.js';

const firstMaster = (ctx: TaskContext<CalicoVars>): boolean => ctx.vars.role === 'first-master';

export default defineRole<CalicoVars>({
  name: 'calico',
  defaults,
  resolve: resolveCalico,
  tasks: [
    packages<CalicoVars>('Install curl (fetches the manifest)', () => ({ names: ['curl'], updateCache: true }), { when: firstMaster }),
    manifestTask('Write the calico manifest with the pod CIDR', firstMaster),
    applyTask('Apply the calico manifest', firstMaster),
    waitReadyTask('Wait until the nodes are Ready'),
  ],
});
