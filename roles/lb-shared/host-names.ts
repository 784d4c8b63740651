/**
 * Inventory names that roles write into configs (/etc/hosts, keepalived.conf's router_id,
 * known_hosts) must be DNS names there: the engine already refuses names with spaces or newlines
 * (Ansible's rules), this also refuses '_' and non-ASCII letters, which resolvers and daemons
 * take differently. The error points at the host's inventory line and never quotes the name.
 */
import { VarsError } from '../../engine/errors.js';
import type { HostView } from '../../engine/types.js';
import { isDnsName } from './topology.js';

export function requireDnsHostNames(hosts: readonly HostView[], into: string): void {
  for (const host of hosts) {
    if (!isDnsName(host.name)) {
      throw new VarsError(
        `this host's inventory name is not a DNS name (letters, digits and -, in dot-separated labels of at most 63) and would be written to ${into}`,
        host.where ?? { file: 'inventory' },
        'inventory_hostname',
      );
    }
  }
}
