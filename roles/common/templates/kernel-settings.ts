/**
 * What kubelet and the CNI need from the kernel (seed 004's crio.conf / 99-kubernetes-cri.conf),
 * plus ip_nonlocal_bind on LB hosts so haproxy can bind a VIP the host does not hold (yet).
 * The files are rendered by the engine's sysctl and kernelModules ops from these values.
 */
export const MODULES_FILE = '/etc/modules-load.d/k8s.conf';
export const SYSCTL_FILE = '/etc/sysctl.d/99-kubernetes.conf';

export const KERNEL_MODULES: readonly string[] = ['overlay', 'br_netfilter'];

export function sysctlValues(lbHost: boolean): Record<string, number> {
  return {
    'net.bridge.bridge-nf-call-iptables': 1,
    'net.bridge.bridge-nf-call-ip6tables': 1,
    'net.ipv4.ip_forward': 1,
    ...(lbHost ? { 'net.ipv4.ip_nonlocal_bind': 1 } : {}),
  };
}
