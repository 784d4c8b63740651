/**
 * play's per-host run lock (/run/play.lock, engine/connection/host-lock.ts), taken by the
 * benchmark itself while it changes main-lab hosts without play: around every Ansible run, reset
 * and drift edit. Another suite's play run then refuses ("locked by another play run") instead of
 * racing an Ansible run over the same files, and the benchmark waits while one of theirs holds a
 * host. The benchmark's own play runs take the lock themselves.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_FILE, lockHolder, lockScript, lockVerdict } from '../../../engine/connection/host-lock.js';
import { shellQuote, sshOptions } from '../../lab/ssh.js';

export interface LockTarget {
  readonly name: string;
  readonly address: string;
}

interface Held {
  readonly child: ChildProcessWithoutNullStreams;
  readonly closed: Promise<void>;
}

/** One lock session: resolves once the host says PLAY-LOCKED, rejects with the reason otherwise. */
function lockHost(host: LockTarget, owner: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const script = lockScript(owner, LOCK_FILE);
    const child = spawn('ssh', [...sshOptions(), `root@${host.address}`, '--', `/bin/sh -c ${shellQuote(script)}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    let out = '';
    let err = '';
    let settled = false;
    const timer = setTimeout(() => fail(`${host.name}: no answer taking the run lock`), 30_000);
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      reject(new Error(why));
    };
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!settled && lockVerdict(out) === 'locked') {
        settled = true;
        clearTimeout(timer);
        resolve({ child, closed });
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (lockVerdict(out) === 'busy') fail(`${host.name} is locked by ${lockHolder(err)}`);
      else fail(`${host.name}: lock session exited ${code}: ${err.trim()}`);
    });
  });
}

export class LabRunLock {
  private held: Held[] = [];

  /** Takes the lock on every host, retrying while another run holds one (drops partial holds). */
  static async acquire(hosts: readonly LockTarget[], log: (line: string) => void, timeoutMs = 3 * 3600_000): Promise<LabRunLock> {
    const deadline = Date.now() + timeoutMs;
    const owner = `play benchmark (test/bench) pid ${process.pid}`;
    let lastLog = 0;
    for (;;) {
      const lock = new LabRunLock();
      const results = await Promise.allSettled(hosts.map((h) => lockHost(h, owner)));
      for (const r of results) if (r.status === 'fulfilled') lock.held.push(r.value);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length === 0) return lock;
      await lock.release();
      if (Date.now() > deadline) throw new Error(`could not take the run lock: ${String(failed[0]!.reason)}`);
      if (Date.now() - lastLog > 60_000) {
        log(`waiting for the run lock: ${String(failed[0]!.reason).split('\n')[0]}`);
        lastLog = Date.now();
      }
      await sleep(5000);
    }
  }

  /** Ends every lock session and waits until they are gone (the kernel frees the flock). */
  async release(): Promise<void> {
    for (const h of this.held) h.child.stdin.end();
    await Promise.all(this.held.map((h) => h.closed));
    this.held = [];
  }
}

/** Runs `fn` holding the run lock on `hosts`. */
export async function withRunLock<T>(hosts: readonly LockTarget[], log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  const lock = await LabRunLock.acquire(hosts, log);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
