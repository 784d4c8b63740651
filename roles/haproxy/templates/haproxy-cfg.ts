/**
 * /etc/haproxy/haproxy.cfg: a TCP balancer in front of every kube-apiserver. Pure and
 * deterministic (golden-tested; `haproxy -c` checks it before it replaces the old file).
 */
import type { HaproxyVars } from '../vars.js';

export const HAPROXY_CFG = '/etc/haproxy/haproxy.cfg';

export function renderHaproxyCfg(v: HaproxyVars): string {
  const lines: string[] = [
    '# Managed by play (role haproxy): local edits are overwritten.',
    'global',
    '    log /dev/log local0',
    '    log /dev/log local1 notice',
    '    chroot /var/lib/haproxy',
  ];
  if (v.statsSocket !== undefined) {
    // `echo 'show stat' | socat stdio SOCKET` shows each master's check status (seed 001).
    lines.push(`    stats socket ${v.statsSocket} mode 660 level admin`, '    stats timeout 30s');
  }
  lines.push(
    '    user haproxy',
    '    group haproxy',
    '    daemon',
    '',
    'defaults',
    '    log global',
    // TLS passes through untouched: the apiserver terminates it and checks client certificates.
    '    mode tcp',
    '    option tcplog',
    '    option dontlognull',
    // A master that refuses the connection is retried, then another one is tried.
    '    option redispatch',
    '    retries 3',
    '    timeout connect 5s',
    // Said in the file too: the first thing someone "tidying up" the timeouts should read.
    '    # Long idle timeouts: watches (closed by the apiserver after 30-60 min), kubectl logs -f,',
    '    # exec and port-forward sit idle for long stretches; a 20s timeout would cut them.',
    `    timeout client ${v.timeoutClient}`,
    `    timeout server ${v.timeoutServer}`,
    '',
    'frontend apiserver',
    ...v.binds.map((b) => `    bind ${b}`),
    '    default_backend apiserver',
    '',
    'backend apiserver',
    '    balance roundrobin',
  );
  if (v.healthCheck === 'https') {
    lines.push(
      // Not ssl-hello-chk: it speaks SSLv3, which TLS 1.2+ apiservers reject (seed 000).
      '    # /healthz over TLS (not ssl-hello-chk: TLS 1.2+ apiservers reject its SSLv3 hello).',
      '    option httpchk GET /healthz',
      '    http-check expect status 200',
    );
  } else {
    lines.push('    option tcp-check');
  }
  const tls = v.healthCheck === 'https' ? ' check-ssl verify none' : '';
  lines.push(`    default-server inter ${v.inter} downinter 5s rise ${v.rise} fall ${v.fall}${tls}`);
  lines.push(...v.backends.map((b) => `    server ${b.name} ${b.address}:${b.port} check`));
  lines.push('');
  return lines.join('\n');
}
