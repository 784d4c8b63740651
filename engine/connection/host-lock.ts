import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { TaskError } from '../errors.js';
import type { ExecResult } from '../types.js';
import { IncorrectSudoPassword, SudoWatch, type SudoExchange } from './sudo.js';

export const LOCK_FILE = '/run/play.lock';

/** The lock script's verdicts: each a whole line of stdout, and nothing else ever is. */
export const LOCKED = 'PLAY-LOCKED';
export const BUSY = 'PLAY-BUSY';
/** Starts the stderr line that names the holder of a busy lock. */
export const OWNER_PREFIX = 'PLAY-OWNER ';
/** How long a released session may take to exit before it is killed (which frees the lock too). */
const RELEASE_WAIT_MS = 5000;

/** With the run's nonce, frames the result of the script the lock session carries. */
export const FIRST = 'PLAY-FIRST';

/**
 * One play run per host at a time (as k0sctl does): a remote `flock` held by a session that lives
 * as long as this run. When the run ends or dies, the session closes and the kernel frees the
 * lock, so a crash never leaves a stale lock behind. stdout carries only the verdict, as a line
 * of its own; the holder's text (user and host names another run wrote) goes to stderr, so no
 * name can pass for a verdict.
 *
 * The session also carries the run's first script (the first fact batch: for a no-op run, the
 * only one), so the lock costs no round trip of its own: after the verdict it reads a byte count
 * and that many bytes of script (or a "-" line: none), runs it in a subshell with stdin closed,
 * its output going straight to the session's, framed by `PLAY-FIRST-NONCE` lines (on stderr
 * before and after, on stdout after, with the exit code). The nonce is random per session and
 * travels on stdin, so no file or command output the script passes on can pass for a frame.
 *
 * Every command here is a shell builtin but `flock` and `head`: on a host where a process costs
 * ~5 ms of CPU, the lock's own cost is what 200 hosts multiply (temp files for the output and
 * `cat` to wait for the end were five more processes per host).
 */
export function lockScript(owner: string, file = LOCK_FILE): string {
  const path = shellWord(file);
  return [
    `exec 9>>${path}`,
    `if ! flock -n 9; then echo ${BUSY}; { printf '${OWNER_PREFIX}'; head -n 1 ${path}.owner; } >&2 2>/dev/null; exit 75; fi`,
    `printf '%s\\n' ${shellWord(owner.replace(/[\r\n]+/g, ' '))} > ${path}.owner`,
    `echo ${LOCKED}`,
    "IFS=' ' read -r n m || exit 0",
    'case $n in',
    "''|*[!0-9]*) ;;",
    '*) s=$(head -c "$n") || exit 70',
    `   printf '%s\\n' "${FIRST}-$m" >&2; ( eval "$s" ) </dev/null; rc=$?`,
    `   printf '\\n%s\\n' "${FIRST}-$m" >&2; printf '\\n%s %s\\n' "${FIRST}-$m" "$rc";;`,
    'esac',
    'while IFS= read -r _; do :; done',
  ].join('\n');
}

/** A session's nonce: what frames its first script's result (hex, so a shell word as it is). */
export function firstNonce(): string {
  return randomBytes(12).toString('hex');
}

/** What to write on the lock session's stdin once it holds the lock: the first script, or none. */
export function firstScriptFrame(script: string | undefined, nonce: string): string {
  return script === undefined ? '-\n' : `${Buffer.byteLength(script)} ${nonce}\n${script}`;
}

/**
 * The first script's result from the lock session's stdout and stderr so far, or undefined while
 * a frame is missing: stdout from the verdict line to the closing frame (the newline the frame
 * put before itself taken off, so output without a last newline stays as it was), stderr between
 * its two frames. A login shell's lines come before the verdict, a sudo prompt before the first
 * stderr frame.
 */
export function firstResult(stdout: Buffer, stderr: Buffer, nonce: string): ExecResult | undefined {
  const start = verdictEnd(stdout);
  if (start < 0) return undefined;
  const close = Buffer.from(`\n${FIRST}-${nonce} `);
  const outEnd = stdout.indexOf(close, start);
  if (outEnd < 0) return undefined;
  const codeEnd = stdout.indexOf(10, outEnd + close.length);
  if (codeEnd < 0) return undefined;
  const code = /^(\d+)\r?$/.exec(stdout.subarray(outEnd + close.length, codeEnd).toString('latin1'));
  if (!code) throw new Error(`the lock session answered the first script with an unexpected line`);
  const open = Buffer.from(`${FIRST}-${nonce}\n`);
  const errStart = stderr.indexOf(open);
  if (errStart < 0) return undefined;
  const errEnd = stderr.indexOf(Buffer.from(`\n${FIRST}-${nonce}\n`), errStart + open.length);
  if (errEnd < 0) return undefined;
  return {
    code: Number(code[1]),
    stdout: stdout.subarray(start, outEnd).toString('utf8'),
    stderr: stderr.subarray(errStart + open.length, errEnd).toString('utf8'),
  };
}

