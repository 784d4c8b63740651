/**
 * Workload W1, the LB layer (playbooks/lb.yml on inventories/lab), and what the benchmark does
 * around it on the main lab:
 * - render: the files both engines must produce, made with play's own planner (buildPlan: the
 *   same typed vars the roles get) and template functions, one directory per host, which the
 *   Ansible playbook (test/bench/ansible/w1.yml) places with copy/blockinfile;
 * - reset: a host made "fresh" for a first apply (see FRESH_RESET);
 * - drift: one edit of haproxy.cfg on one host;
 * - fingerprint: the managed state of every host, normalized, so the end states of the two
 *   engines can be compared exactly.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAddresses } from '../../../engine/facts/index.js';
import { normalizeModuleName } from '../../../engine/facts/kernel-module.js';
import { loadInventory } from '../../../engine/inventory/index.js';
import { ownedFileContent, renderSysctlFile } from '../../../engine/ops/index.js';
import { ALL_TAGS } from '../../../engine/playbook/tags.js';
import { loadPlaybook } from '../../../engine/playbook/load.js';
import { buildPlan } from '../../../engine/runner/plan.js';
import { renderHostsBlock } from '../../../roles/common/templates/hosts-block.js';
import { KERNEL_MODULES } from '../../../roles/common/templates/kernel-settings.js';
import type { CommonVars } from '../../../roles/common/vars.js';
import { renderHaproxyCfg } from '../../../roles/haproxy/templates/haproxy-cfg.js';
import type { HaproxyVars } from '../../../roles/haproxy/vars.js';
import { renderKeepalivedConf } from '../../../roles/keepalived/templates/keepalived-conf.js';
import type { KeepalivedVars } from '../../../roles/keepalived/vars.js';
import { detectInterface } from '../../../roles/lb-shared/vrrp-interface.js';
import { labSsh } from '../../lab/lab.js';
import { REPO_ROOT } from './engines.js';

export const W1_PLAYBOOK = join(REPO_ROOT, 'playbooks/lb.yml');
export const W1_INVENTORY = join(REPO_ROOT, 'inventories/lab');
export const W1_ANSIBLE_PLAYBOOK = join(REPO_ROOT, 'test/bench/ansible/w1.yml');

export interface W1Topology {
  readonly all: string[];
  readonly masters: string[];
  readonly lb: string[];
  readonly vip: string;
}

/** Renders every host's expected files into `dir`; returns the topology the plan resolved. */
export async function renderW1(dir: string): Promise<W1Topology> {
  const inventory = await loadInventory([W1_INVENTORY]);
  const plan = await buildPlan(inventory, loadPlaybook(W1_PLAYBOOK), { tags: ALL_TAGS, extraVars: { vars: {} } });
  const roleVars = <V>(name: string): ReadonlyMap<string, V> => {
    for (const play of plan.plays) for (const role of play.roles) if (role.role.name === name) return role.vars as ReadonlyMap<string, V>;
    throw new Error(`lb.yml has no role ${name}`);
  };
  const common = roleVars<CommonVars>('common');
  const keepalived = roleVars<KeepalivedVars>('keepalived');
  const haproxy = roleVars<HaproxyVars>('haproxy');
  const masters = [...roleVars<unknown>('ssh-trust').keys()];
  let vip = '';

  for (const [host, v] of common) {
    const hostDir = join(dir, host);
    await mkdir(hostDir, { recursive: true });
    await writeFile(join(hostDir, 'hosts-block'), renderHostsBlock(v.hostsEntries));
    await writeFile(join(hostDir, 'k8s.conf'), ownedFileContent(KERNEL_MODULES.map(normalizeModuleName)));
    await writeFile(join(hostDir, '99-kubernetes.conf'), renderSysctlFile(v.sysctl));
    const sysctls = Object.keys(v.sysctl).sort().map((key) => ({ key, value: String(v.sysctl[key]) }));
    await writeFile(join(hostDir, 'sysctl.json'), JSON.stringify(sysctls));
  }
  for (const [host, v] of keepalived) {
    if (!v.enabled) throw new Error(`keepalived is off on ${host} (${v.reason}): W1 expects the lab's LB pair`);
    vip = v.vip;
    // The interface as the role finds it: from the host's own addresses.
    const addresses = await labSsh(host, 'ip -o -4 addr show');
    const iface = v.interface ?? detectInterface(parseAddresses(addresses), v.vip, v.address);
    if (!iface) throw new Error(`cannot tell ${host}'s VRRP interface`);
    await writeFile(join(dir, host, 'keepalived.conf'), renderKeepalivedConf(v, iface), { mode: 0o600 });
    await writeFile(join(dir, host, 'keepalived-packages.json'), JSON.stringify(['keepalived', v.check === 'apiserver' ? 'curl' : 'psmisc']));
  }
  for (const [host, v] of haproxy) await writeFile(join(dir, host, 'haproxy.cfg'), renderHaproxyCfg(v));
  return { all: [...common.keys()], masters, lb: [...haproxy.keys()], vip };
}

