// Reading the README as a user does: the example commands of its code blocks and tables, the
// flag table, and how to turn one example line into a process (environment and argv). Used by
// the README guard (readme.test.ts), the package test and the lab suite's README commands.
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shlexSplit } from '../../engine/inventory/shlex-split.js';
import { REPO_ROOT, runCaptured, type PlayRun } from '../helpers/run-play.js';
import type { Expectation } from './readme-catalog.js';

export interface ReadmeCommand {
  /** The command as written, without its trailing comment, whitespace collapsed. */
  readonly command: string;
  readonly line: number;
}

/**
 * What starts a command line: an optional VAR=value prefix, then a program a user types (not
 * ssh: the lab's verb table has `ssh HOST`, a verb of npm run lab).
 */
const COMMAND_START = /^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:sudo\s+)?(?:play|npm|npx|node|bash|sh|ansible(?:-[a-z]+)*|kubectl|git|curl|make|python3?|\.\/\S+|\.ci\/run)(?:\s|$)/;
/** Shell blocks: every line in them is a command, whatever program it starts with. */
const SHELL_FENCES = new Set(['sh', 'bash', 'shell', 'console']);
/** Blocks of other languages hold files, not commands. */
const FILE_FENCES = new Set(['yaml', 'yml', 'js', 'javascript', 'ts', 'typescript', 'json', 'ini', 'text']);

export function readReadme(): string {
  return readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
}

/** A command line without its comment (`  # ...`) and with runs of spaces collapsed. */
export function normalizeCommand(text: string): string {
  return text.replace(/\s+#\s.*$/, '').replace(/\\\|/g, '|').trim().replace(/\s+/g, ' ');
}

/**
 * Every example command of the README: each non-comment line of a shell code block, lines of
 * other unlabelled blocks that start with a program, and table cells' `code` that does. Prose is
 * reference text (`play NAME`), not an example, and is left out.
 */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const found: ReadmeCommand[] = [];
  let fence: string | null = null;
  let pending = '';
  markdown.split('\n').forEach((text, index) => {
    const line = index + 1;
    const opening = /^```(\S*)/.exec(text);
    if (opening) {
      fence = fence === null ? opening[1]!.toLowerCase() : null;
      return;
    }
    if (fence !== null) {
      if (FILE_FENCES.has(fence)) return;
      const trimmed = text.trim();
      if (!trimmed || trimmed.startsWith('#')) return;
      if (!SHELL_FENCES.has(fence) && !COMMAND_START.test(trimmed)) return;
      if (trimmed.endsWith('\\')) {
        pending += `${trimmed.slice(0, -1)} `;
        return;
      }
      found.push({ command: normalizeCommand(pending + trimmed), line });
      pending = '';
      return;
    }
    if (!text.trimStart().startsWith('|')) return;
    for (const m of text.matchAll(/`([^`]+)`/g)) {
      const code = normalizeCommand(m[1]!);
      if (COMMAND_START.test(code)) found.push({ command: code, line });
    }
  });
  return found;
}

/** Long and short flags named in the first column of the table under the given heading. */
export function tableFlags(markdown: string, heading: RegExp): Set<string> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && heading.test(l));
  if (start < 0) throw new Error(`no heading matching ${heading} in the README`);
  const flags = new Set<string>();
  for (const l of lines.slice(start + 1)) {
    if (/^#+ /.test(l)) break;
    if (!l.startsWith('|')) continue;
    const first = l.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([^`]+)`/g)) {
      for (const part of m[1]!.split(',')) {
        const flag = /^\s*(--?[A-Za-z][\w-]*)/.exec(part)?.[1];
        if (flag) flags.add(flag);
      }
    }
  }
  return flags;
}

/** The flags `play --help` lists under Options (yargs: `  -i, --inventory  ...`). */
export function helpFlags(help: string): Set<string> {
  const flags = new Set<string>();
  const options = help.slice(help.indexOf('Options:'));
  for (const m of options.matchAll(/^ {2}(?:(-[A-Za-z]), )?\s*(--[\w-]+)/gm)) {
    if (m[1]) flags.add(m[1]);
    flags.add(m[2]!);
  }
  return flags;
}

export interface Invocation {
  /** VAR=value words before the program, with a leading ~/ made `home`. */
  readonly env: Record<string, string>;
  readonly program: string;
  readonly args: string[];
}

