import { loadInventory } from '../inventory/index.js';
import { connectionSpec } from '../inventory/connection-vars.js';
import { UsageError } from '../errors.js';
import { loadPlaybook, resolvePlaybookPath } from '../playbook/load.js';
import type { TagFilter } from '../playbook/tags.js';
import { JsonReporter } from '../report/json-reporter.js';
import { ListrReporter } from '../report/listr.js';
import { PlainReporter } from '../report/plain.js';
import type { Reporter, ReporterOptions } from '../report/reporter.js';
import { defaultSshSettings } from '../connection/ssh.js';
import { execute } from '../runner/execute.js';
import { buildPlan, type Plan } from '../runner/plan.js';
import type { ConnectionSpec } from '../types.js';
import type { AnsibleConfig } from '../config/ansible-cfg.js';
import { parseExtraVars } from './extra-vars.js';
import { hidingSecrets } from './hide-secrets.js';
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
      const file = resolvePlaybookPath(given);
      return { file, playbook: loadPlaybook(file, vault) };
    });
    const plans: Array<{ file: string; plan: Plan }> = [];
    for (const { file, playbook } of playbooks) {
      plans.push({ file, plan: await buildPlan(inventory, playbook, { limit: args.limit, tags, extraVars, secrets: secrets() }) });
    }
    return runPlans(plans, args, out, err, { config, becomePassword, specOf: (host) => connectionSpec(inventory.hosts.get(host)!) });
  });
}

interface RunContext {
  readonly config: AnsibleConfig;
  readonly becomePassword?: string;
  readonly specOf: (host: string) => ConnectionSpec;
}

async function runPlans(plans: ReadonlyArray<{ file: string; plan: Plan }>, args: PlaybookArgs, out: (l: string) => void, err: (l: string) => void, run: RunContext): Promise<number> {
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
  const { config } = run;
  if (config.hostKeyChecking === false) err(`[WARNING]: ${hostKeyCheckingNote(config)}`);
  const specOf = (host: string): ConnectionSpec => withOverrides(run.specOf(host), args, config, run.becomePassword);
  const ssh = {
    ...defaultSshSettings(),
    hostKeyChecking: args.strictHostKeys ? ('yes' as const) : ('accept-new' as const),
    connectTimeoutSec: args.timeout ?? config.timeout ?? 10,
    extraArgs: config.sshArgs ?? [],
  };
  const forks = args.forks ?? config.forks ?? 50;
  let exitCode = 0;
  for (const { plan } of plans) {
    const reporter = makeReporter(args, out, err);
    const report = await execute(plan, { check: args.check, forks, ssh, connectionSpec: specOf }, reporter);
    reporter.finish(report);
    exitCode = Math.max(exitCode, report.exitCode);
    if (report.exitCode !== 0) break;
  }
  return exitCode;
}

function hostKeyCheckingNote(config: AnsibleConfig): string {
  const line = config.lines.get('defaults.host_key_checking');
  return `${config.file ?? 'ansible.cfg'}${line ? `:${line}` : ''}: host_key_checking = False is not honoured: play never disables host key checking (unknown hosts are trusted on first contact, a changed key is refused)`;
}

/**
 * The command line beats the host's variables (play's rule for -u, -b and --private-key); the
 * host's variables beat ansible.cfg (remote_user is below ansible_user, as in Ansible). A sudo
 * password set for the host (ansible_become_password) beats -K, as in Ansible.
 */
function withOverrides(spec: ConnectionSpec, args: PlaybookArgs, config: AnsibleConfig, becomePassword?: string): ConnectionSpec {
  const user = args.user ?? spec.user ?? config.remoteUser;
  const privateKeyFile = args.privateKey ?? spec.privateKeyFile ?? config.privateKeyFile;
  const becomeUser = spec.becomeUser ?? config.becomeUser;
  const password = spec.becomePassword ?? becomePassword;
  return {
    ...spec,
    ...(user !== undefined ? { user } : {}),
    ...(privateKeyFile !== undefined ? { privateKeyFile } : {}),
    ...((args.become ?? config.become) ? { become: true } : {}),
    ...(becomeUser !== undefined ? { becomeUser } : {}),
    ...(password !== undefined ? { becomePassword: password } : {}),
  };
}

function makeReporter(args: PlaybookArgs, out: (l: string) => void, err: (l: string) => void): Reporter {
  const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;
  const options: ReporterOptions = { verbosity: args.verbose, diff: args.diff, out, err, color: interactive && !process.env.NO_COLOR };
  if (args.json) return new JsonReporter(out, err);
  if (interactive && args.verbose === 0) return new ListrReporter(options);
  return new PlainReporter(options);
}
