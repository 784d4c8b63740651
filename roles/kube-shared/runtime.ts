/**
 * The container runtimes play can set up, and the CRI socket kubelet talks to for each. docker
 * has had no CRI of its own since Kubernetes 1.24 (dockershim is gone): kubelet uses the
 * containerd that docker.io runs on, so `docker` is containerd plus the docker daemon.
 */
export const RUNTIMES = ['containerd', 'docker', 'crio'] as const;

export type Runtime = (typeof RUNTIMES)[number];

/** The sockets as kubeadm spells them (unix:///var/run/..., /var/run being a link to /run). */
export const CONTAINERD_SOCKET = 'unix:///var/run/containerd/containerd.sock';
export const CRIO_SOCKET = 'unix:///var/run/crio/crio.sock';

export function criSocket(runtime: Runtime): string {
  return runtime === 'crio' ? CRIO_SOCKET : CONTAINERD_SOCKET;
}

/** Runtimes whose CRI is containerd's (and so need /etc/containerd/config.toml). */
export function usesContainerd(runtime: Runtime): boolean {
  return runtime === 'containerd' || runtime === 'docker';
}
