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
  /** The other masters' addresses: etcd's peers and clients, and the apiservers calling kubelets. */
  readonly masterPeers: readonly string[];
}

const port = (spec: string, comment: string): UfwRule => ({ args: ['allow', spec, 'comment', comment] });
const fromPeer = (address: string, ports: string, comment: string): UfwRule => ({
  args: ['allow', 'from', address, 'to', 'any', 'port', ports, 'proto', 'tcp', 'comment', comment],
});

/**
 * Rules play takes back when they are no longer wanted (a master or LB peer left, or an older
 * play opened them to anyone): those of the restricted services, by their comment. The others
 * (ssh, the apiserver and LB ports, NodePorts) are only ever added.
 */
export const CONVERGED_COMMENTS: ReadonlySet<string> = new Set(['etcd', 'kubelet', 'kube-controller-manager', 'kube-scheduler', 'keepalived VRRP']);

/**
 * Rules in the order they are added: ssh first, so enabling ufw never locks play out. From the
 * port tables (seeds 002/003): etcd serves the apiservers and its peers, i.e. the masters; the
 * kubelet API serves the control plane; kube-controller-manager (10257) and kube-scheduler
 * (10259) serve the host itself (kubeadm binds them to 127.0.0.1), so they are not opened. A
 * host's own traffic to its address goes through lo, which ufw always accepts.
 */
export function firewallRules(r: FirewallRoles): UfwRule[] {
  const rules: UfwRule[] = [port(`${r.sshPort}/tcp`, 'ssh')];
  if (r.master) {
    rules.push(port(`${r.apiserverPort}/tcp`, 'kube-apiserver'));
    for (const peer of r.masterPeers) rules.push(fromPeer(peer, '2379:2380', 'etcd'));
  }
  if (r.master || r.worker) for (const peer of r.masterPeers) rules.push(fromPeer(peer, '10250', 'kubelet'));
  if (r.worker) rules.push(port('30000:32767/tcp', 'NodePort services'));
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

/** A rule of `ufw show added` back as arguments, when its comment is one play converges. */
export function convergedRule(line: string): UfwRule | undefined {
  const m = /^(\S.*) comment '([^']*)'$/.exec(line);
  if (!m || !CONVERGED_COMMENTS.has(m[2]!)) return undefined;
  return { args: [...m[1]!.split(' '), 'comment', m[2]!] };
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
