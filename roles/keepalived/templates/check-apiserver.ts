/**
 * /etc/keepalived/check_apiserver.sh: the kubeadm HA guide's keepalived check (seed 003), with
 * two fixes: it asks /healthz (not /) so an apiserver that answers but is unhealthy fails, and
 * it matches the VIP exactly (the guide's `grep -q 10.0.2.10` also matches 10.0.2.100).
 */
export interface CheckApiserverParams {
  readonly vip: string;
  /** This master's kube-apiserver port (apiserver_port). */
  readonly apiserverPort: number;
  /** The endpoint clients use through haproxy (apiserver_lb_port). */
  readonly lbPort: number;
}

export function renderCheckApiserver(p: CheckApiserverParams): string {
  return `#!/bin/sh
# Managed by play (role keepalived): local edits are overwritten.
# keepalived's health check (kubeadm HA guide): this master's kube-apiserver must answer
# /healthz, and while this host holds the VIP, so must the endpoint clients use (VIP:LB port).

APISERVER_VIP=${p.vip}
APISERVER_PORT=${p.apiserverPort}
APISERVER_LB_PORT=${p.lbPort}

errorExit() {
    echo "*** $*" 1>&2
    exit 1
}

curl -sfk --max-time 2 "https://localhost:\${APISERVER_PORT}/healthz" -o /dev/null || errorExit "Error GET https://localhost:\${APISERVER_PORT}/healthz"
# ' VIP/' with -F: an exact address match, not a prefix of a longer one.
if ip -4 -o addr show | grep -qF " \${APISERVER_VIP}/"; then
    curl -sfk --max-time 2 "https://\${APISERVER_VIP}:\${APISERVER_LB_PORT}/healthz" -o /dev/null || errorExit "Error GET https://\${APISERVER_VIP}:\${APISERVER_LB_PORT}/healthz"
fi
`;
}
