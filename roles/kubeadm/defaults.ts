/** kubeadm's variables and their defaults (README.md beside this file explains each). */
import type { Vars } from '../../engine/types.js';
import { CLUSTER_DEFAULTS } from '../kube-shared/cluster-defaults.js';

export const defaults: Vars = {
  ...CLUSTER_DEFAULTS,
  /** Debian revision of the pkgs.k8s.io packages: kubelet=<kubernetes_version>-<revision>. */
  kube_package_revision: '1.1',
  /** Controller folder that receives admin.conf from the first master (mode 0600). */
  kubeconfig_fetch_dir: 'artifacts',
  /** Who gets ~/.kube/config on the masters besides root; null: the connecting user (ansible_user) unless root. */
  kube_admin_user: null,
  /** Seconds kubeadm init / join may take before play gives up on them. */
  kubeadm_timeout: 600,
  /** Lifetime of the join token play creates when a node has to join. */
  kubeadm_token_ttl: '1h',
  /** Workers upgraded at once when kubernetes_version moves: a number, or a percentage of the workers ('25%'). */
  upgrade_worker_batch: 1,
  /** Cordon and drain each node before its kubelet moves (false: only cordon-free package moves and restarts). */
  upgrade_drain: true,
  /** Seconds a node's drain may take (kubectl drain --timeout) before the upgrade stops, naming the pod that blocks it. */
  upgrade_drain_timeout: 300,
  /** Renew kubeadm's certificates (kubeadm certs renew all) on a master when the first of them expires in fewer days than this. */
  kube_cert_renew_days: 30,
  /** true (playbooks/reset.yml): undo kubeadm on the play's hosts instead of building. */
  kubeadm_reset: false,
  // reset_confirm has no default: reset only runs with -e reset_confirm=yes.
};
