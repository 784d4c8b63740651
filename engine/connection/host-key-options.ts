/**
 * Finds the ssh options that turn host key checking into "accept anything", in extra ssh
 * arguments (ansible_ssh_common_args/extra_args, ansible.cfg's ssh_args): UserKnownHostsFile or
 * GlobalKnownHostsFile pointing at /dev/null (or `none`, or another device), KnownHostsCommand,
 * StrictHostKeyChecking=no/off/false, NoHostAuthenticationForLocalhost=yes. They are read the
 * way ssh reads them: its getopt (`-oX=Y`, `-o 'X Y'`, `-vo X=Y`), its config line parser
 * (case-insensitive keywords, `=` or spaces, quotes), the files given with -F (and what they
 * Include, in any Host or Match block), and the ssh command of a ProxyCommand.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';

export interface HostKeyWeakening {
  /** The ssh option, as ssh_config(5) spells it. */
  readonly option: string;
  /** Where inside the arguments it was found, when not directly: "the -F file, line 3". */
  readonly via?: string;
}

/** ssh's getopt string (OpenSSH 9): the letters followed by ':' take an argument. */
const SSH_OPTIONS = '1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:PQ:R:S:TVw:W:XYy';
const TAKES_ARGUMENT = new Set([...SSH_OPTIONS.matchAll(/(\w):/g)].map((m) => m[1]!));

/** ssh's Include depth limit (readconf.c READCONF_MAX_DEPTH). */
const MAX_DEPTH = 16;

const OPTION_NAMES: Readonly<Record<string, string>> = {
  userknownhostsfile: 'UserKnownHostsFile',
  globalknownhostsfile: 'GlobalKnownHostsFile',
  knownhostscommand: 'KnownHostsCommand',
  stricthostkeychecking: 'StrictHostKeyChecking',
  nohostauthenticationforlocalhost: 'NoHostAuthenticationForLocalhost',
};

export interface ScanEnv {
  readonly env: NodeJS.ProcessEnv;
  /** Folder a relative -F path is read from (ssh runs in play's own). */
  readonly cwd: string;
  readonly home: string;
}

const defaultScanEnv = (): ScanEnv => ({ env: process.env, cwd: process.cwd(), home: homedir() });

/** Every option in `args` (an ssh argument list) that weakens host key checking, in order. */
export function hostKeyWeakenings(args: readonly string[], where: ScanEnv = defaultScanEnv()): Promise<HostKeyWeakening[]> {
  return new Scanner(where).argv(args, undefined, 0);
}

class Scanner {
  constructor(private readonly where: ScanEnv) {}

