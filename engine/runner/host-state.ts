import type { ConnectionPool } from '../connection/index.js';
import type { Connection, ConnectionSpec } from '../types.js';
import { FactBatcher, type BatchReport } from './fact-batcher.js';

/** Per-host state shared by every flow that touches the host (its own, and delegations to it). */
export class HostState {
  /** Bumped by every command run on the host: prefetched checks from an older epoch are stale. */
  epoch = 0;
  readonly batcher: FactBatcher;
  readonly registered = new Map<string, unknown>();

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
