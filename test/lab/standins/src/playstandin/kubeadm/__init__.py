"""The kubeadm stand-in: init, join, reset, token, certs, version."""
