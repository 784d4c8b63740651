import { UsageError } from '../errors.js';
import { readInputFileSync } from '../input-file.js';
import type { VarsLayer } from '../template/index.js';
import type { Vars, VarOrigins } from '../types.js';
import type { Vault } from '../vault/index.js';
import { isMapping } from '../values.js';
import { parseYaml } from '../yaml/load.js';

/** -e in ansible-playbook's three forms: k=v pairs, inline YAML/JSON, and @file (may be vault data). */
export function parseExtraVars(values: readonly string[], vault?: Vault): VarsLayer {
  const vars: Vars = {};
  const origins: VarOrigins = {};
  values.forEach((value, i) => {
    const where = `-e #${i + 1}`;
    let parsed: Vars;
    if (value.startsWith('@')) parsed = fromFile(value.slice(1), origins, vault);
    else if (/^\s*[{[]/.test(value)) parsed = fromInline(value, where, vault);
    else parsed = fromPairs(value, where);
    for (const key of Object.keys(parsed)) origins[key] ??= { file: where };
    Object.assign(vars, parsed);
  });
  return { vars, origins, where: { file: '-e' } };
}

function fromFile(file: string, origins: VarOrigins, vault?: Vault): Vars {
  if (!file) throw new UsageError('-e @FILE needs a file name', { file: '-e' });
  const doc = parseYaml(readText(file), file, { errorType: UsageError, vault });
  if (!isMapping(doc.data)) throw new UsageError('extra vars file must hold a mapping', { file, line: 1 });
  for (const key of Object.keys(doc.data)) origins[key] = doc.locate([key]);
  return doc.data;
}

function readText(file: string): string {
  return readInputFileSync(file, file, UsageError);
}

/** `{...}` or `[...]`: JSON, else YAML 1.1, as Ansible's loader reads it (`{a: yes}` is true). */
function fromInline(text: string, where: string, vault?: Vault): Vars {
  const data = parseYaml(text, where, { errorType: UsageError, vault }).data;
  if (!isMapping(data)) throw new UsageError('inline extra vars must be a mapping like {"key": "value"}', { file: where });
  return data;
}

/** `a=1 b="two words"`: values stay strings, as ansible-playbook keeps them. */
function fromPairs(text: string, where: string): Vars {
  const vars: Vars = {};
  for (const [i, word] of splitWords(text, where).entries()) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new UsageError(`word ${i + 1} is not key=value`, { file: where });
    const key = word.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`'${key}' is not a valid variable name`, { file: where }, key);
    vars[key] = word.slice(eq + 1);
  }
  return vars;
}

export function splitWords(text: string, where: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw new UsageError(`unterminated ${quote} quote`, { file: where });
  if (started) words.push(current);
  return words;
}
