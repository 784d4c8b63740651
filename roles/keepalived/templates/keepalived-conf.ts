/**
 * /etc/keepalived/keepalived.conf for one LB host. Pure and deterministic: the same vars and
 * interface always give the same bytes (golden-tested, and `keepalived -t` checks it on write).
 */
import type { VipSpec } from '../../lb-shared/vips.js';
import type { KeepalivedCheck, KeepalivedOn } from '../vars.js';

export const KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';
export const CHECK_APISERVER_PATH = '/etc/keepalived/check_apiserver.sh';

interface CheckScript {
  readonly name: string;
  readonly script: string;
  readonly interval: number;
  readonly fall: number;
  readonly rise: number;
}

/**
 * haproxy: is the process there (seed 000's `killall -0 haproxy`, every second). Not seed 001's
 * `pidof`: on Debian it is a symlink to killall5, which keepalived runs by its resolved path,
 * where it no longer acts as pidof and always fails. By absolute path (keepalived warns about
 * a PATH search). A dead haproxy is decisive: two misses fail.
 * apiserver: the kubeadm HA guide's script and timings (every 3 s, 10 misses): an apiserver
 * restarting during a join or an upgrade should not bounce the VIP.
 */
export function checkScript(check: KeepalivedCheck): CheckScript {
  return check === 'haproxy'
    ? { name: 'chk_haproxy', script: '/usr/bin/killall -0 haproxy', interval: 1, fall: 2, rise: 2 }
    : { name: 'check_apiserver', script: CHECK_APISERVER_PATH, interval: 3, fall: 10, rise: 2 };
}

export function renderKeepalivedConf(v: KeepalivedOn, vrrpInterface: string): string {
  const check = checkScript(v.check);
  const vips = v.vips.map((vip) => vipLine(vip, vrrpInterface));
  // keepalived tracks its own interface anyway and warns (failing -t) when it is listed again.
  const tracked = [...new Set([...v.vips.map((vip) => vip.device ?? vrrpInterface), ...v.trackInterfaces])]
    .filter((name) => name !== vrrpInterface)
    .sort();
  const peers = v.unicast ? v.unicastPeers : [];

  const lines: string[] = [
    '# Managed by play (role keepalived): local edits are overwritten.',
    'global_defs {',
    `    router_id ${v.host}`,
    // Scripts run as root, and keepalived refuses scripts that non-root users could modify.
    '    script_user root',
    '    enable_script_security',
  ];
  if (v.notification) {
    lines.push('    notification_email {', ...v.notification.emails.map((e) => `        ${e}`), '    }');
    lines.push(`    notification_email_from ${v.notification.from}`);
    lines.push(`    smtp_server ${v.notification.smtpServer}`);
    lines.push('    smtp_connect_timeout 30');
  }
  lines.push('}', '');

  lines.push(
    `vrrp_script ${check.name} {`,
    `    script "${check.script}"`,
    `    interval ${check.interval}`,
    `    fall ${check.fall}`,
    `    rise ${check.rise}`,
  );
  if (v.checkWeight !== 0) {
    // Weighted, not FAULT: when every check fails (no apiserver yet while bootstrapping) the VIP
    // stays on the highest priority host instead of vanishing.
    lines.push(
      '    # A failed check lowers the priority (below every healthy peer) instead of FAULT,',
      '    # so the VIP stays somewhere even while every check fails (before kubeadm init).',
      `    weight ${v.checkWeight}`,
    );
  } else {
    // FAULT: the host resigns at once (a priority 0 advert), the next one takes the VIP in ~1 s.
    lines.push('    # No weight: a failed check puts this host in FAULT and the VIP moves at once.');
  }
  lines.push('}', '');

  lines.push(
    'vrrp_instance VI_APISERVER {',
    `    state ${v.state}`,
    `    interface ${vrrpInterface}`,
    `    virtual_router_id ${v.routerId}`,
    `    priority ${v.priority}`,
    `    advert_int ${v.advertInt}`,
  );
  if (v.preemptDelay !== undefined) lines.push(`    preempt_delay ${v.preemptDelay}`);
  lines.push('    authentication {', '        auth_type PASS', `        auth_pass ${v.authPass}`, '    }');
  if (peers.length > 0) {
    lines.push(`    unicast_src_ip ${v.address}`);
    // FAULT when our own source address disappears, rather than advertising from nowhere.
    lines.push('    track_src_ip');
    lines.push('    unicast_peer {', ...peers.map((p) => `        ${p}`), '    }');
  }
  lines.push('    virtual_ipaddress {', ...vips.map((l) => `        ${l}`), '    }');
  if (tracked.length > 0) lines.push('    track_interface {', ...tracked.map((t) => `        ${t}`), '    }');
  lines.push('    track_script {', `        ${check.name}`, '    }');
  if (v.notification) lines.push('    smtp_alert');
  lines.push('}', '');
  return lines.join('\n');
}

function vipLine(vip: VipSpec, vrrpInterface: string): string {
  return `${vip.address}/${vip.prefix} dev ${vip.device ?? vrrpInterface}`;
}
