// Small process helpers for the lab. Every command is an argument array handed to execFile/spawn:
// no value is ever pasted into a shell string.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a program and resolves with its exit code and output; never rejects on a nonzero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      [...args],
      { maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 0, env: opts.env ?? process.env, cwd: opts.cwd },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number' && !error.killed) {
          reject(new LabError(`cannot run ${cmd}: ${error.message}`));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    // always close stdin: a remote command that reads it must see EOF, not wait forever. A program
    // that exits without reading makes the write fail with EPIPE: its exit code tells the story.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

/** Runs a program and throws a LabError naming the command and its stderr when it fails. */
export async function mustRun(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const result = await run(cmd, args, opts);
  if (result.code !== 0) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
    throw new LabError(`${cmd} ${args.join(' ')} exited ${result.code}:\n${tail}`);
  }
  return result.stdout;
}

/** Runs a program with its output streamed to ours (for long steps such as debootstrap). */
export function runLoud(cmd: string, args: readonly string[], logPrefix: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        if (process.env.LAB_VERBOSE) process.stderr.write(`${logPrefix} ${line}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => reject(new LabError(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new LabError(`${cmd} exited ${code}:\n${tail.join('\n')}`));
    });
  });
}

/** An error of the lab machinery itself; the CLI prints its message without a stack. */
export class LabError extends Error {
  override name = 'LabError';
}

export { sleep };

/**
 * True when a process with this pid runs (signal 0 probes without touching it). A zombie counts
 * as dead: a machine started by an earlier `lab` process is, once that process is gone, a child
 * of this machine's PID 1, which may be slow to reap it.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `probe` until it returns true or the deadline passes; returns whether it succeeded. */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
}

/** Maps with at most `limit` calls in flight (the machine has 2 cores; apt runs are CPU-bound). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
