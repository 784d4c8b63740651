import { inventoryGraph, inventoryList, loadInventory } from '../inventory/index.js';
import { UsageError } from '../errors.js';
import { maskSecretVars, Redactor } from '../secrets.js';
import type { Inventory } from '../types.js';

export interface InventoryArgs {
  readonly inventory: readonly string[];
  readonly list: boolean;
  readonly graph: boolean;
  readonly group?: string;
  readonly host?: string;
  /** Print secret values in clear (masked by default, like every other output). */
  readonly showSecrets?: boolean;
}

/**
 * The JSON with secrets masked twice over: the value of every secret-named key, whatever its
 * length, then any copy of such a value elsewhere (a URL that embeds a password).
 */
function maskedJson(value: unknown, inventory: Inventory): string {
  const redactor = new Redactor();
  for (const host of inventory.hosts.values()) redactor.addFromVars(host.vars);
  return redactor.redact(JSON.stringify(maskSecretVars(value), null, 4));
}

/** `play inventory`: the same JSON and graph as ansible-inventory, so users can diff the two. */
export async function runInventory(args: InventoryArgs, out: (l: string) => void): Promise<number> {
  if (args.inventory.length === 0) throw new UsageError('no inventory given: pass -i FILE|DIR', { file: '-i' });
  const modes = [args.list, args.graph, args.host !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('choose one of --list, --graph or --host HOST');
  const inventory = await loadInventory([...args.inventory]);
  const json = (value: unknown): string => (args.showSecrets ? JSON.stringify(value, null, 4) : maskedJson(value, inventory));
  if (args.list) out(json(inventoryList(inventory)));
  else if (args.graph) out(inventoryGraph(inventory, args.group));
  else {
    const host = inventory.hosts.get(args.host!);
    if (!host) throw new UsageError(`unknown host '${args.host}'`, { file: '--host' });
    out(json(host.vars));
  }
  return 0;
}
