/**
 * A host entry of an inventory (`web[01:03]:2222`, `10.0.0.5`, `[fe80::1]:22`) to host names
 * and a port, with range errors reported at the entry's file and line. The entry is never
 * quoted: an INI line's first word may be anything (a misplaced `password=...`).
 */
import { InventoryError, type SourceLocation } from '../errors.js';
import { parseAddress } from './host-address.js';
import { expandHostRange, hasHostRange, HostRangeError } from './host-range.js';

/** INI adds two checks to the YAML plugin's: no trailing ':' without a port, no '---' host. */
export function expandHostPattern(
  pattern: string,
  where: SourceLocation,
  iniChecks: boolean,
  /** The entry's key path, where it is a key (YAML); an INI line has none. */
  key?: string,
): { names: string[]; port: number | undefined } {
  const address = parseAddress(pattern, true);
  const base = address?.host ?? pattern;
  const port = address?.port;
  if (iniChecks && pattern.trim().endsWith(':') && port === undefined) {
    throw new InventoryError("invalid host: a trailing ':' must be followed by a port", where);
  }
  let names: string[];
  try {
    names = hasHostRange(base) ? expandHostRange(base) : [base];
  } catch (err) {
    if (!(err instanceof HostRangeError)) throw err;
    throw new InventoryError(err.message, where, key, { cause: err });
  }
  if (iniChecks && names.some((n) => n.trim() === '---')) {
    throw new InventoryError("invalid host: '---' suggests this file is YAML", where);
  }
  return { names, port };
}
