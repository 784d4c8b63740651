/** crio-or-docker's variables and their defaults (README.md beside this file explains each). */
import type { Vars } from '../../engine/types.js';
import { CLUSTER_DEFAULTS } from '../kube-shared/cluster-defaults.js';

export const defaults: Vars = {
  ...CLUSTER_DEFAULTS,
  /** cri-o apt repository (flat); null: CRI-O's stream of the Kubernetes minor in the layout below. */
  crio_package_repo: null,
  /** isv-cri-o: download.opensuse.org/repositories/isv:/cri-o:/stable:/vX.Y/deb/ (where CRI-O publishes since 2025-02); pkgs.k8s.io: the old addons:/cri-o layout (up to 1.32). */
  crio_package_repo_layout: 'isv-cri-o',
  /** true: crio_package_repo is not signed (a local mirror): apt gets [trusted=yes]. */
  crio_package_repo_unsigned: false,
  /** Signing key of crio_package_repo; null: <repo>/Release.key. */
  crio_package_key_url: null,
  /** Fingerprint(s) the cri-o signing key must have; null: any (still refreshed when rotated or expired). */
  crio_package_key_fingerprint: null,
  /** docker: /etc/docker/daemon.json storage-driver (seed 002: overlay2; vfs where /var/lib/docker is on overlayfs). */
  docker_storage_driver: 'overlay2',
  /** docker: json-file log rotation size per container (seed 002: 100m). */
  docker_log_max_size: '100m',
  /** containerd's sandbox (pause) image; null: the one kubeadm of kubernetes_version expects. */
  containerd_sandbox_image: null,
};