/**
 * The "fresh" state a first apply starts from, the same for both engines. Everything W1
 * manages is taken back to what a new lab host has:
 * - every host: the play block out of /etc/hosts, the modules-load.d and sysctl.d files removed,
 *   the sysctls W1 sets on the host at 0 (so they must be set again);
 * - masters: root's key pair and known_hosts removed, the masters' keys out of authorized_keys
 *   (the lab's own key stays: it is how we get in);
 * - lb hosts: keepalived, haproxy (and psmisc) purged with their auto-installed dependencies,
 *   /etc/haproxy and /etc/keepalived removed, the apt cache and package lists emptied (so both
 *   engines run `apt-get update` and download every .deb from the lab repository), the VIP
 *   dropped.
 * Packages are really reinstalled from the lab's local repository: that is what a first apply
 * on a new host costs, and it costs both engines the same apt/dpkg time.
 */
export function resetScript(host: string, topo: W1Topology): string {
  const lines = [
    'set -e',
    "sed -i '/^# BEGIN play: cluster hosts$/,/^# END play: cluster hosts$/d' /etc/hosts",
    'rm -f /etc/modules-load.d/k8s.conf /etc/sysctl.d/99-kubernetes.conf',
    // only the keys W1 sets on this host (ip_nonlocal_bind: lb hosts only)
    `for k in net/ipv4/ip_forward net/bridge/bridge-nf-call-iptables net/bridge/bridge-nf-call-ip6tables${topo.lb.includes(host) ? ' net/ipv4/ip_nonlocal_bind' : ''}; do`,
    '  if [ -w /proc/sys/$k ]; then echo 0 > /proc/sys/$k; fi',
    'done',
  ];
  if (topo.masters.includes(host)) {
    const names = topo.masters.map((m) => m.replace(/[^a-z0-9-]/gi, '')).join('\\|');
    lines.push(
      'rm -f /root/.ssh/id_ed25519 /root/.ssh/id_ed25519.pub /root/.ssh/known_hosts',
      `if [ -f /root/.ssh/authorized_keys ]; then sed -i '/ root@\\(${names}\\)$/d' /root/.ssh/authorized_keys; fi`,
    );
  }
  if (topo.lb.includes(host)) {
    lines.push(
      'systemctl stop keepalived haproxy 2>/dev/null || true',
      `pkgs=$(dpkg-query -W -f '\${Package} \${db:Status-Abbrev}\\n' keepalived haproxy psmisc 2>/dev/null | awk '$2 ~ /^.i/ || $2 ~ /^.c/ {print $1}')`,
      'if [ -n "$pkgs" ]; then DEBIAN_FRONTEND=noninteractive apt-get purge -y -q --autoremove $pkgs >/dev/null; fi',
      'rm -rf /etc/haproxy /etc/keepalived',
      'apt-get clean',
      'rm -rf /var/lib/apt/lists/* /var/lib/apt/periodic/update-success-stamp',
      // A new host's empty list directory is as old as its image; Ansible's cache_valid_time
      // reads that date, so a "just emptied" directory must not look freshly updated.
      'touch -d 2000-01-01 /var/lib/apt/lists',
      `ip -o -4 addr show | awk '$4 ~ /^${topo.vip.replace(/\./g, '\\.')}\\// {print $4, $2}' | while read a d; do ip addr del "$a" dev "$d"; done`,
    );
  }
  return lines.join('\n') + '\n';
}

export const DRIFT_SCRIPT = "printf '# drift: a local edit the benchmark made\\n' >> /etc/haproxy/haproxy.cfg\n";

const FILES = [
  '/etc/hosts', '/etc/fstab', '/etc/modules-load.d/k8s.conf', '/etc/sysctl.d/99-kubernetes.conf',
  '/etc/haproxy/haproxy.cfg', '/etc/haproxy/haproxy.cfg.play-orig', '/etc/keepalived/keepalived.conf',
  '/root/.ssh', '/root/.ssh/id_ed25519', '/root/.ssh/id_ed25519.pub',
];
const LINE_FILES = ['/root/.ssh/authorized_keys', '/root/.ssh/known_hosts'];
const SYSCTLS = ['net/ipv4/ip_forward', 'net/ipv4/ip_nonlocal_bind', 'net/bridge/bridge-nf-call-iptables', 'net/bridge/bridge-nf-call-ip6tables'];

