/** crio-or-docker's typed vars, validated per host before any host is contacted. */
import type { HostView, InventoryView } from '../../engine/types.js';
import type { TypedVars } from '../../engine/vars.js';
import { CRIO_LAYOUTS, CRIO_LEGACY_LAST_MINOR, CRIO_LEGACY_URL, CRIO_REPO, KUBE_REPO, readAptRepo } from '../kube-shared/apt-repos.js';
import type { AptRepo } from '../../engine/ops/index.js';
import { readCluster, type ClusterVars } from '../kube-shared/cluster.js';
import { pauseImageFor, type KubeVersion } from '../kube-shared/version.js';

export const DOCKER_STORAGE_DRIVERS = ['overlay2', 'fuse-overlayfs', 'btrfs', 'zfs', 'vfs'] as const;
export type DockerStorageDriver = (typeof DOCKER_STORAGE_DRIVERS)[number];

export interface RuntimeVars extends ClusterVars {
  /** crio: its repository, and the Kubernetes one (cri-tools lives there). */
  readonly crioRepo?: AptRepo;
  readonly kubeRepo?: AptRepo;
  readonly dockerStorageDriver: DockerStorageDriver;
  readonly dockerLogMaxSize: string;
  readonly sandboxImage: string;
}

const SIZE = /^\d+[kmg]$/;
const IMAGE = /^[a-z0-9][a-z0-9._\/:@-]*$/;

export function resolveRuntime(vars: TypedVars, host: HostView, inventory: InventoryView): RuntimeVars {
  const cluster = readCluster(vars, host, inventory);
  const maxSize = vars.string('docker_log_max_size').trim();
  if (!SIZE.test(maxSize)) vars.fail('docker_log_max_size', `must be a size like 100m (k, m or g), got '${maxSize}'`);
  const sandbox = vars.has('containerd_sandbox_image') ? vars.string('containerd_sandbox_image').trim() : pauseImageFor(cluster.version);
  if (!IMAGE.test(sandbox)) vars.fail('containerd_sandbox_image', `must be an image reference like registry.k8s.io/pause:3.9, got '${sandbox}'`);
  const crio = cluster.runtime === 'crio';
  return {
    ...cluster,
    ...(crio ? { crioRepo: readCrioRepo(vars, cluster.version), kubeRepo: readAptRepo(vars, KUBE_REPO, cluster.version) } : {}),
    dockerStorageDriver: vars.oneOf<DockerStorageDriver>('docker_storage_driver', DOCKER_STORAGE_DRIVERS),
    dockerLogMaxSize: maxSize,
    sandboxImage: sandbox,
  };
}

/** cri-o's repository: CRI-O's own (isv:cri-o) by default, the pkgs.k8s.io layout on request. */
function readCrioRepo(vars: TypedVars, version: KubeVersion): AptRepo {
  const layout = vars.oneOf<(typeof CRIO_LAYOUTS)[number]>('crio_package_repo_layout', CRIO_LAYOUTS);
  if (layout === 'pkgs.k8s.io' && version.minor > CRIO_LEGACY_LAST_MINOR && !vars.has('crio_package_repo')) {
    vars.fail(
      'crio_package_repo_layout',
      `pkgs.k8s.io's cri-o streams end at v1.${CRIO_LEGACY_LAST_MINOR} (CRI-O moved to isv:cri-o before 1.33): use isv-cri-o for ${version.minorText}`,
    );
  }
  return readAptRepo(vars, CRIO_REPO, version, layout === 'pkgs.k8s.io' ? CRIO_LEGACY_URL(version) : CRIO_REPO.defaultUrl(version));
}
