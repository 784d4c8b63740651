"""Stand-ins for kubeadm, kubelet, kubectl, kube-apiserver, cri-o and crictl.

They keep the real programs' contract (commands, flags, output, files written and
failures) on hosts where Kubernetes itself cannot run. See ../../README.md.
"""
