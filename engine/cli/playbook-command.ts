import { loadInventory } from '../inventory/index.js';
import { UsageError } from '../errors.js';
import { loadPlaybook } from '../playbook/load.js';
import { describeLocated, locatePlaybook } from '../playbook/locate.js';
import type { TagFilter } from '../playbook/tags.js';
import { JsonReporter } from '../report/json-reporter.js';
import { TerminalReporter } from '../report/terminal.js';
import { PlainReporter } from '../report/plain.js';
import type { Reporter, ReporterOptions } from '../report/reporter.js';
import { ensurePrivateDir } from '../connection/private-dir.js';
import { defaultSshSettings } from '../connection/ssh.js';
import { isCI } from '../ci.js';
import { execute } from '../runner/execute.js';
import { mergeReports, type RunReport } from '../runner/events.js';
import { buildPlan, type Plan } from '../runner/plan.js';
import { Redactor } from '../secrets.js';
import { RunVars, type VarsLayer } from '../template/index.js';
import type { Vars, VarOrigins } from '../types.js';
import type { AnsibleConfig } from '../config/ansible-cfg.js';
import { parseExtraVars } from './extra-vars.js';
import { hidingSecrets } from './hide-secrets.js';
import { checkHostKeyArgs } from './host-key-policy.js';
import { listPlan } from './listing.js';
import type { CliEnv } from './cli-env.js';
import { openVault, vaultSecrets, type VaultArgs } from './vault-options.js';

export interface PlaybookArgs {
  readonly playbooks: readonly string[];
  readonly inventory: readonly string[];
  readonly limit?: string;
  readonly tags: readonly string[];
  readonly skipTags: readonly string[];
  readonly check: boolean;
  readonly diff: boolean;
  readonly extraVars: readonly string[];
  /** Unset: ansible.cfg's forks, else 50. */
  readonly forks?: number;
  readonly verbose: number;
  readonly listHosts: boolean;
  readonly listTasks: boolean;
  readonly listTags: boolean;
  readonly syntaxCheck: boolean;
  readonly json: boolean;
  readonly user?: string;
  readonly privateKey?: string;
  /** Unset: ansible.cfg's become, else false. */
  readonly become?: boolean;
  /** -K; unset: ansible.cfg's become_ask_pass. */
  readonly askBecomePass?: boolean;
  readonly strictHostKeys: boolean;
  /** Lets extra ssh arguments turn host key checking off (warned on every run). */
  readonly allowInsecureSshArgs?: boolean;
  /** Unset: ansible.cfg's timeout, else 10. */
  readonly timeout?: number;
  readonly vault: VaultArgs;
}

export function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * Everything is loaded and validated first: bad input exits 2 before any host is contacted.
 * Passwords are asked before anything is read, in ansible-playbook's order: -K, then vault.
 */
export async function runPlaybooks(args: PlaybookArgs, out: (l: string) => void, err: (l: string) => void, env: CliEnv): Promise<number> {
  const { config } = env;
  config.warnings.forEach((w) => err(`[WARNING]: ${w}`));
  const sources = args.inventory.length ? args.inventory : (config.inventory ?? []);
  if (sources.length === 0) throw new UsageError('no inventory given: pass -i FILE|DIR (e.g. -i inventories/lab) or set inventory in ansible.cfg', { file: '-i' });
  if (args.playbooks.length === 0) throw new UsageError('no playbook given (e.g. play site.yml -i inventories/lab)');
  const becomePassword = (args.askBecomePass ?? config.becomeAskPass) ? await env.input.ask('BECOME password: ') : undefined;
  const vault = await openVault(args.vault, config, env.input);
  const secrets = (): string[] => [...vaultSecrets(vault), ...(becomePassword !== undefined ? [becomePassword] : [])];
  return hidingSecrets(secrets, async () => {
    const inventory = await loadInventory([...sources], { vault });
    const tags: TagFilter = { only: args.tags.length ? splitList(args.tags) : ['all'], skip: splitList(args.skipTags) };
    const extraVars = parseExtraVars(args.extraVars, vault);
    // Every file is read before any plan: each plan's redactor then knows every vault value.
    const playbooks = args.playbooks.map((given) => {
      const found = locatePlaybook(given);
      if (args.verbose >= 1) (args.json ? err : out)(describeLocated(given, found));
      return { file: found.path, playbook: loadPlaybook(found.path, vault) };
    });
    const redactor = new Redactor();
    const vars = new RunVars(inventory, {
      extraVars,
      connectionFlags: connectionFlags(args),
      connectionDefaults: connectionDefaults(config, becomePassword),
      secrets: redactor,
    });
    const plans: Array<{ file: string; plan: Plan }> = [];
    for (const { file, playbook } of playbooks) {
      plans.push({ file, plan: await buildPlan(inventory, playbook, { limit: args.limit, tags, extraVars, vars, redactor, secrets: secrets() }) });
    }
    const insecure = await checkHostKeyArgs(plans.map((p) => p.plan), config, args.allowInsecureSshArgs ?? false);
    insecure.forEach((w) => err(`[WARNING]: ${w}`));
    return runPlans(plans, args, out, err, config);
  });
}

