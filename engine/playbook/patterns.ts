/**
 * Ansible host patterns (inventory/manager.py): `all`/`*`, a group, a host, unions `a:b` and
 * `a,b`, intersections `a:&b`, exclusions `a:!b`, globs (`web*`, `db?`, `[ab]*`), regexes
 * (`~web\d+`, matched from the start like Python's re.match) and slices of a group's hosts
 * (`web[0]`, `web[-1]`, `web[1:3]` inclusive, `web[2:]`).
 *
 * The order is Ansible's: plain patterns first, then intersections, then exclusions, whatever
 * their order in the text; hosts come in the order their groups list them (a group's own hosts,
 * then its children's, level by level). Where Ansible only warns about a name that matches no
 * group and no host, we throw an InputError: such a name is a typo. An empty result is fine.
 */
import { InputError, type SourceLocation } from '../errors.js';
import { parseAddress } from '../inventory/host-address.js';

/** What patterns are matched against. */
export interface PatternTarget {
  /** Host names in the order they entered the inventory (Ansible's inventory.hosts). */
  readonly hostNames: readonly string[];
  /** Group names in the order they were created, `all` and `ungrouped` first. */
  readonly groupNames: readonly string[];
  /** A group's hosts, its children's included, in Ansible's order. */
  groupHosts(group: string): string[];
}

const SUBSCRIPT_RE = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s;
const SPLIT_RE = /(?:[^\s:[\]]|\[[^\]]*\])+/g;

/**
 * Ansible's split_host_pattern: commas split first; without a comma, a text that parses as one
 * address (`web[1:3]`, `fe80::1`, `host:22`) stays whole, else ':' separates patterns.
 */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern, true)) parts = [pattern];
  else parts = pattern.match(SPLIT_RE) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Plain patterns, then `&` intersections, then `!` exclusions; `all` when there is no plain one. */
export function orderPatterns(patterns: readonly string[]): string[] {
  const regular = patterns.filter((p) => p[0] !== '!' && p[0] !== '&');
  const intersections = patterns.filter((p) => p[0] === '&');
  const exclusions = patterns.filter((p) => p[0] === '!');
  return [...(regular.length ? regular : ['all']), ...intersections, ...exclusions];
}

export function selectHosts(target: PatternTarget, pattern: string, where?: SourceLocation): string[] {
  const parts = splitHostPattern(pattern);
  if (parts.length === 0) throw new InputError(`empty host pattern '${pattern}'`, where);
  const hostSet = new Set(target.hostNames);
  let hosts: string[] = [];
  for (const part of orderPatterns(parts)) {
    if (hostSet.has(part)) {
      if (!hosts.includes(part)) hosts.push(part);
      continue;
    }
    const matched = matchOne(target, part, where);
    if (part[0] === '!') {
      const drop = new Set(matched);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (part[0] === '&') {
      const keep = new Set(matched);
      hosts = hosts.filter((h) => keep.has(h));
    } else {
      const have = new Set(hosts);
      for (const h of matched) {
        if (!have.has(h)) {
          hosts.push(h);
          have.add(h);
        }
      }
    }
  }
  return hosts;
}

function matchOne(target: PatternTarget, part: string, where: SourceLocation | undefined): string[] {
  const word = part[0] === '&' || part[0] === '!' ? part.slice(1) : part;
  if (!word) throw new InputError(`empty host pattern after '${part}'`, where);
  const { expr, slice } = splitSubscript(word);
  const matcher = compileMatcher(expr, where);
  const results: string[] = [];
  const groups = target.groupNames.filter((g) => matcher(g));
  for (const g of groups) results.push(...target.groupHosts(g));
  const special = expr[0] === '~' || /[.?*[]/.test(expr);
  if (groups.length === 0 || special) results.push(...target.hostNames.filter((h) => matcher(h)));
  // A glob or regex that matches nothing is an empty selection; a plain name is a typo.
  const plainName = expr[0] !== '~' && !/[?*[]/.test(expr);
  if (plainName && results.length === 0 && groups.length === 0 && expr !== 'all') {
    throw new InputError(`host pattern '${word}' matches no group and no host of the inventory`, where);
  }
  // Not deduplicated before the slice: Ansible indexes the raw list (a glob matching a group
  // and its hosts lists them twice), and the union below keeps each host once.
  return applySlice(results, slice);
}

interface Slice {
  readonly start: number;
  /** Inclusive end; undefined selects the single host at start. */
  readonly end?: number;
}

/** `name[3]`, `name[1:2]`, `name[1:]` (and the old `name[1-2]`); a regex has no subscript. */
export function splitSubscript(pattern: string): { expr: string; slice?: Slice } {
  if (pattern[0] === '~') return { expr: pattern };
  const m = SUBSCRIPT_RE.exec(pattern);
  if (!m) return { expr: pattern };
  const expr = m[1] ?? pattern;
  if (m[2] !== undefined) return { expr, slice: { start: Number(m[2]) } };
  const end = m[5] ? Number(m[5]) : -1;
  // As in Ansible, an end of 0 (`g[1:0]`) means "just start".
  return { expr, slice: end === 0 ? { start: Number(m[3]) } : { start: Number(m[3]), end } };
}

function applySlice(hosts: string[], slice: Slice | undefined): string[] {
  if (!slice || hosts.length === 0) return hosts;
  if (slice.end === undefined) {
    const index = slice.start < 0 ? hosts.length + slice.start : slice.start;
    const host = hosts[index];
    // Ansible raises here but ansible-playbook reports it as "no hosts matched": an empty result.
    return host === undefined ? [] : [host];
  }
  const end = slice.end === -1 ? hosts.length - 1 : slice.end;
  return hosts.slice(slice.start, end + 1);
}

function compileMatcher(expr: string, where: SourceLocation | undefined): (name: string) => boolean {
  let re: RegExp;
  try {
    // Python's re.match anchors at the start only; fnmatch patterns match the whole name.
    re = expr[0] === '~' ? new RegExp(`^(?:${expr.slice(1)})`, 's') : globToRegExp(expr);
  } catch (err) {
    throw new InputError(`invalid host pattern '${expr}'`, where, undefined, { cause: err });
  }
  return (name) => re.test(name);
}

/** Python's fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[` is literal. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const ch = glob[i++] as string;
    if (ch === '*') {
      // Runs of '*' are one wildcard.
      if (glob[i - 2] !== '*') out += '.*';
    } else if (ch === '?') out += '.';
    else if (ch === '[') {
      let j = i;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) {
        out += '\\[';
        continue;
      }
      const negate = glob[i] === '!';
      // Backslashes and a leading ']' are literal members of the class in fnmatch.
      let body = glob.slice(negate ? i + 1 : i, j).replace(/\\/g, '\\\\').replace(/\]/g, '\\]');
      if (!negate && body[0] === '^') body = '\\' + body;
      i = j + 1;
      out += `[${negate ? '^' : ''}${body}]`;
    } else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${out})$`, 's');
}
