/**
 * The INI dialect of ansible.cfg: Python's configparser as Ansible configures it
 * (ConfigParser(inline_comment_prefixes=(';',)), strict): `[section]`, `key = value` or
 * `key: value`, keys case-insensitive, whole-line comments with # or ;, inline comments only
 * with ; after whitespace (a # after a value is part of the value), indented lines continue the
 * value above, `[DEFAULT]` values show through every section; a repeated section or key, an
 * option outside any section or a line that is neither is an error. Errors name file and line,
 * never the text of the line.
 */
import { InputError } from '../errors.js';

export class ConfigError extends InputError {}

export interface CfgValue {
  readonly value: string;
  readonly line: number;
}

export type CfgSections = ReadonlyMap<string, ReadonlyMap<string, CfgValue>>;

const SECTION_RE = /^\[(.+)\]$/;
const OPTION_RE = /^(.*?)\s*([=:])\s*(.*)$/;

interface Current {
  readonly section: Map<string, { value: string; line: number }>;
  readonly key: string;
  readonly indent: number;
}

/** Where a `;` comment starts: at the start of the line or after whitespace. */
function withoutInlineComment(line: string): string {
  for (let i = line.indexOf(';'); i !== -1; i = line.indexOf(';', i + 1)) {
    if (i === 0 || /\s/.test(line[i - 1]!)) return line.slice(0, i);
  }
  return line;
}

export function parseCfgIni(text: string, file: string): CfgSections {
  const sections = new Map<string, Map<string, { value: string; line: number }>>();
  let section: Map<string, { value: string; line: number }> | undefined;
  let current: Current | undefined;
  text.split(/\r\n|\n|\r/).forEach((raw, index) => {
    const line = index + 1;
    const where = { file, line };
    const stripped = raw.trim();
    if (stripped.startsWith('#') || stripped.startsWith(';')) return;
    const value = withoutInlineComment(raw).trim();
    if (!value) {
      current = undefined;
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (current && indent > current.indent) {
      const entry = current.section.get(current.key)!;
      entry.value = `${entry.value}\n${value}`;
      return;
    }
    const header = SECTION_RE.exec(value);
    if (header) {
      const name = header[1]!;
      if (sections.has(name)) throw new ConfigError(`section [${name}] appears twice`, where);
      section = new Map();
      sections.set(name, section);
      current = undefined;
      return;
    }
    if (!section) throw new ConfigError('a setting before any [section] header', where);
    const option = OPTION_RE.exec(value);
    if (!option || !option[1]) throw new ConfigError('expected "key = value", a [section] header or a comment', where);
    const key = option[1].trimEnd().toLowerCase();
    if (section.has(key)) throw new ConfigError(`the key appears twice in its section`, where, key);
    section.set(key, { value: option[3] ?? '', line });
    current = { section, key, indent };
  });
  return sections;
}

/** A key of a section, or of [DEFAULT] (which configparser shows through every section). */
export function cfgValue(sections: CfgSections, section: string, key: string): CfgValue | undefined {
  return sections.get(section)?.get(key) ?? sections.get('DEFAULT')?.get(key);
}
