/**
 * sudo with a password, as Ansible's become plugin and ssh connection do it: `sudo -H -S -p
 * PROMPT` with a prompt unique to the command, the password written on sudo's stdin only when
 * that prompt appears on stderr, "Sorry, try again." (or the prompt twice) taken as a wrong
 * password. The shell sudo starts prints a marker first; only after the marker is the script
 * written, so the password is never part of a script, even when sudo asks nothing (cached
 * credentials, NOPASSWD). The password never appears in an argument list: the prompt and the
 * marker do, and they are random, not secret.
 *
 * Without a password nothing changes: `sudo -n`, the script written at once, no extra exchange.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { TaskError } from '../errors.js';
import type { ExecResult } from '../types.js';

export interface SudoExchange {
  readonly password: string;
  /** sudo's -p prompt: only this question is ever answered with the password. */
  readonly prompt: string;
  /** Printed by the shell sudo started: escalation is done, the script may follow. */
  readonly marker: string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const WRONG = 'Sorry, try again.';
const MISSING = /sudo: (a password is required|a terminal is required)|Sorry, a password is required to run sudo/;

export function sudoExchange(password: string): SudoExchange {
  const id = Array.from({ length: 32 }, () => LETTERS[randomInt(LETTERS.length)]).join('');
  return { password, prompt: `[sudo via play, key=${id}] password:`, marker: `BECOME-SUCCESS-${id}` };
}

/** The sudo words before `--`: non-interactive without a password, asking on stdin (with `prompt`) with one. */
export function sudoWords(becomeUser: string | undefined, prompt?: string): string[] {
  const user = becomeUser ? ['-u', becomeUser] : [];
  return prompt ? ['sudo', '-H', '-S', '-p', prompt, ...user, '--'] : ['sudo', '-n', '-H', ...user, '--'];
}

export class IncorrectSudoPassword extends TaskError {
  constructor(host: string) {
    super(`${host}: incorrect sudo password`);
  }
}

/** sudo refused for want of a password: say how to give one. */
export function missingPasswordError(host: string, stderr: string): TaskError | undefined {
  if (!MISSING.test(stderr)) return undefined;
  return new TaskError(`${host}: sudo needs a password here: pass -K (--ask-become-pass) or set ansible_become_password`);
}

/** Follows sudo's stderr: answers its prompt once, spots a refused password. */
export class SudoWatch {
  private seen = '';
  private answered = false;

  constructor(
    private readonly exchange: SudoExchange,
    private readonly answer: (line: string) => void,
  ) {}

  /** Feeds stderr; true when sudo refused the password. */
  stderr(chunk: string): boolean {
    this.seen += chunk;
    if (this.seen.includes(WRONG)) return true;
    const prompts = this.seen.split(this.exchange.prompt).length - 1;
    if (prompts > 1) return true;
    if (prompts === 1 && !this.answered) {
      this.answered = true;
      this.answer(`${this.exchange.password}\n`);
    }
    return false;
  }

  /** stderr without sudo's prompt. */
  clean(text: string): string {
    return text.split(this.exchange.prompt).join('');
  }
}

export interface SudoRun {
  readonly host: string;
  readonly exchange: SudoExchange;
  readonly script: string;
  readonly timeoutMs?: number;
  /** Longest wait for sudo to ask or to start the shell. */
  readonly handshakeMs: number;
}

/** Runs argv (ending in sudo ... sh -c 'echo MARKER; READ_THEN_RUN') through the exchange. */
export function runThroughSudo(argv: readonly string[], run: SudoRun): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], timeout: run.timeoutMs });
    let stdout = '';
    let stderr = '';
    let started = false;
    let failure: Error | undefined;
    const watch = new SudoWatch(run.exchange, (line) => child.stdin.write(line));
    const fail = (error: Error): void => {
      failure ??= error;
      child.stdin.end();
      child.kill();
    };
    const timer = setTimeout(() => fail(new TaskError(`${run.host}: timed out waiting for sudo to ask for the password or to start`)), run.handshakeMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const marked = `${run.exchange.marker}\n`;
      if (started || !stdout.includes(marked)) return;
      started = true;
      clearTimeout(timer);
      stdout = stdout.replace(marked, '');
      child.stdin.end(run.script);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr += text;
      if (!started && watch.stderr(text)) fail(new IncorrectSudoPassword(run.host));
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => fail(err));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      resolve({ code: code ?? (signal ? 128 + 9 : 1), stdout, stderr: watch.clean(stderr) });
    });
  });
}
