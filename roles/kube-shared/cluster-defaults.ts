/**
 * Variables the three cluster roles (crio-or-docker, kubeadm, calico) all read, with one default
 * each. Every role spreads these into its own defaults, so they agree whichever role asks.
 */
import type { Vars } from '../../engine/types.js';
import { LB_DEFAULTS } from '../lb-shared/defaults.js';

export const CLUSTER_DEFAULTS: Vars = {
  ...LB_DEFAULTS,
  /** Inventory group of the worker nodes. */
  workers_group: 'workers',
  /** containerd, docker (docker.io; kubelet uses its containerd) or crio. */
  container_runtime: 'containerd',
  /** kubelet/kubeadm/kubectl version and the control plane's kubernetesVersion (1.28 to 1.37). */
  kubernetes_version: '1.30.2',
  /** Pods' addresses (kubeadm podSubnet, calico's IPv4 pool). Not 192.168.0.0/16: hosts often live there. */
  pod_network_cidr: '10.244.0.0/16',
  /** Services' cluster IPs (kubeadm serviceSubnet). */
  service_cidr: '10.96.0.0/12',
  /** Networks the hosts use; null: each host's ansible_host widened to a /24. */
  host_networks: null,
  /** Kubernetes node name of a host; null: the inventory name, lowercased. */
  kube_node_name: null,
  /** Kubernetes apt repository (flat, pkgs.k8s.io layout); null: pkgs.k8s.io for the version's minor. */
  kube_package_repo: null,
  /** true: the repository is not signed (a local mirror): apt gets [trusted=yes], no key is fetched. */
  kube_package_repo_unsigned: false,
  /** Signing key of kube_package_repo; null: <repo>/Release.key. */
  kube_package_key_url: null,
  /** Fingerprint(s) the Kubernetes signing key must have; null: any (still refreshed when rotated or expired). */
  kube_package_key_fingerprint: null,
};