/** Byte offset just after the first whole LOCKED line, or -1. */
function verdictEnd(stdout: Buffer): number {
  const marker = Buffer.from(`${LOCKED}\n`);
  for (let at = stdout.indexOf(marker); at >= 0; at = stdout.indexOf(marker, at + 1)) {
    if (at === 0 || stdout[at - 1] === 10) return at + marker.length;
  }
  return -1;
}

export type LockVerdict = 'locked' | 'busy' | undefined;

/**
 * The verdict in the lock session's stdout so far, from complete lines that are exactly a verdict
 * (a login shell may print lines of its own; a partial last line counts for nothing yet). BUSY is
 * looked for first: whatever else was printed, a session that says BUSY never holds the lock.
 */
export function lockVerdict(stdout: string): LockVerdict {
  const lines = stdout.split('\n').slice(0, -1).map((line) => line.replace(/\r$/, ''));
  if (lines.includes(BUSY)) return 'busy';
  if (lines.includes(LOCKED)) return 'locked';
  return undefined;
}

/** Who holds a busy lock, from the session's stderr: one line, control characters replaced, capped. */
export function lockHolder(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith(OWNER_PREFIX));
  const text = (line ?? '').slice(OWNER_PREFIX.length).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').trim();
  return text ? text.slice(0, 200) : 'another play run';
}

function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

let owner: string | undefined;

/** Who this run is, written into every host's lock: the same for all of them (userInfo costs ~0.7 ms a call). */
export function lockOwner(): string {
  owner ??= `play pid ${process.pid} by ${userInfo().username}@${hostname()} since ${new Date().toISOString()}`;
  return owner;
}

export interface LockOptions {
  readonly timeoutMs?: number;
  readonly sudo?: SudoExchange;
  /** A script for the lock session to run once it holds the lock (firstScriptFrame). */
  readonly first?: string;
}

export class HostLock {
  /** Settles when the session's process has exited: only then is the lock free on the host. */
  private readonly ended: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** The result of LockOptions.first; rejects with a LockFailure when the session ends before it. */
    readonly first: Promise<ExecResult> | undefined,
  ) {
    this.ended = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('close', () => done()));
  }

  /**
   * argv runs `sh -c SCRIPT` on the host (through ssh or locally). With `sudo`, argv's sudo asks
   * with its prompt: the password is written to its stdin then, and only then (sudo.ts); the
   * first script only after the verdict, so it never reaches sudo.
   */
  static acquire(host: string, argv: readonly string[], options: LockOptions = {}): Promise<HostLock> {
    const timeoutMs = options.timeoutMs ?? 30000;
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const watch = options.sudo ? new SudoWatch(options.sudo, (line) => child.stdin.write(line)) : undefined;
      let out = Buffer.alloc(0);
      let err = '';
      let errBytes = Buffer.alloc(0);
      const nonce = firstNonce();
      let locked = false;
      let settleFirst: { resolve: (r: ExecResult) => void; reject: (e: Error) => void } | undefined;
      const first = options.first === undefined ? undefined : new Promise<ExecResult>((res, rej) => (settleFirst = { resolve: res, reject: rej }));
      first?.catch(() => undefined); // a caller that never awaits it must not crash the run
      const timer = setTimeout(() => finish(new TaskError(`${host}: timed out taking the play lock`)), timeoutMs);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        if (error) {
          child.kill();
          reject(error);
        } else {
          locked = true;
          if (options.first !== undefined) child.stdin.write(firstScriptFrame(options.first, nonce));
          resolve(new HostLock(child, first));
        }
      };
      const readFirst = (): void => {
        const waiting = settleFirst;
        if (!waiting) return;
        try {
          const result = firstResult(out, errBytes, nonce);
          if (!result) return;
          settleFirst = undefined;
          waiting.resolve(result);
        } catch (e) {
          settleFirst = undefined;
          waiting.reject(e as Error);
        }
      };
      child.stdout.on('data', (d: Buffer) => {
        out = Buffer.concat([out, d]);
        if (!locked && lockVerdict(out.toString('utf8')) === 'locked') finish();
        if (locked) readFirst();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        errBytes = Buffer.concat([errBytes, d]);
        if (locked) readFirst();
        if (watch?.stderr(d.toString()) && lockVerdict(out.toString('utf8')) === undefined) finish(new IncorrectSudoPassword(host));
      });
      child.on('error', (e) => finish(e));
      child.on('close', (code) => {
        const verdict = lockVerdict(out.toString('utf8'));
        const stderr = watch ? watch.clean(err) : err;
        if (verdict === 'busy') {
          finish(new TaskError(`${host} is locked by another play run (${lockHolder(stderr)}); wait for it to finish`));
        } else if (verdict === undefined) {
          finish(new LockFailure(code ?? 1, stderr));
        }
        settleFirst?.reject(new LockFailure(code ?? 255, stderr));
      });
      child.stdin.on('error', () => undefined);
    });
  }

  /**
   * Ends the session and waits until it has exited, so a run that follows at once (a second
   * playbook of the same command, the next command) finds the lock free rather than busy.
   */
  async release(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), RELEASE_WAIT_MS);
    await this.ended;
    clearTimeout(timer);
  }
}

/** The lock session itself could not run: the caller decides whether that means unreachable. */
export class LockFailure extends Error {
  constructor(
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`play lock failed (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' ')}`);
  }
}
