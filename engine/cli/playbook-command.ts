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
import { isCI } from '../ci.js';
import { execute } from '../runner/execute.js';
import { buildPlan, type Plan } from '../runner/plan.js';
import type { ConnectionSpec } from '../types.js';
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
  const plans: Array<{ file: string; plan: Plan }> = [];
  for (const given of args.playbooks) {
    const file = resolvePlaybookPath(given);
    plans.push({ file, plan: await buildPlan(inventory, loadPlaybook(file), { limit: args.limit, tags, extraVars }) });
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
  const specOf = (host: string): ConnectionSpec => withOverrides(connectionSpec(inventory.hosts.get(host)!), args);
  const ssh = { ...defaultSshSettings(), hostKeyChecking: args.strictHostKeys ? ('yes' as const) : ('accept-new' as const), connectTimeoutSec: args.timeout };
  let exitCode = 0;
  for (const { plan } of plans) {
    const reporter = makeReporter(args, out, err);
    const report = await execute(plan, { check: args.check, forks: args.forks, ssh, connectionSpec: specOf }, reporter);
    reporter.finish(report);
    exitCode = Math.max(exitCode, report.exitCode);
    if (report.exitCode !== 0) break;
  }
  return exitCode;
}

function withOverrides(spec: ConnectionSpec, args: PlaybookArgs): ConnectionSpec {
  return {
    ...spec,
    ...(args.user ? { user: args.user } : {}),
    ...(args.privateKey ? { privateKeyFile: args.privateKey } : {}),
    ...(args.become ? { become: true } : {}),
  };
}

function makeReporter(args: PlaybookArgs, out: (l: string) => void, err: (l: string) => void): Reporter {
  const interactive = Boolean(process.stdout.isTTY) && !isCI();
  const options: ReporterOptions = { verbosity: args.verbose, diff: args.diff, out, err, color: interactive && !process.env.NO_COLOR };
  if (args.json) return new JsonReporter(out, err);
  if (interactive && args.verbose === 0) return new ListrReporter(options);
  return new PlainReporter(options);
}
