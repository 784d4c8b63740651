import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { TaskError } from '../errors.js';
import { IncorrectSudoPassword, SudoWatch, type SudoExchange } from './sudo.js';

export const LOCK_FILE = '/run/play.lock';

/**
 * One play run per host at a time (as k0sctl does): a remote `flock` held by a session that lives
 * as long as this run. When the run ends or dies, the session closes and the kernel frees the
 * lock, so a crash never leaves a stale lock behind.
 */
export function lockScript(owner: string, file = LOCK_FILE): string {
  const path = shellWord(file);
  return [
    `exec 9>>${path}`,
    `if ! flock -n 9; then echo PLAY-BUSY; cat ${path}.owner 2>/dev/null; exit 75; fi`,
    `printf '%s\\n' ${shellWord(owner)} > ${path}.owner`,
    'echo PLAY-LOCKED',
    'cat >/dev/null',
  ].join('\n');
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
        if (out.includes('PLAY-LOCKED')) finish();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (watch?.stderr(d.toString()) && !out.includes('PLAY-LOCKED')) finish(new IncorrectSudoPassword(host));
      });
      child.on('error', (e) => finish(e));
      child.on('close', (code) => {
        if (out.includes('PLAY-BUSY')) {
          const owner = out.split('PLAY-BUSY')[1]?.trim() || 'another play run';
          finish(new TaskError(`${host} is locked by another play run (${owner}); wait for it to finish`));
        } else if (!out.includes('PLAY-LOCKED')) {
          finish(new LockFailure(code ?? 1, watch ? watch.clean(err) : err));
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