  /** ssh's own argument list: options anywhere, `--` ends them. */
  async argv(args: readonly string[], via: string | undefined, depth: number): Promise<HostKeyWeakening[]> {
    const found: HostKeyWeakening[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--') break;
      if (!arg.startsWith('-') || arg.length < 2) continue;
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (!TAKES_ARGUMENT.has(letter)) continue;
        const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
        if (value === undefined) break;
        if (letter === 'o') found.push(...(await this.line(value, via, depth)));
        if (letter === 'F') found.push(...(await this.file(value, depth + 1, 'the -F file')));
        break;
      }
    }
    return found;
  }

  /** One ssh_config line (a -o value, or a line of a config file). */
  async line(text: string, via: string | undefined, depth: number): Promise<HostKeyWeakening[]> {
    const parsed = parseConfigLine(text);
    if (!parsed) return [];
    const { keyword, rest } = parsed;
    if (keyword === 'proxycommand') return this.proxyCommand(rest, via, depth);
    if (keyword === 'include') return this.include(rest, depth);
    const option = OPTION_NAMES[keyword];
    if (option === undefined) return [];
    const words = argvSplit(rest);
    if (!words || !this.weakens(keyword, words, rest)) return [];
    return [{ option, ...(via !== undefined ? { via } : {}) }];
  }

  private weakens(keyword: string, words: readonly string[], rest: string): boolean {
    const first = (words[0] ?? '').toLowerCase();
    switch (keyword) {
      case 'stricthostkeychecking':
        return first === 'no' || first === 'off' || first === 'false';
      case 'nohostauthenticationforlocalhost':
        return first === 'yes' || first === 'true';
      case 'knownhostscommand':
        return rest.replace(/^[\s=]+/, '').toLowerCase() !== 'none';
      default:
        return words.some((word) => this.nullFile(word));
    }
  }

  /** A known-hosts "file" that keeps nothing: none, /dev/null, any device (after ~ and ${VAR}). */
  private nullFile(word: string): boolean {
    if (word.toLowerCase() === 'none') return true;
    let path = word.replace(/\$\{(\w+)\}/g, (whole, name: string) => this.where.env[name] ?? whole);
    if (path === '~' || path.startsWith('~/')) path = this.where.home + path.slice(1);
    if (resolve(this.where.cwd, path) === '/dev/null') return true;
    try {
      const st = statSync(realpathSync(resolve(this.where.cwd, path)));
      return st.isCharacterDevice() || st.isBlockDevice();
    } catch {
      return false;
    }
  }

  /** ssh runs the ProxyCommand with /bin/sh: an ssh in it is scanned like ours. */
  private async proxyCommand(command: string, via: string | undefined, depth: number): Promise<HostKeyWeakening[]> {
    const words = argvSplit(command.replace(/^[\s=]+/, '')) ?? [];
    const ssh = words.findIndex((word) => basename(word) === 'ssh');
    if (ssh < 0 || depth > MAX_DEPTH) return [];
    return this.argv(words.slice(ssh + 1), via ?? 'ProxyCommand', depth + 1);
  }

  private async include(rest: string, depth: number): Promise<HostKeyWeakening[]> {
    const found: HostKeyWeakening[] = [];
    for (const pattern of argvSplit(rest) ?? []) {
      let path = pattern.startsWith('~/') ? this.where.home + pattern.slice(1) : pattern;
      // ssh's rule for a user configuration: a relative Include is in ~/.ssh.
      if (!isAbsolute(path)) path = join(this.where.home, '.ssh', path);
      for (const file of await expandGlob(path)) found.push(...(await this.file(file, depth + 1, 'a file the -F file includes')));
    }
    return found;
  }

  /** A config file: every line, whatever Host or Match block it is in. Unreadable: ssh will say. */
  async file(path: string, depth: number, what: string): Promise<HostKeyWeakening[]> {
    if (depth > MAX_DEPTH || path.toLowerCase() === 'none') return [];
    let text: string;
    try {
      text = readFileSync(resolve(this.where.cwd, path), 'utf8');
    } catch {
      return [];
    }
    const found: HostKeyWeakening[] = [];
    for (const [i, line] of text.split('\n').entries()) found.push(...(await this.line(line, `${what}, line ${i + 1}`, depth)));
    return found;
  }
}

/** readconf.c: the keyword (lower-cased) and the rest of a config line; undefined for blanks and comments. */
export function parseConfigLine(text: string): { keyword: string; rest: string } | undefined {
  const line = text.replace(/[ \t\r\n\f]+$/, '');
  let cut = strdelim(line);
  if (cut && cut.token === '') cut = strdelim(cut.rest);
  if (!cut || cut.token === '' || cut.token.startsWith('#')) return undefined;
  const rest = cut.rest.replace(/^[ \t\r\n]+/, '');
  return rest === '' ? undefined : { keyword: cut.token.toLowerCase(), rest };
}

/** misc.c strdelim: a word ended by whitespace or one '=' (with spaces around it), or a quoted word. */
function strdelim(s: string): { token: string; rest: string } | undefined {
  const at = s.search(/[ \t\r\n"=]/);
  if (at < 0) return { token: s, rest: '' };
  if (s[at] === '"') {
    const close = s.indexOf('"', at + 1);
    if (close < 0) return undefined;
    return { token: s.slice(0, at) + s.slice(at + 1, close), rest: s.slice(close + 1).replace(/^[ \t\r\n]+/, '') };
  }
  let rest = s.slice(at + 1).replace(/^[ \t\r\n]+/, '');
  if (s[at] !== '=' && rest.startsWith('=')) rest = rest.slice(1).replace(/^[ \t\r\n]+/, '');
  return { token: s.slice(0, at), rest };
}

/** misc.c argv_split (comments end the line): words, quotes and backslash escapes as ssh reads them. */
export function argvSplit(s: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ' ' || s[i] === '\t') {
      i++;
      continue;
    }
    if (s[i] === '#') break;
    let word = '';
    let quote = '';
    for (; i < s.length; i++) {
      const c = s[i]!;
      const next = s[i + 1];
      if (c === '\\' && (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' '))) word += s[++i];
      else if (quote === '' && (c === ' ' || c === '\t')) break;
      else if (quote === '' && (c === '"' || c === "'")) quote = c;
      else if (quote !== '' && c === quote) quote = '';
      else word += c;
    }
    if (quote !== '') return undefined;
    words.push(word);
  }
  return words;
}

/** The files an Include pattern names, sorted, as ssh's glob(3); zx's glob loads only for a wildcard. */
async function expandGlob(pattern: string): Promise<string[]> {
  if (!/[*?[]/.test(pattern)) return [pattern];
  const { glob } = await import('zx');
  return glob.sync(pattern, { onlyFiles: true, dot: false }).sort();
}
