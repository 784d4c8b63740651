#!/bin/sh
# Managed by play (role keepalived): local edits are overwritten.
# keepalived's health check (kubeadm HA guide): this master's kube-apiserver must answer
# /healthz, and while this host holds the VIP, so must the endpoint clients use (VIP:LB port).

APISERVER_VIP=10.0.2.100
APISERVER_PORT=6443
APISERVER_LB_PORT=8443

errorExit() {
    echo "*** $*" 1>&2
    exit 1
}

curl -sfk --max-time 2 "https://localhost:${APISERVER_PORT}/healthz" -o /dev/null || errorExit "Error GET https://localhost:${APISERVER_PORT}/healthz"
# ' VIP/' with -F: an exact address match, not a prefix of a longer one.
if ip -4 -o addr show | grep -qF " ${APISERVER_VIP}/"; then
    curl -sfk --max-time 2 "https://${APISERVER_VIP}:${APISERVER_LB_PORT}/healthz" -o /dev/null || errorExit "Error GET https://${APISERVER_VIP}:${APISERVER_LB_PORT}/healthz"
fi
