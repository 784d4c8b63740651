import pLimit, { type LimitFunction } from 'p-limit';

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The only cross-host mechanisms: values computed once and awaited by every host that asks
 * (the join command made on the first master), keys held by one host at a time, and explicit
 * waits for a value another host publishes. Nothing else is shared between host flows.
 */
export class Coordination {
  private readonly onceValues = new Map<string, Promise<unknown>>();
  private readonly locks = new Map<string, LimitFunction>();
  private readonly published = new Map<string, unknown>();
  private readonly waiters = new Map<string, Waiter[]>();
  private activeFlows = 0;
  private blockedFlows = 0;

  once<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let value = this.onceValues.get(key) as Promise<T> | undefined;
    if (!value) {
      value = compute();
      this.onceValues.set(key, value);
    }
    return value;
  }

  /** At most `slots` holders of `key` at once (1: a mutex); the first caller's count sets it. */
  exclusive<T>(key: string, fn: () => Promise<T>, slots = 1): Promise<T> {
    let lock = this.locks.get(key);
    if (!lock) {
      lock = pLimit(Math.max(1, Math.floor(slots)));
      this.locks.set(key, lock);
    }
    return lock(fn);
  }

  publish(key: string, value: unknown): void {
    this.published.set(key, value);
    const waiting = this.waiters.get(key) ?? [];
    this.waiters.delete(key);
    waiting.forEach((w) => w.resolve(value));
  }

  /** Resolves when some host publishes `key`; rejects if every running host is waiting (nobody can). */
  async waitFor<T>(key: string): Promise<T> {
    if (this.published.has(key)) return this.published.get(key) as T;
    this.blockedFlows++;
    try {
      return (await new Promise<unknown>((resolve, reject) => {
        const list = this.waiters.get(key) ?? [];
        list.push({ resolve, reject });
        this.waiters.set(key, list);
        this.detectDeadlock();
      })) as T;
    } finally {
      this.blockedFlows--;
    }
  }

  flowStarted(): void {
    this.activeFlows++;
  }

  flowEnded(): void {
    this.activeFlows--;
    this.detectDeadlock();
  }

  private detectDeadlock(): void {
    if (this.blockedFlows === 0 || this.blockedFlows < this.activeFlows) return;
    for (const [key, list] of this.waiters) {
      const error = new Error(`waited for '${key}', which no running host will provide (did its host fail, or is it outside --limit?)`);
      list.forEach((w) => w.reject(error));
    }
    this.waiters.clear();
  }
}
