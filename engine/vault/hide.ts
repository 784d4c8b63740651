/**
 * Variables as `play inventory` prints them, with nothing a vault opened: an inline `!vault`
 * value is shown as ansible-inventory shows it (`{"__ansible_vault": "<envelope>"}`); a value
 * from a whole encrypted file is masked (ansible-inventory would print it: play does not); any
 * other text that holds a vault plaintext has it masked.
 */
import type { SourceLocation } from '../errors.js';
import { MASK, Redactor } from '../secrets.js';
import type { Vault } from './vault.js';

export function hideVaultValues(
  vars: Readonly<Record<string, unknown>>,
  vault: Vault,
  origins: Readonly<Record<string, SourceLocation>> = {},
): Record<string, unknown> {
  if (vault.plaintexts.size === 0) return { ...vars };
  const redactor = new Redactor();
  for (const text of vault.plaintexts) redactor.add(text);
  const hide = (value: unknown, whole: boolean): unknown => {
    if (typeof value === 'string') {
      const envelope = vault.envelopeOf(value);
      if (envelope !== undefined && !whole) return { __ansible_vault: envelope };
      return whole || vault.plaintexts.has(value) ? MASK : redactor.redact(value);
    }
    if (typeof value === 'number') return whole || vault.plaintexts.has(String(value)) ? MASK : value;
    if (Array.isArray(value)) return value.map((v) => hide(v, whole));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hide(v, whole)]));
    }
    return value;
  };
  return Object.fromEntries(
    Object.entries(vars).map(([key, value]) => {
      const from = origins[key]?.file;
      return [key, hide(value, from !== undefined && vault.wasEncrypted(from))];
    }),
  );
}