/** A line with a pipe, a redirection, `&&`, `;` or a `$`: only a shell runs it as written. */
export function needsShell(command: string): boolean {
  return /[|&;<>`$]/.test(command);
}

/** One README line as a process without a shell (a line that needs one is refused here). */
export function invocation(command: string, home: string): Invocation {
  if (needsShell(command)) throw new Error(`not a simple command (needs a shell): ${command}`);
  const words = shlexSplit(command).map((w) => w.replace(/^~(?=\/|$)/, home));
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=').replace(/^~(?=\/|$)/, home);
  }
  const [program, ...args] = words;
  if (!program) throw new Error(`no program in: ${command}`);
  return { env, program, args };
}

export interface RunContext {
  readonly cwd: string;
  /** What ~ means in the command (HOME of the process too). */
  readonly home: string;
  /** The argv a program name stands for (e.g. play -> node dist/engine/cli/main.js); others run from PATH. */
  readonly programs?: Readonly<Record<string, readonly string[]>>;
  readonly env?: NodeJS.ProcessEnv;
  /** Words the test adds right after the program, with {name} placeholders filled from `fill`. */
  readonly addArgs?: readonly string[];
  readonly fill?: Readonly<Record<string, string>>;
}

/** A folder of one-line scripts standing for `programs` (e.g. play), for a shell's PATH; made once per set. */
const shimDirs = new Map<string, string>();
function programShims(programs: Readonly<Record<string, readonly string[]>>): string {
  const key = JSON.stringify(programs);
  let dir = shimDirs.get(key);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'play-readme-bin-'));
    for (const [name, argv] of Object.entries(programs)) {
      writeFileSync(join(dir, name), `#!/bin/sh\nexec ${argv.map(shellQuote).join(' ')} "$@"\n`, { mode: 0o755 });
    }
    shimDirs.set(key, dir);
    const made = dir;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return dir;
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs one README command, output captured, plain (CI, NO_COLOR): as a process without a shell,
 * or, when the line has a pipe or a redirection, word for word by /bin/sh with `programs` on its
 * PATH. stdin is closed: a prompt the line does not feed reads nothing.
 */
export function runReadmeCommand(command: string, ctx: RunContext): Promise<PlayRun> {
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', HOME: ctx.home, ...ctx.env };
  if (needsShell(command)) {
    if (ctx.addArgs?.length) throw new Error(`cannot add words to a shell line: ${command}`);
    const path = ctx.programs ? `${programShims(ctx.programs)}:${baseEnv.PATH ?? ''}` : baseEnv.PATH;
    return runCaptured('/bin/sh', ['-c', command], { cwd: ctx.cwd, env: { ...baseEnv, PATH: path } });
  }
  const { env, program, args } = invocation(command, ctx.home);
  const added = (ctx.addArgs ?? []).map((a) => a.replace(/\{(\w+)\}/g, (_, name: string) => ctx.fill?.[name] ?? `{${name}}`));
  const [file, ...lead] = ctx.programs?.[program] ?? [program];
  return runCaptured(file!, [...lead, ...added, ...args], { cwd: ctx.cwd, env: { ...baseEnv, ...env } });
}

/** The README's promise for one command, checked on its run (the output is in every message). */
export function expectOutcome(command: string, run: PlayRun, want: Expectation): void {
  const output = `${run.stdout}${run.stderr}`;
  const shown = `\`${command}\` exited ${run.code}:\n${output.split('\n').slice(-40).join('\n')}`;
  expect(run.code, shown).to.equal(want.code);
  if (want.output) expect(output, shown).to.match(want.output);
  if (want.absent) expect(output, shown).not.to.match(want.absent);
}

/** The file a README code block shows: the block whose first line is a comment naming `path`. */
export function readmeFile(markdown: string, path: string): string {
  const blocks = markdown.split(/^```/m).filter((_, i) => i % 2 === 1);
  const block = blocks.find((b) => new RegExp(`^\\S*\\n(?://|#) ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`).test(b));
  if (!block) throw new Error(`README.md shows no ${path}`);
  return block.slice(block.indexOf('\n') + 1);
}

/**
 * Where `cwd: 'copy'` commands run: a temp folder holding a copy of the clone's inventories/
 * (and the files the commands write there). play finds its bundled playbooks from any folder.
 */
export function readmeCopyFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'play-readme-copy-'));
  cpSync(join(REPO_ROOT, 'inventories'), join(dir, 'inventories'), { recursive: true });
  return dir;
}
