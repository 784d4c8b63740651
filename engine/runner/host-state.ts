import type { ConnectionPool } from '../connection/index.js';
import type { Connection, ConnectionSpec, ExecResult, Fact, RunOptions } from '../types.js';
import { FactBatcher, type BatchReport, type ReadAlong } from './fact-batcher.js';

/** A check run ahead of its turn: the facts it asked of its own host (see context.ts Ahead). */
export interface FactWishes {
  readonly asked: ReadonlyMap<string, Fact<unknown>>;
}

/** What of a command's options decides whether facts are read along with it. */
export type HostRunOptions = Pick<RunOptions, 'timeoutMs' | 'poll'>;

/** Per-host state shared by every flow that touches the host (its own, and delegations to it). */
export class HostState {
  /** Bumped by every command run on the host: prefetched checks from an older epoch are stale. */
  epoch = 0;
  readonly batcher: FactBatcher;
  readonly registered = new Map<string, unknown>();
  /** Checks of this host waiting for their turn, whose facts a command reads along (runCommand). */
  private readonly waiting = new Set<FactWishes>();

  constructor(
    readonly connection: Connection,
    onBatch: (batch: BatchReport) => void,
  ) {
    this.batcher = new FactBatcher(connection, onBatch);
  }

  changed(): void {
    this.epoch++;
    this.batcher.invalidate();
  }

  expect(check: FactWishes): void {
    this.waiting.add(check);
  }

  forget(check: FactWishes): void {
    this.waiting.delete(check);
  }

  /** The facts the checks still waiting for their turn asked, once each. */
  expectedFacts(): Fact<unknown>[] {
    const byId = new Map<string, Fact<unknown>>();
    for (const check of this.waiting) for (const [id, fact] of check.asked) byId.set(id, fact);
    return [...byId.values()];
  }

  /**
   * Runs a command that may change the host. The facts the later checks asked ahead are read in
   * the same exec, after it: they answer those checks at the new epoch without a round trip of
   * their own. Not with a timeout (it would cover the reads too) nor for polls.
   */
  async runCommand(command: string, options: HostRunOptions = {}): Promise<ExecResult> {
    const wanted = options.timeoutMs === undefined && !options.poll ? this.expectedFacts() : [];
    const epoch = this.epoch;
    let along: ReadAlong | undefined;
    try {
      if (wanted.length === 0) return await this.connection.exec(command, { timeoutMs: options.timeoutMs });
      along = await this.batcher.runThenRead(command, wanted);
      return along.result;
    } finally {
      this.changed();
      // Another command that ended meanwhile may have changed what the reads saw: then they are not kept.
      if (along && this.epoch === epoch + 1) this.batcher.seed(along.facts);
    }
  }
}

export class HostStates {
  private readonly states = new Map<string, HostState>();

  constructor(
    private readonly pool: ConnectionPool,
    private readonly specOf: (host: string) => ConnectionSpec,
    private readonly onBatch: (host: string, batch: BatchReport) => void,
  ) {}

  get(host: string): HostState {
    let state = this.states.get(host);
    if (!state) {
      state = new HostState(this.pool.get(this.specOf(host)), (batch) => this.onBatch(host, batch));
      this.states.set(host, state);
    }
    return state;
  }
}