/** One script printing the managed state of a host, one fact per line. */
export const FINGERPRINT_SCRIPT = [
  `for f in ${FILES.join(' ')}; do`,
  '  if [ -e "$f" ]; then h=; if [ -f "$f" ]; then h=$(sha256sum < "$f" | cut -c1-64); fi; echo "F $f $(stat -c \'%a %U:%G\' "$f") $h"; else echo "F $f missing"; fi',
  'done',
  `for f in ${LINE_FILES.join(' ')}; do`,
  '  if [ -e "$f" ]; then echo "L $f $(stat -c \'%a %U:%G\' "$f")"; sed \'s/^/l /\' "$f"; else echo "L $f missing"; fi',
  'done',
  'if [ -f /root/.ssh/id_ed25519.pub ]; then echo "K $(cat /root/.ssh/id_ed25519.pub)"; fi',
  `for k in ${SYSCTLS.join(' ')}; do echo "S $k $(cat /proc/sys/$k 2>/dev/null)"; done`,
  'for s in keepalived haproxy; do echo "U $s $(systemctl is-enabled $s 2>/dev/null || true) $(systemctl is-active $s 2>/dev/null || true)"; done',
  'echo "P $(dpkg-query -W -f \'${Package}=${Version}:${db:Status-Abbrev}\\n\' | sort | sha256sum | cut -c1-16)"',
  'for d in /etc/haproxy /etc/keepalived; do if [ -d $d ]; then echo "D $d $(ls -A $d | sort | tr \'\\n\' \' \')"; fi; done',
  '',
].join('\n');

/** Raw fingerprint output of every host. */
export async function fingerprintHosts(hosts: readonly string[]): Promise<Record<string, string>> {
  const out = await Promise.all(
    hosts.map(async (h) => {
      const r = await labSsh(h, FINGERPRINT_SCRIPT, { timeoutMs: 60_000 });
      if (r.code !== 0) throw new Error(`fingerprint of ${h} failed (exit ${r.code}): ${r.stderr.trim()}`);
      return [h, r.stdout] as const;
    }),
  );
  return Object.fromEntries(out);
}

/**
 * Normalized state: root's key pair is made anew on every fresh apply, so each master's current
 * public key is replaced by `<root key of NAME>` wherever it appears, and line files compare as
 * sorted line sets (Ansible's authorized_key keeps the set, not necessarily play's order).
 */
export function normalizeFingerprints(raw: Readonly<Record<string, string>>): Record<string, string[]> {
  const keys = new Map<string, string>();
  for (const [host, text] of Object.entries(raw)) {
    const k = /^K \S+ (\S+)/m.exec(text);
    if (k?.[1]) keys.set(k[1], host);
  }
  const out: Record<string, string[]> = {};
  for (const [host, text] of Object.entries(raw)) {
    const fixed: string[] = [];
    const lineSets = new Map<string, string[]>();
    let current: string | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('K ')) continue;
      if (line.startsWith('l ') && current) {
        let body = line.slice(2);
        for (const [key, owner] of keys) body = body.split(key).join(`<root key of ${owner}>`);
        lineSets.get(current)!.push(body);
        continue;
      }
      if (line.startsWith('L ')) {
        current = line;
        lineSets.set(line, []);
        continue;
      }
      // the private key's hash changes with every key pair: its mode and owner are what matter
      fixed.push(/^F \/root\/\.ssh\/id_ed25519(\.pub)? /.test(line) ? line.replace(/ [0-9a-f]{64}$/, ' <key>') : line);
    }
    for (const [head, lines] of lineSets) fixed.push(`${head} lines: ${[...new Set(lines)].sort().join(' | ')}`);
    out[host] = fixed;
  }
  return out;
}

/** Lines that differ between two normalized fingerprints (empty when the states are the same). */
export function fingerprintDiff(a: Readonly<Record<string, string[]>>, b: Readonly<Record<string, string[]>>): string[] {
  const diffs: string[] = [];
  for (const host of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const left = new Set(a[host] ?? []);
    const right = new Set(b[host] ?? []);
    for (const line of left) if (!right.has(line)) diffs.push(`${host}: - ${line}`);
    for (const line of right) if (!left.has(line)) diffs.push(`${host}: + ${line}`);
  }
  return diffs;
}
