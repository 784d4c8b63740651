import { ConnectionError } from '../errors.js';
import type { Connection, ConnectionStats, ExecOptions, ExecResult } from '../types.js';
import { HostLock, LockFailure, lockOwner, lockScript } from './host-lock.js';
import { missingPasswordError, sudoExchange } from './sudo.js';

/** Every exec waits for the host's run lock, taken once when the connection is first used. */
export class LockedConnection implements Connection {
  private lock?: Promise<HostLock>;

  constructor(private readonly inner: Connection) {}

  get spec() {
    return this.inner.spec;
  }

  get stats(): ConnectionStats {
    return this.inner.stats;
  }

  get lockFile(): string {
    return this.inner.lockFile;
  }

  get sessionRunsAsExec(): boolean {
    return this.inner.sessionRunsAsExec;
  }

  sessionArgv(script: string, sudoPrompt?: string): string[] {
    return this.inner.sessionArgv(script, sudoPrompt);
  }

  /** Takes the lock; `first`, the first exec's script, rides on the lock session (host-lock.ts). */
  private acquire(first?: string): Promise<HostLock> {
    if (this.lock) return this.lock;
    // The lock session is a round trip too: counted, so --json shows the honest cost.
    this.inner.stats.execs++;
    // It goes through sudo too: with a password, through the same exchange as every exec.
    const sudo = this.spec.become && this.spec.becomePassword !== undefined ? sudoExchange(this.spec.becomePassword) : undefined;
    const argv = this.inner.sessionArgv(lockScript(lockOwner(), this.inner.lockFile), sudo?.prompt);
    this.lock = HostLock.acquire(this.spec.host, argv, { ...(sudo ? { sudo } : {}), ...(first !== undefined ? { first } : {}) }).catch((err: unknown) => {
      throw this.sessionError(err);
    });
    return this.lock;
  }

  private sessionError(err: unknown): unknown {
    if (err instanceof LockFailure && err.code === 255) return new ConnectionError(this.spec.host, err.stderr);
    if (err instanceof LockFailure) return missingPasswordError(this.spec.host, err.stderr) ?? err;
    return err;
  }

  async exec(script: string, options?: ExecOptions): Promise<ExecResult> {
    // The first exec of the run travels with the lock when the session runs scripts as exec
    // would and nothing may need to cut it short: a no-op run then costs one session per host.
    if (!this.lock && options?.timeoutMs === undefined && this.inner.sessionRunsAsExec) {
      const first = (await this.acquire(script)).first!;
      return first.catch((err: unknown) => {
        throw this.sessionError(err);
      });
    }
    await this.acquire();
    return this.inner.exec(script, options);
  }

  async close(): Promise<void> {
    if (this.lock) {
      const lock = await this.lock.catch(() => undefined);
      await lock?.release();
    }
    await this.inner.close();
  }
}
