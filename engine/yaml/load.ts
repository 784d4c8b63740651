/**
 * Loads a YAML or JSON document the way Ansible's DataLoader does: JSON first (so a .json file
 * means what JSON says, e.g. 1e5 is a number), then YAML 1.1; a duplicate key keeps the last
 * value (Ansible warns). Syntax errors become InventoryErrors with a 1-based line and column.
 * Inline `!vault` values are opened by the vault (without one, they are an error naming the key).
 */
import { load, YAMLException } from 'js-yaml';
import { InventoryError } from '../errors.js';
import { Vault } from '../vault/index.js';
import { indexYamlKeys, keyLine, type KeyNode } from './key-lines.js';
import { YAML11_SCHEMA } from './schema.js';

export function loadYamlText(text: string, file: string, vault: Vault = new Vault()): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch {
    data = parseYaml11(text, file);
  }
  let index: KeyNode | undefined;
  const locate = (path: ReadonlyArray<string | number>): { file: string; line: number } => {
    index ??= indexYamlKeys(text);
    return { file, line: keyLine(index, path.map(String)) };
  };
  // Also for JSON: the values of a decrypted file are recorded as secrets.
  return vault.reveal(data, file, locate);
}

function parseYaml11(text: string, file: string): unknown {
  try {
    return load(text, { schema: YAML11_SCHEMA, json: true, filename: file });
  } catch (err) {
    if (err instanceof YAMLException) {
      // js-yaml marks are 0-based.
      const where = err.mark ? { file, line: err.mark.line + 1, column: err.mark.column + 1 } : { file };
      throw new InventoryError(`YAML syntax error: ${err.reason}`, where, undefined, { cause: err });
    }
    throw err;
  }
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's truthiness, which Ansible uses to skip empty vars files (`if new_data:`). */
export function isPythonFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isMapping(value)) return Object.keys(value).length === 0;
  return false;
}
