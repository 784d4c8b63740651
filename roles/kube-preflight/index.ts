/**
 * kube-preflight: before any host changes, whether the cluster may go to kubernetes_version.
 * site.yml runs it as its first play (any_errors_fatal), so a refused version (a downgrade, a
 * skipped minor, a node not Ready) stops the run with exit 2 before the first file is written.
 * A node at kubernetes_version costs nothing: the cluster is read only when some node is off it.
 */
import { TaskError } from '../../engine/errors.js';
import { defineRole } from '../../engine/role.js';
import type { Vars } from '../../engine/types.js';
import { CLUSTER_DEFAULTS } from '../kube-shared/cluster-defaults.js';
import { readCluster, type ClusterVars } from '../kube-shared/cluster.js';
import { offTarget, readNodeVersions, upgradeVerdict } from '../kube-shared/cluster-report.js';

const defaults: Vars = { ...CLUSTER_DEFAULTS };

export default defineRole<ClusterVars>({
  name: 'kube-preflight',
  defaults,
  resolve: readCluster,
  tasks: [
    {
      name: 'The cluster can go to kubernetes_version',
      async check(ctx) {
        if (!offTarget(await readNodeVersions(ctx), ctx.vars.version)) return null;
        const verdict = await upgradeVerdict(ctx);
        if (verdict.kind === 'refused') throw new TaskError(`refused before any change: ${verdict.reason}`);
        if (verdict.kind !== 'upgrade') return null;
        return { summary: `upgrade ${verdict.from.text} -> ${verdict.to.text}: preflight passed (every node Ready, control planes at most one minor behind)`, waitOnly: true };
      },
      async apply() {
        // waitOnly: never applied.
      },
    },
  ],
});
