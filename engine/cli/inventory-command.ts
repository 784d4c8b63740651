import { inventoryGraph, inventoryList, loadInventory } from '../inventory/index.js';
import { UsageError } from '../errors.js';

export interface InventoryArgs {
  readonly inventory: readonly string[];
  readonly list: boolean;
  readonly graph: boolean;
  readonly group?: string;
  readonly host?: string;
}

/** `play inventory`: the same JSON and graph as ansible-inventory, so users can diff the two. */
export async function runInventory(args: InventoryArgs, out: (l: string) => void): Promise<number> {
  if (args.inventory.length === 0) throw new UsageError('no inventory given: pass -i FILE|DIR', { file: '-i' });
  const modes = [args.list, args.graph, args.host !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('choose one of --list, --graph or --host HOST');
  const inventory = await loadInventory([...args.inventory]);
  if (args.list) out(JSON.stringify(inventoryList(inventory), null, 4));
  else if (args.graph) out(inventoryGraph(inventory, args.group));
  else {
    const host = inventory.hosts.get(args.host!);
    if (!host) throw new UsageError(`unknown host '${args.host}'`, { file: '--host' });
    out(JSON.stringify(host.vars, null, 4));
  }
  return 0;
}
