import { loadInventory } from '../inventory/index.js';
import { UsageError } from '../errors.js';
import { MASK, Redactor } from '../secrets.js';
import { RunVars, toPlain, type VarScope } from '../template/index.js';
import { registerSecret } from '../runner/known-secrets.js';
import type { CliEnv } from './cli-env.js';
import { parseExtraVars } from './extra-vars.js';
import { hidingSecrets } from './hide-secrets.js';
import { openVault, vaultSecrets, type VaultArgs } from './vault-options.js';

export interface VarsArgs {
  readonly inventory: readonly string[];
  readonly host: string;
  readonly names: readonly string[];
  readonly extraVars: readonly string[];
  readonly showSecrets: boolean;
  readonly vault: VaultArgs;
}

/**
 * `play vars`: a host's variables after templating, as `ansible HOST -m debug -a var=NAME`
 * shows them (inventory, group_vars/host_vars and -e; magic variables by name), as JSON.
 * Secret values are masked unless --show-secrets is given.
 */
export async function runVars(args: VarsArgs, out: (l: string) => void, env: CliEnv): Promise<number> {
  env.config.warnings.forEach((w) => process.stderr.write(`[WARNING]: ${w}\n`));
  const sources = args.inventory.length ? args.inventory : (env.config.inventory ?? []);
  if (sources.length === 0) throw new UsageError('no inventory given: pass -i FILE|DIR or set inventory in ansible.cfg', { file: '-i' });
  const vault = await openVault(args.vault, env.config, env.input);
  return hidingSecrets(() => vaultSecrets(vault), () => showVars(args, out, sources, vault));
}

async function showVars(args: VarsArgs, out: (l: string) => void, sources: readonly string[], vault: Awaited<ReturnType<typeof openVault>>): Promise<number> {
  const inventory = await loadInventory([...sources], { vault });
  if (!inventory.hosts.has(args.host)) throw new UsageError(`unknown host '${args.host}'`, { file: 'HOST' });
  const redactor = new Redactor();
  // Before anything renders: a value computed from a vault value is secret too.
  for (const secret of vaultSecrets(vault)) registerSecret(redactor, secret);
  const extraVars = parseExtraVars(args.extraVars, vault);
  redactor.addFromVars(extraVars.vars);
  inventory.hosts.forEach((h) => redactor.addFromVars(h.vars));
  const scope = new RunVars(inventory, { extraVars, secrets: redactor }).host(args.host);
  const names = args.names.length ? args.names : scope.keys().filter((k) => scope.origin(k) !== undefined).sort();
  const result: Record<string, unknown> = {};
  for (const name of names) {
    if (!scope.has(name)) throw new UsageError(`variable '${name}' is not defined for host '${args.host}'`, { file: 'VAR' }, name);
    result[name] = shown(scope, name, args.showSecrets);
  }
  const text = JSON.stringify(result, null, 4);
  out(args.showSecrets ? text : redactor.redact(text));
  return 0;
}

function shown(scope: VarScope, name: string, showSecrets: boolean): unknown {
  const value = toPlain(scope.raw(name));
  return !showSecrets && scope.isSecret(name) ? MASK : value;
}
