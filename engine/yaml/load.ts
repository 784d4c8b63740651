/**
 * The one loader of YAML and JSON documents (inventories, group_vars/host_vars, playbooks, -e),
 * reading them the way Ansible's DataLoader does: JSON first (so a .json file means what JSON
 * says, e.g. 1e5 is a number), then YAML 1.1 (schema.ts: `yes` is true, `010` is 8); a duplicate
 * key keeps the last value (Ansible warns). The data comes as `unknown`, with the line of any
 * key path for error messages. Syntax errors are input errors with a 1-based line and column.
 * A file encrypted as a whole is opened first (its lines are then the plaintext's); `!vault`
 * values are opened after parsing. Without a vault, either one is an error naming file, line and key.
 */
import { readFileSync } from 'node:fs';
import { load, YAMLException } from 'js-yaml';
import { InputError, type SourceLocation } from '../errors.js';
import { Vault } from '../vault/index.js';
import { indexYamlKeys, keyLine, type KeyNode, type KeyPath } from './key-lines.js';
import { YAML11_SCHEMA } from './schema.js';

export type { KeyPath } from './key-lines.js';

export interface YamlDocument {
  readonly file: string;
  readonly data: unknown;
  locate(path: KeyPath): SourceLocation;
}

/** The InputError subclass a loader's errors should have (InventoryError, PlaybookError...). */
export type InputErrorClass = new (reason: string, where?: SourceLocation, key?: string, options?: { cause?: unknown }) => InputError;

export interface YamlOptions {
  readonly errorType?: InputErrorClass;
  readonly vault?: Vault;
}

export function parseYaml(text: string, file: string, options: YamlOptions = {}): YamlDocument {
  const vault = options.vault ?? new Vault();
  const plain = vault.openFile(text, file);
  let data: unknown;
  try {
    data = JSON.parse(plain) as unknown;
  } catch {
    data = parseYaml11(plain, file, options.errorType ?? InputError);
  }
  let index: KeyNode | undefined;
  const locate = (path: KeyPath): SourceLocation => {
    index ??= indexYamlKeys(plain);
    return { file, line: keyLine(index, path) };
  };
  // Also for JSON: the values of a decrypted file are recorded as secrets.
  return { file, data: vault.reveal(data, file, locate), locate };
}

export function readYamlFile(file: string, options: YamlOptions = {}): YamlDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const ErrorType = options.errorType ?? InputError;
    throw new ErrorType(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file });
  }
  return parseYaml(text, file, options);
}

function parseYaml11(text: string, file: string, ErrorType: InputErrorClass): unknown {
  try {
    return load(text, { schema: YAML11_SCHEMA, json: true, filename: file });
  } catch (err) {
    if (err instanceof YAMLException) {
      // js-yaml marks are 0-based; its message quotes the text around the error, its reason does not.
      const where = err.mark ? { file, line: err.mark.line + 1, column: err.mark.column + 1 } : { file };
      throw new ErrorType(`YAML syntax error: ${withoutText(err.reason)}`, where, undefined, { cause: err });
    }
    throw err;
  }
}

/**
 * A few of js-yaml's reasons quote a word of the document (an alias, a tag: `*word`, `!word` in a
 * value that was meant as text): the word goes, the reason stays.
 */
function withoutText(reason: string): string {
  return reason.replace(/"[^"]*"/g, '"…"').replace(/!<[^>]*>/g, '!<…>').replace(/(malformed|such characters): .*$/, '$1');
}
