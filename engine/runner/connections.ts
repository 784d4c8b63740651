/**
 * How play reaches each host: its connection variables as the run renders them (templates
 * evaluated; -u, --private-key and -b over the inventory; -e over everything), computed once per
 * host. A bad value is an InventoryError naming file, line and key.
 */
import { connectionSpec } from '../inventory/connection-vars.js';
import type { RunVars } from '../template/index.js';
import type { ConnectionSpec } from '../types.js';

export function connectionSpecs(vars: RunVars): (host: string) => ConnectionSpec {
  const specs = new Map<string, ConnectionSpec>();
  return (host) => {
    let spec = specs.get(host);
    if (!spec) {
      spec = connectionSpec(vars.inventory.hosts.get(host)!, vars.host(host));
      specs.set(host, spec);
    }
    return spec;
  };
}
