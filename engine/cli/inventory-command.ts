import { inventoryGraph, inventoryList, loadInventory } from '../inventory/index.js';
import { UsageError } from '../errors.js';
import type { Inventory, InventoryGroup, InventoryHost } from '../types.js';
import { hideVaultValues } from '../vault/hide.js';
import type { Vault } from '../vault/index.js';
import { hidingSecrets } from './hide-secrets.js';
import type { CliEnv } from './cli-env.js';
import { openVault, vaultSecrets, type VaultArgs } from './vault-options.js';
import { maskSecretVars, Redactor } from '../secrets.js';
import { registerSecret } from '../runner/known-secrets.js';

export interface InventoryArgs {
  readonly inventory: readonly string[];
  readonly list: boolean;
  readonly graph: boolean;
  readonly group?: string;
  readonly host?: string;
  readonly vault: VaultArgs;
  /** Print secret values in clear (masked by default, like every other output). */
  readonly showSecrets?: boolean;
}

/**
 * The JSON with secrets masked twice over: the value of every secret-named key, whatever its
 * length, then any copy of such a value elsewhere (a URL that embeds a password).
 */
function maskedJson(value: unknown, inventory: Inventory, vault: Vault): string {
  const redactor = new Redactor();
  for (const secret of vaultSecrets(vault)) registerSecret(redactor, secret);
  for (const host of inventory.hosts.values()) redactor.addFromVars(host.vars);
  return redactor.redact(JSON.stringify(maskSecretVars(value), null, 4));
}

/** `play inventory`: the same JSON and graph as ansible-inventory, so users can diff the two. */
export async function runInventory(args: InventoryArgs, out: (l: string) => void, env: CliEnv): Promise<number> {
  env.config.warnings.forEach((w) => process.stderr.write(`[WARNING]: ${w}\n`));
  const sources = args.inventory.length ? args.inventory : (env.config.inventory ?? []);
  if (sources.length === 0) throw new UsageError('no inventory given: pass -i FILE|DIR or set inventory in ansible.cfg', { file: '-i' });
  const modes = [args.list, args.graph, args.host !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('choose one of --list, --graph or --host HOST');
  const vault = await openVault(args.vault, env.config, env.input);
  const loaded = await hidingSecrets(() => vaultSecrets(vault), () => loadInventory([...sources], { vault }));
  const inventory = withVaultValuesHidden(loaded, vault);
  const json = (value: unknown): string => (args.showSecrets ? JSON.stringify(value, null, 4) : maskedJson(value, loaded, vault));
  if (args.list) out(json(inventoryList(inventory)));
  else if (args.graph) out(inventoryGraph(inventory, args.group));
  else {
    const host = inventory.hosts.get(args.host!);
    if (!host) throw new UsageError(`unknown host '${args.host}'`, { file: '--host' });
    out(json(host.vars));
  }
  return 0;
}

/** The inventory as printed: no value a vault opened is ever shown (vault/hide.ts). */
function withVaultValuesHidden(inventory: Inventory, vault: Vault): Inventory {
  const hosts = new Map<string, InventoryHost>(
    [...inventory.hosts].map(([name, host]) => [name, { ...host, vars: hideVaultValues(host.vars, vault, host.origins) }]),
  );
  const groups = new Map<string, InventoryGroup>([...inventory.groups].map(([name, group]) => [name, { ...group, vars: hideVaultValues(group.vars, vault) }]));
  return { ...inventory, hosts, groups };
}
