import { loadInventory } from '../inventory/index.js';
import { UsageError } from '../errors.js';
import { loadPlaybook } from '../playbook/load.js';
import { describeLocated, locatePlaybook } from '../playbook/locate.js';
import type { TagFilter } from '../playbook/tags.js';
import { JsonReporter } from '../report/json-reporter.js';
import { ListrReporter } from '../report/listr.js';
import { PlainReporter } from '../report/plain.js';
import type { Reporter, ReporterOptions } from '../report/reporter.js';
import { defaultSshSettings } from '../connection/ssh.js';
import { isCI } from '../ci.js';
import { execute } from '../runner/execute.js';
import { buildPlan, type Plan } from '../runner/plan.js';
import { Redactor } from '../secrets.js';
import { RunVars, type VarsLayer } from '../template/index.js';
import type { Vars, VarOrigins } from '../types.js';
import { parseExtraVars } from './extra-vars.js';
import { listPlan } from './listing.js';

export interface PlaybookArgs {
  readonly playbooks: readonly string[];
  readonly inventory: readonly string[];
  readonly limit?: string;
  readonly tags: readonly string[];
  readonly skipTags: readonly string[];
  readonly check: boolean;
  readonly diff: boolean;
  readonly extraVars: readonly string[];
  readonly forks: number;
  readonly verbose: number;
  readonly listHosts: boolean;
  readonly listTasks: boolean;
  readonly listTags: boolean;
  readonly syntaxCheck: boolean;
  readonly json: boolean;
  readonly user?: string;
  readonly privateKey?: string;
  readonly become: boolean;
  readonly strictHostKeys: boolean;
  readonly timeout: number;
}

export function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** Everything is loaded and validated first: bad input exits 2 before any host is contacted. */
export async function runPlaybooks(args: PlaybookArgs, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  if (args.inventory.length === 0) throw new UsageError('no inventory given: pass -i FILE|DIR (e.g. -i inventories/lab)', { file: '-i' });
  if (args.playbooks.length === 0) throw new UsageError('no playbook given (e.g. play site.yml -i inventories/lab)');
  const inventory = await loadInventory([...args.inventory]);
  const tags: TagFilter = { only: args.tags.length ? splitList(args.tags) : ['all'], skip: splitList(args.skipTags) };
  const extraVars = parseExtraVars(args.extraVars);
  const redactor = new Redactor();
  const vars = new RunVars(inventory, { extraVars, connectionFlags: connectionFlags(args), secrets: redactor });
  const plans: Array<{ file: string; plan: Plan }> = [];
  for (const given of args.playbooks) {
    const found = locatePlaybook(given);
    if (args.verbose >= 1) (args.json ? err : out)(describeLocated(given, found));
    const file = found.path;
    plans.push({ file, plan: await buildPlan(inventory, loadPlaybook(file), { limit: args.limit, tags, extraVars, vars, redactor }) });
  }
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
  const ssh = { ...defaultSshSettings(), hostKeyChecking: args.strictHostKeys ? ('yes' as const) : ('accept-new' as const), connectTimeoutSec: args.timeout };
  let exitCode = 0;
  for (const { plan } of plans) {
    const reporter = makeReporter(args, out, err);
    const report = await execute(plan, { check: args.check, forks: args.forks, ssh, connectionSpec: plan.connectionSpec }, reporter);
    reporter.finish(report);
    exitCode = Math.max(exitCode, report.exitCode);
    if (report.exitCode !== 0) break;
  }
  return exitCode;
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

function makeReporter(args: PlaybookArgs, out: (l: string) => void, err: (l: string) => void): Reporter {
  const interactive = Boolean(process.stdout.isTTY) && !isCI();
  const options: ReporterOptions = { verbosity: args.verbose, diff: args.diff, out, err, color: interactive && !process.env.NO_COLOR };
  if (args.json) return new JsonReporter(out, err);
  if (interactive && args.verbose === 0) return new ListrReporter(options);
  return new PlainReporter(options);
}
