/**
 * ufw rules from the Kubernetes port tables (seeds 002/003), per role of the host. Each rule is
 * kept in the exact form `ufw show added` prints it, so the check compares strings instead of
 * parsing ufw's output into rules.
 */
export interface UfwRule {
  /** Arguments after `ufw`, e.g. ['allow', '6443/tcp', 'comment', 'kube-apiserver']. */
  readonly args: readonly string[];
}

export interface FirewallRoles {
  readonly sshPort: number;
  readonly master: boolean;
  readonly worker: boolean;
  readonly lb: boolean;
  readonly apiserverPort: number;
  readonly lbPort: number;
  /** The other LB hosts' addresses when keepalived runs: VRRP (IP protocol 112) from them. */
  readonly vrrpPeers: readonly string[];
}

const port = (spec: string, comment: string): UfwRule => ({ args: ['allow', spec, 'comment', comment] });

/** Rules in the order they are added: ssh first, so enabling ufw never locks play out. */
export function firewallRules(r: FirewallRoles): UfwRule[] {
  const rules: UfwRule[] = [port(`${r.sshPort}/tcp`, 'ssh')];
  if (r.master) {
    rules.push(
      port(`${r.apiserverPort}/tcp`, 'kube-apiserver'),
      port('2379:2380/tcp', 'etcd'),
      port('10250/tcp', 'kubelet'),
      port('10257/tcp', 'kube-controller-manager'),
      port('10259/tcp', 'kube-scheduler'),
    );
  }
  if (r.worker) rules.push(port('10250/tcp', 'kubelet'), port('30000:32767/tcp', 'NodePort services'));
  if (r.lb) {
    rules.push(port(`${r.lbPort}/tcp`, 'apiserver load balancer'));
    for (const peer of r.vrrpPeers) rules.push({ args: ['allow', 'from', peer, 'proto', 'vrrp', 'comment', 'keepalived VRRP'] });
  }
  const seen = new Set<string>();
  return rules.filter((rule) => {
    const line = ufwRuleLine(rule);
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

/** The rule as `ufw show added` lists it (without the leading 'ufw '). */
export function ufwRuleLine(rule: UfwRule): string {
  return rule.args.map((a, i) => (rule.args[i - 1] === 'comment' ? `'${a}'` : a)).join(' ');
}

export interface UfwState {
  readonly installed: boolean;
  readonly active: boolean;
  /** Rules as listed by `ufw show added`, without 'ufw '. */
  readonly rules: readonly string[];
}

/** Probe output: 'Status: ...' from `ufw status`, then `ufw show added`; 'missing' without ufw. */
export function parseUfwState(stdout: string): UfwState {
  const lines = stdout.split('\n').map((l) => l.trim());
  if (lines[0] === 'missing') return { installed: false, active: false, rules: [] };
  const active = lines.some((l) => l === 'Status: active');
  const rules = lines.filter((l) => l.startsWith('ufw ')).map((l) => l.slice(4));
  return { installed: true, active, rules };
}
