import { ConnectionError } from '../errors.js';
import type { Connection, ConnectionStats, ExecOptions, ExecResult } from '../types.js';
import { HostLock, LockFailure, lockOwner, lockScript } from './host-lock.js';

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

  sessionArgv(script: string): string[] {
    return this.inner.sessionArgv(script);
  }

  private acquire(): Promise<HostLock> {
    // The lock session is a round trip too: counted, so --json shows the honest cost.
    if (!this.lock) this.inner.stats.execs++;
    this.lock ??= HostLock.acquire(this.spec.host, this.inner.sessionArgv(lockScript(lockOwner(), this.inner.lockFile))).catch((err: unknown) => {
      if (err instanceof LockFailure && err.code === 255) throw new ConnectionError(this.spec.host, err.stderr);
      throw err;
    });
    return this.lock;
  }

  async exec(script: string, options?: ExecOptions): Promise<ExecResult> {
    await this.acquire();
    return this.inner.exec(script, options);
  }

  async close(): Promise<void> {
    if (this.lock) {
      const lock = await this.lock.catch(() => undefined);
      lock?.release();
    }
    await this.inner.close();
  }
}
