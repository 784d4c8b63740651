/**
 * Python `re` patterns and replacement templates for the regex filters and tests: the syntax
 * the two languages write differently (named groups, \A \Z, (?i) at the start) is translated;
 * the rest is the same in JavaScript.
 */
import { TemplateFailure } from './py-values.js';

export interface RegexFlags {
  readonly ignorecase?: boolean;
  readonly multiline?: boolean;
  readonly global?: boolean;
}

export function pyRegex(pattern: string, flags: RegexFlags = {}): RegExp {
  let source = pattern;
  let extra = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    if (inline[1]!.includes('i')) extra += 'i';
    if (inline[1]!.includes('m')) extra += 'm';
    if (inline[1]!.includes('s')) extra += 's';
  }
  source = source
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])\\A/g, '$1(?<![\\s\\S])')
    .replace(/(^|[^\\])\\Z/g, '$1(?![\\s\\S])');
  let jsFlags = extra;
  if (flags.ignorecase && !jsFlags.includes('i')) jsFlags += 'i';
  if (flags.multiline && !jsFlags.includes('m')) jsFlags += 'm';
  if (flags.global) jsFlags += 'g';
  try {
    return new RegExp(source, jsFlags);
  } catch {
    throw new TemplateFailure('invalid regular expression');
  }
}

/** Python's re.sub template: \1, \g<1>, \g<name>, \\ and \n-style escapes. */
export function expandReplacement(template: string, match: RegExpExecArray | string[], groups?: Record<string, string | undefined>): string {
  return template.replace(/\\(g<([^>]+)>|\d{1,2}|[\\ntrfvab]|.)/g, (whole, body: string, ref: string | undefined) => {
    const group = (key: string): string => {
      if (/^\d+$/.test(key)) {
        const index = Number(key);
        if (index >= match.length) throw new TemplateFailure(`invalid group reference ${index}`);
        return match[index] ?? '';
      }
      if (!groups || !(key in groups)) throw new TemplateFailure('unknown group name');
      return groups[key] ?? '';
    };
    if (ref !== undefined) return group(ref);
    if (/^\d+$/.test(body)) return group(body);
    const escapes: Record<string, string> = { '\\': '\\', n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b' };
    return escapes[body] ?? whole;
  });
}

/** Python's re.sub(pattern, replacement, text) with the filter's flags. */
export function regexReplace(text: string, pattern: string, replacement: string, flags: RegexFlags): string {
  const re = pyRegex(pattern, { ...flags, global: true });
  return text.replace(re, (...args: unknown[]) => {
    const hasGroups = typeof args[args.length - 1] === 'object';
    const groups = hasGroups ? (args[args.length - 1] as Record<string, string | undefined>) : undefined;
    const captures = args.slice(0, hasGroups ? -3 : -2) as string[];
    return expandReplacement(replacement, captures, groups);
  });
}
