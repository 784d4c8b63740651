import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { TaskError } from '../errors.js';
import { IncorrectSudoPassword, SudoWatch, type SudoExchange } from './sudo.js';

export const LOCK_FILE = '/run/play.lock';

/** The lock script's verdicts: each a whole line of stdout, and nothing else ever is. */
export const LOCKED = 'PLAY-LOCKED';
export const BUSY = 'PLAY-BUSY';
/** Starts the stderr line that names the holder of a busy lock. */
export const OWNER_PREFIX = 'PLAY-OWNER ';

/**
 * One play run per host at a time (as k0sctl does): a remote `flock` held by a session that lives
 * as long as this run. When the run ends or dies, the session closes and the kernel frees the
 * lock, so a crash never leaves a stale lock behind. stdout carries only the verdict, as a line
 * of its own; the holder's text (user and host names another run wrote) goes to stderr, so no
 * name can pass for a verdict.
 */
export function lockScript(owner: string, file = LOCK_FILE): string {
  const path = shellWord(file);
  return [
    `exec 9>>${path}`,
    `if ! flock -n 9; then echo ${BUSY}; { printf '${OWNER_PREFIX}'; head -n 1 ${path}.owner; } >&2 2>/dev/null; exit 75; fi`,
    `printf '%s\\n' ${shellWord(owner.replace(/[\r\n]+/g, ' '))} > ${path}.owner`,
    `echo ${LOCKED}`,
    'cat >/dev/null',
  ].join('\n');
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

export function lockOwner(): string {
  return `play pid ${process.pid} by ${userInfo().username}@${hostname()} since ${new Date().toISOString()}`;
}

export class HostLock {
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  /**
   * argv runs `sh -c SCRIPT` on the host (through ssh or locally). With `sudo`, argv's sudo asks
   * with its prompt: the password is written to its stdin then, and only then (sudo.ts).
   */
  static acquire(host: string, argv: readonly string[], options: { timeoutMs?: number; sudo?: SudoExchange } = {}): Promise<HostLock> {
    const timeoutMs = options.timeoutMs ?? 30000;
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const watch = options.sudo ? new SudoWatch(options.sudo, (line) => child.stdin.write(line)) : undefined;
      let out = '';
      let err = '';
      const timer = setTimeout(() => finish(new TaskError(`${host}: timed out taking the play lock`)), timeoutMs);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        if (error) {
          child.kill();
          reject(error);
        } else resolve(new HostLock(child));
      };
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (lockVerdict(out) === 'locked') finish();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (watch?.stderr(d.toString()) && lockVerdict(out) === undefined) finish(new IncorrectSudoPassword(host));
      });
      child.on('error', (e) => finish(e));
      child.on('close', (code) => {
        const verdict = lockVerdict(out);
        const stderr = watch ? watch.clean(err) : err;
        if (verdict === 'busy') {
          finish(new TaskError(`${host} is locked by another play run (${lockHolder(stderr)}); wait for it to finish`));
        } else if (verdict === undefined) {
          finish(new LockFailure(code ?? 1, stderr));
        }
      });
      child.stdin.on('error', () => undefined);
    });
  }

  release(): void {
    this.child.stdin.end();
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