async function runPlans(plans: ReadonlyArray<{ file: string; plan: Plan }>, args: PlaybookArgs, out: (l: string) => void, err: (l: string) => void, config: AnsibleConfig): Promise<number> {
  const dryRun = args.syntaxCheck || args.listHosts || args.listTasks || args.listTags;
  if (dryRun) plans.forEach(({ plan }) => plan.warnings.forEach((w) => err(`[WARNING]: ${plan.redactor.redact(w)}`)));
  if (args.syntaxCheck) {
    plans.forEach(({ file }) => out(`\nplaybook: ${file}`));
    return 0;
  }
  if (args.listHosts || args.listTasks || args.listTags) {
    plans.forEach(({ file, plan }) => listPlan(plan, file, { hosts: args.listHosts, tasks: args.listTasks, tags: args.listTags }).forEach(out));
    return 0;
  }
  if (config.hostKeyChecking === false) err(`[WARNING]: ${hostKeyCheckingNote(config)}`);
  const ssh = {
    ...defaultSshSettings(),
    hostKeyChecking: args.strictHostKeys ? ('yes' as const) : ('accept-new' as const),
    connectTimeoutSec: args.timeout ?? config.timeout ?? 10,
    extraArgs: config.sshArgs ?? [],
  };
  const forks = args.forks ?? config.forks ?? 50;
  // Refused here, before any host is contacted, rather than by the first connection.
  if (plans.some(({ plan }) => plan.plays.some((p) => p.hosts.some((h) => plan.connectionSpec(h).kind === 'ssh')))) ensurePrivateDir(ssh.controlDir);
  let exitCode = 0;
  // --json prints one document for the whole run, whatever the number of playbooks.
  const reports: RunReport[] = [];
  for (const { plan } of plans) {
    const reporter = makeReporter(args, out, err);
    const report = await execute(plan, { check: args.check, forks, ssh, connectionSpec: plan.connectionSpec }, reporter);
    if (args.json) reports.push(report);
    else reporter.finish(report);
    exitCode = Math.max(exitCode, report.exitCode);
    if (report.exitCode !== 0) break;
  }
  if (args.json) makeReporter(args, out, err).finish(mergeReports(reports));
  return exitCode;
}

function hostKeyCheckingNote(config: AnsibleConfig): string {
  const line = config.lines.get('defaults.host_key_checking');
  return `${config.file ?? 'ansible.cfg'}${line ? `:${line}` : ''}: host_key_checking = False is not honoured: play never disables host key checking (unknown hosts are trusted on first contact, a changed key is refused)`;
}

/**
 * -u, --private-key and -b as the connection variables they stand for, in a layer above the
 * inventory and below -e: play's rule is that a flag beats the inventory (Ansible puts
 * ansible_user above -u), and -e beats both, as in Ansible. Roles read the same values.
 */
export function connectionFlags(args: Pick<PlaybookArgs, 'user' | 'privateKey' | 'become'>): VarsLayer {
  const vars: Vars = {};
  const origins: VarOrigins = {};
  const set = (key: string, value: unknown, flag: string): void => {
    vars[key] = value;
    origins[key] = { file: flag };
  };
  if (args.user) set('ansible_user', args.user, '-u');
  if (args.privateKey) set('ansible_ssh_private_key_file', args.privateKey, '--private-key');
  if (args.become) set('ansible_become', true, '-b');
  return { vars, origins };
}

/**
 * ansible.cfg's connection settings and the -K password as the connection variables they stand
 * for, in a layer below the inventory: a host's ansible_user beats remote_user, and its
 * ansible_become_password beats -K, as in Ansible. Their values are taken as typed (asIs):
 * Ansible renders neither the -K answer nor its config, and a password may hold `{{`.
 */
export function connectionDefaults(config: AnsibleConfig, becomePassword?: string): VarsLayer {
  const vars: Vars = {};
  const origins: VarOrigins = {};
  const where = (key: string): { file: string; line?: number } => ({ file: config.file ?? 'ansible.cfg', ...(config.lines.get(key) ? { line: config.lines.get(key) } : {}) });
  const set = (name: string, value: unknown, key: string): void => {
    if (value === undefined) return;
    vars[name] = value;
    origins[name] = key === '-K' ? { file: '-K' } : where(key);
  };
  set('ansible_user', config.remoteUser, 'defaults.remote_user');
  set('ansible_ssh_private_key_file', config.privateKeyFile, 'defaults.private_key_file');
  set('ansible_become', config.become, 'privilege_escalation.become');
  set('ansible_become_user', config.becomeUser, 'privilege_escalation.become_user');
  set('ansible_become_password', becomePassword, '-K');
  return { vars, origins, asIs: true };
}

function makeReporter(args: PlaybookArgs, out: (l: string) => void, err: (l: string) => void): Reporter {
  const interactive = Boolean(process.stdout.isTTY) && !isCI();
  const options: ReporterOptions = { verbosity: args.verbose, diff: args.diff, out, err, color: interactive && !process.env.NO_COLOR };
  if (args.json) return new JsonReporter(out, err);
  if (interactive && args.verbose === 0) return new TerminalReporter(options);
  return new PlainReporter(options);
}
