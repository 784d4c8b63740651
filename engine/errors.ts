/**
 * One base error with subclasses that carry where the problem is. Input errors (inventory,
 * playbook, vars, usage) exit 2 before any host is contacted; host failures are reported per host.
 */
import { summariseScript } from './secrets.js';

export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export class PlayError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input found before any host is touched: exit 2, message names file, line and key. */
export class InputError extends PlayError {
  override readonly exitCode = 2;
  constructor(
    readonly reason: string,
    readonly where?: SourceLocation,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(formatInputError(reason, where, key), options);
  }
}

export class UsageError extends InputError {}
export class InventoryError extends InputError {}
export class PlaybookError extends InputError {}
export class VarsError extends InputError {}

export function formatLocation(where: SourceLocation): string {
  let out = where.file;
  if (where.line !== undefined) out += `:${where.line}`;
  if (where.line !== undefined && where.column !== undefined) out += `:${where.column}`;
  return out;
}

function formatInputError(reason: string, where?: SourceLocation, key?: string): string {
  const parts: string[] = [];
  if (where) parts.push(formatLocation(where));
  if (key) parts.push(`key '${key}'`);
  return parts.length ? `${parts.join(': ')}: ${reason}` : reason;
}

/** The host could not be reached (ssh exit 255, refused, timed out): UNREACHABLE in the recap. */
export class ConnectionError extends PlayError {
  constructor(
    readonly host: string,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: unreachable: ${lastLines(stderr, 3) || 'connection failed'}`, options);
  }
}

/**
 * What failed, beyond the message: reported with -v and in --json (redacted). The host, role and
 * task are the result's own.
 */
export interface FailureDetails {
  /** What names the command (its label, or a short form of its text): never a secret command's text. */
  readonly command?: string;
  readonly exitCode?: number;
  readonly stderr?: string;
}

/** A task failed on a host: the host stops, the others go on. */
export class TaskError extends PlayError {
  constructor(
    message: string,
    readonly details: FailureDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A remote command exited non-zero. `command` is '' for a secret one (then only `label` names it). */
export class CommandError extends TaskError {
  constructor(command: string, exitCode: number, stdout: string, stderr: string, label?: string) {
    const tail = lastLines(stderr, 5) || lastLines(stdout, 5);
    super(`${label ?? 'command'} failed (exit ${exitCode})${tail ? `: ${tail}` : ''}`, {
      command: label ?? commandLabel(command),
      exitCode,
      stderr,
    });
  }
}

/** A script as one short line: file contents summarised, lines joined, cut at 200 characters. */
export function commandLabel(command: string): string {
  if (command === '') return 'command (hidden: holds secrets)';
  const line = summariseScript(command)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('; ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n').trim();
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
