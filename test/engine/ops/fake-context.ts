/**
 * A TaskContext for op tests. Two ways to answer facts and runs:
 *  - local: fact commands and apply scripts really run here with /bin/sh (ops against a temp dir);
 *  - canned: facts answer from a map of fact id -> ExecResult (through the fact's real parser),
 *    and runs are only recorded, so a test shows which commands apply would send.
 * Facts asked before the next macrotask form one batch, like the runner's one-exec-per-tick
 * batcher; `factBatches` lets tests assert that a check asks everything up front.
 */
import { spawn } from 'node:child_process';
import { CommandError } from '../../../engine/errors.js';
import { asDebianHost } from '../../helpers/debian-host.js';
import type {
  ExecResult,
  Fact,
  HostView,
  InventoryView,
  RunOptions,
  Task,
  TaskContext,
  Vars,
} from '../../../engine/types.js';
import type { Change } from '../../../engine/types.js';

export interface FakeOptions<V> {
  /** Run fact commands and scripts for real with /bin/sh. */
  local?: boolean;
  /** Working directory of local scripts. */
  cwd?: string;
  /** Canned fact outputs by fact id (override local ones too). */
  facts?: Record<string, ExecResult | string>;
  /** Result of ctx.run in canned mode (default: exit 0, no output). */
  runResult?: (script: string) => ExecResult;
  vars?: V;
  checkMode?: boolean;
}

interface Pending {
  fact: Fact<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const HOST: HostView = { name: 'test-host', address: '127.0.0.1', groups: [], vars: {} };

export class FakeContext<V = Vars> implements TaskContext<V> {
  readonly host = HOST;
  readonly inventory: InventoryView = { hosts: [HOST], host: () => HOST, groupHosts: () => [HOST] };
  readonly vars: V;
  readonly checkMode: boolean;
  readonly registered = new Map<string, unknown>();
  /** Scripts passed to run(), in order. */
  readonly ran: string[] = [];
  /** Labels passed to run() (undefined when none). */
  readonly labels: (string | undefined)[] = [];
  /** Fact ids per batch, in order. */
  readonly factBatches: string[][] = [];
  readonly warnings: string[] = [];
  readonly secrets: string[] = [];
  private pending: Pending[] = [];

  constructor(private readonly options: FakeOptions<V> = {}) {
    this.vars = options.vars ?? ({} as V);
    this.checkMode = options.checkMode ?? false;
  }

  fact<T>(fact: Fact<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ fact, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.factBatches.push([...new Set(batch.map((p) => p.fact.id))]);
    for (const { fact, resolve, reject } of batch) {
      try {
        resolve(fact.parse(asDebianHost(fact, await this.factResult(fact))));
      } catch (err) {
        reject(err);
      }
    }
  }

  private async factResult(fact: Fact<unknown>): Promise<ExecResult> {
    const canned = this.options.facts?.[fact.id];
    if (canned !== undefined) return typeof canned === 'string' ? { code: 0, stdout: canned, stderr: '' } : canned;
    if (this.options.local) return runSh(fact.command, this.options.cwd);
    throw new Error(`no canned output for fact ${fact.id}`);
  }

  async run(command: string, options: RunOptions = {}): Promise<ExecResult> {
    this.ran.push(command);
    this.labels.push(options.label);
    const result = this.options.local
      ? await runSh(command, this.options.cwd)
      : (this.options.runResult?.(command) ?? { code: 0, stdout: '', stderr: '' });
    if (result.code !== 0 && !options.allowFail) {
      throw new CommandError(command, result.code, result.stdout, result.stderr, options.label);
    }
    return result;
  }

  on(): TaskContext<V> {
    return this;
  }

  once<T>(_key: string, compute: () => Promise<T>): Promise<T> {
    return compute();
  }

  exclusive<T>(_key: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  readonly published = new Map<string, unknown>();

  publish(key: string, value: unknown): void {
    this.published.set(key, value);
  }

  async waitFor<T>(key: string): Promise<T> {
    if (!this.published.has(key)) throw new Error(`FakeContext: nothing published for '${key}'`);
    return this.published.get(key) as T;
  }

  secret(value: string): void {
    this.secrets.push(value);
  }

  log(): void {}

  warn(message: string): void {
    this.warnings.push(message);
  }
}

/** Runs a script with /bin/sh reading it from stdin (no argv length limit for big content). */
export function runSh(script: string, cwd?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(script);
  });
}

/** check, then apply when check found a change: what the runner does outside --check. */
export async function converge<V, C extends Change>(task: Task<V, C>, ctx: TaskContext<V>): Promise<C | null> {
  const change = await task.check(ctx);
  if (change) await task.apply(ctx, change);
  return change;
}
