/** Files kubeadm writes that play reads to tell where a host stands. */
export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
/** Written by init and by a finished join: the node is part of a cluster. */
export const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
export const KUBECTL = 'kubectl --kubeconfig=/etc/kubernetes/admin.conf';

/** Cross-host key the first master publishes once admin.conf exists. */
export const INITIALISED = 'kubeadm:initialised';
