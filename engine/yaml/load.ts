/**
 * The one loader of YAML and JSON documents (inventories, group_vars/host_vars, playbooks, -e),
 * reading them the way Ansible's DataLoader does: JSON first (so a .json file means what JSON
 * says, e.g. 1e5 is a number), then YAML 1.1 (schema.ts: `yes` is true, `010` is 8); a duplicate
 * key keeps the last value (Ansible warns). The data comes as `unknown`, with the line of any
 * key path for error messages. Syntax errors are input errors with a 1-based line and column.
 * A file encrypted as a whole is opened first (its lines are then the plaintext's); `!vault`
 * values are opened after parsing. Without a vault, either one is an error naming file, line and key.
 */
import { load, YAMLException } from 'js-yaml';
import { InputError, type SourceLocation } from '../errors.js';
import { readInputFileSync, refuseOversized, type InputErrorClass } from '../input-file.js';
import { Vault } from '../vault/index.js';
import { indexYamlKeys, keyLine, type KeyNode, type KeyPath } from './key-lines.js';
import { YAML11_SCHEMA } from './schema.js';

export type { KeyPath } from './key-lines.js';

export interface YamlDocument {
  readonly file: string;
  readonly data: unknown;
  locate(path: KeyPath): SourceLocation;
}

export type { InputErrorClass } from '../input-file.js';

export interface YamlOptions {
  readonly errorType?: InputErrorClass;
  readonly vault?: Vault;
}

/** Aliases may add this many values to a document beyond twice its own; a YAML bomb adds billions. */
export const MAX_ALIAS_VALUES = 10_000;
/** As deep as js-yaml nests (its maxDepth): a JSON document may not go deeper either. */
export const MAX_DEPTH = 100;

export function parseYaml(text: string, file: string, options: YamlOptions = {}): YamlDocument {
  const ErrorType = options.errorType ?? InputError;
  refuseOversized(text, file, ErrorType);
  const vault = options.vault ?? new Vault();
  const plain = vault.openFile(text, file);
  let data: unknown;
  try {
    data = JSON.parse(plain) as unknown;
  } catch {
    data = parseYaml11(plain, file, ErrorType);
  }
  let index: KeyNode | undefined;
  const locate = (path: KeyPath): SourceLocation => {
    index ??= indexYamlKeys(plain);
    return { file, line: keyLine(index, path) };
  };
  refuseExpansion(data, locate, ErrorType);
  // Also for JSON: the values of a decrypted file are recorded as secrets.
  return { file, data: vault.reveal(data, file, locate), locate };
}

/**
 * js-yaml shares the value of an anchor among its aliases, so a 300-byte document of nested
 * aliases loads at once but expands to 9^9 values for whoever walks it (the redactor, the
 * vault, templates, `inventory --list`). Its size as walked is counted here with one visit per
 * shared value, and refused when aliases add more than MAX_ALIAS_VALUES beyond twice the
 * document's own values, naming the key that holds most of it; so is nesting beyond MAX_DEPTH.
 */
function refuseExpansion(data: unknown, locate: (path: KeyPath) => SourceLocation, ErrorType: InputErrorClass): void {
  const expanded = new Map<object, number>();
  let own = 0;
  const sizeOf = (value: unknown, path: KeyPath): number => {
    if (value === null || typeof value !== 'object') return 1;
    const known = expanded.get(value);
    if (known !== undefined) return known;
    if (path.length > MAX_DEPTH) throw new ErrorType(`nests deeper than ${MAX_DEPTH} levels: refused as input`, locate(path.slice(0, 1)), path[0]?.toString());
    const children = childrenOf(value);
    own += 1 + children.filter(([, v]) => v === null || typeof v !== 'object').length;
    const size = children.reduce((sum, [k, v]) => sum + sizeOf(v, [...path, k]), 1);
    expanded.set(value, size);
    return size;
  };
  const total = sizeOf(data, []);
  const limit = 2 * own + MAX_ALIAS_VALUES;
  if (total <= limit) return;
  // Down the biggest child while it holds most of its parent: the key the expansion hangs on.
  const path: Array<string | number> = [];
  for (let node = data; ; ) {
    const [best] = childrenOf(node).sort((a, b) => sizeOf(b[1], []) - sizeOf(a[1], []));
    if (!best || 2 * sizeOf(best[1], []) < sizeOf(node, [])) break;
    path.push(best[0]);
    node = best[1];
  }
  throw new ErrorType(`its aliases (*name) expand it to more than ${limit} values: refused as input (a YAML alias bomb?)`, locate(path), path.join('.') || undefined);
}

function childrenOf(value: unknown): Array<[string | number, unknown]> {
  if (Array.isArray(value)) return value.map((v, i) => [i, v]);
  return value !== null && typeof value === 'object' ? Object.entries(value) : [];
}

export function readYamlFile(file: string, options: YamlOptions = {}): YamlDocument {
  return parseYaml(readInputFileSync(file, file, options.errorType), file, options);
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
