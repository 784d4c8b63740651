/** Files kubeadm writes that play reads to tell where a host stands. */
export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
/** Written by init and by a finished join: the node is part of a cluster. */
export const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
export const KUBECTL = 'kubectl --kubeconfig=/etc/kubernetes/admin.conf';

/** Cross-host key the first master publishes once admin.conf exists. */
export const INITIALISED = 'kubeadm:initialised';

/**
 * Debian's etcdctl (etcd-client) against a master's own stacked etcd member, with the client
 * certificate kubeadm makes for health checks (phases/certs: etcd/healthcheck-client).
 */
export const ETCDCTL =
  'ETCDCTL_API=3 etcdctl --dial-timeout=3s --command-timeout=10s --endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt' +
  ' --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt --key /etc/kubernetes/pki/etcd/healthcheck-client.key';
