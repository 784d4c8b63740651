/**
 * play never turns host key checking off, and nor may the inventory, -e or ansible.cfg behind its
 * back: extra ssh arguments that make ssh accept any host key (UserKnownHostsFile=/dev/null,
 * StrictHostKeyChecking=no, ... see connection/host-key-options.ts) are refused before any host
 * is contacted, exit 2, naming file, line and key, never the value. --allow-insecure-ssh-args lets
 * them through, with a warning on every run that names where they are set.
 */
import type { AnsibleConfig } from '../config/ansible-cfg.js';
import { ConfigError } from '../config/cfg-ini.js';
import { hostKeyWeakenings, type HostKeyWeakening } from '../connection/host-key-options.js';
import { formatLocation, InventoryError, type SourceLocation } from '../errors.js';
import { shlexSplit } from '../inventory/shlex-split.js';
import type { Plan } from '../runner/plan.js';

export const ALLOW_FLAG = '--allow-insecure-ssh-args';

const HOST_KEYS = ['ansible_ssh_common_args', 'ansible_ssh_extra_args'] as const;
const CFG_KEY = '[ssh_connection] ssh_args';

/** One setting that weakens host key checking, and the hosts it reaches. */
interface Finding {
  readonly where: SourceLocation;
  readonly key: string;
  readonly weakening: HostKeyWeakening;
  readonly hosts: string[];
  readonly fromConfig: boolean;
}

/** Refuses (throws) or, with the opt-out, returns one warning per weakening setting. */
export async function checkHostKeyArgs(plans: readonly Plan[], config: AnsibleConfig, allow: boolean): Promise<string[]> {
  const findings = [...(await configFindings(config, plans)), ...(await hostFindings(plans))];
  const first = findings[0];
  if (first && !allow) {
    const reason = `${describe(first.weakening)}: refused, play never lets host key checking be turned off unasked (${ALLOW_FLAG} allows it)`;
    if (first.fromConfig) throw new ConfigError(reason, first.where, first.key);
    throw new InventoryError(`host '${first.hosts[0]}': ${reason}`, first.where, first.key);
  }
  return findings.map((f) => `${formatLocation(f.where)}: ${f.key} ${describe(f.weakening)}, for ${hostList(f.hosts)} (allowed by ${ALLOW_FLAG})`);
}

const WEAKENINGS: Readonly<Record<string, string>> = {
  UserKnownHostsFile: 'points UserKnownHostsFile at a file that keeps no keys: ssh would take any host key as new, a forged or changed host goes unnoticed',
  GlobalKnownHostsFile: 'points GlobalKnownHostsFile at a file that keeps no keys: the host keys the system knows are ignored',
  KnownHostsCommand: 'sets KnownHostsCommand: a program, not known_hosts, tells ssh which host keys to trust',
  StrictHostKeyChecking: 'turns StrictHostKeyChecking off: ssh would accept a changed host key',
  NoHostAuthenticationForLocalhost: 'turns NoHostAuthenticationForLocalhost on: ssh would not check the key of a host at a loopback address',
};

function describe(w: HostKeyWeakening): string {
  const text = WEAKENINGS[w.option] ?? `sets ${w.option}`;
  return w.via ? `${text} (in ${w.via})` : text;
}

function hostList(hosts: readonly string[]): string {
  const shown = hosts.slice(0, 5).join(', ');
  return hosts.length > 5 ? `${shown} and ${hosts.length - 5} more` : shown;
}

/** The ssh hosts of every plan, each once, in plan order. */
function sshHosts(plans: readonly Plan[]): Array<{ plan: Plan; host: string }> {
  const seen = new Set<string>();
  const out: Array<{ plan: Plan; host: string }> = [];
  for (const plan of plans) {
    for (const host of plan.plays.flatMap((p) => p.hosts)) {
      if (seen.has(host) || plan.connectionSpec(host).kind !== 'ssh') continue;
      seen.add(host);
      out.push({ plan, host });
    }
  }
  return out;
}

async function configFindings(config: AnsibleConfig, plans: readonly Plan[]): Promise<Finding[]> {
  if (!config.sshArgs?.length) return [];
  const hosts = sshHosts(plans).map((h) => h.host);
  if (hosts.length === 0) return [];
  const line = config.lines.get('ssh_connection.ssh_args');
  const where = { file: config.file ?? 'ansible.cfg', ...(line !== undefined ? { line } : {}) };
  return (await hostKeyWeakenings(config.sshArgs)).map((weakening) => ({ where, key: CFG_KEY, weakening, hosts, fromConfig: true }));
}

/** Each distinct value (where it is set and what it renders to) is scanned once, whatever the number of hosts. */
async function hostFindings(plans: readonly Plan[]): Promise<Finding[]> {
  const byValue = new Map<string, Finding[]>();
  const findings: Finding[] = [];
  for (const { plan, host } of sshHosts(plans)) {
    const vars = plan.vars.host(host);
    for (const key of HOST_KEYS) {
      const value = vars.has(key) ? vars.raw(key) : undefined;
      if (typeof value !== 'string' || value === '') continue;
      const where = vars.origin(key) ?? { file: `host '${host}'` };
      const id = JSON.stringify([key, where, value]);
      let found = byValue.get(id);
      if (!found) {
        // Already split once by the connection spec: a value that cannot be split never gets here.
        found = (await hostKeyWeakenings(shlexSplit(value))).map((weakening) => ({ where, key, weakening, hosts: [], fromConfig: false }));
        byValue.set(id, found);
        findings.push(...found);
      }
      for (const f of found) f.hosts.push(host);
    }
  }
  return findings;
}
