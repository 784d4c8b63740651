import type { Change } from '../types.js';
import type { Ahead } from './context.js';
import type { HostStates } from './host-state.js';
import type { PlannedTask } from './plan.js';

export type CheckOutcome = { readonly change: Change | null } | { readonly error: unknown };

/** A check run ahead of its turn, with the epoch of every host it read at the moment it read it. */
export interface Prefetch {
  readonly ahead: Ahead;
  readonly result: Promise<CheckOutcome>;
}

/**
 * The checks one host ran ahead, across every play of the run: a no-op run asks all of them in
 * one batch. An entry is only used while no host it read has run a command since (checks may
 * read other hosts, e.g. the masters' public keys), so speculation never changes an outcome.
 */
export class PrefetchStore {
  private readonly entries = new Map<PlannedTask, Prefetch>();

  constructor(private readonly hosts: HostStates) {}

  /** The check's facts are read along with the host's commands until its turn comes. */
  put(task: PlannedTask, prefetch: Prefetch): void {
    this.remove(task);
    this.entries.set(task, prefetch);
    this.hosts.get(prefetch.ahead.host).expect(prefetch.ahead);
  }

  /** The entry, if it is still fresh; it is removed either way. */
  take(task: PlannedTask): Prefetch | undefined {
    const entry = this.remove(task);
    return entry && this.isFresh(entry) ? entry : undefined;
  }

  private remove(task: PlannedTask): Prefetch | undefined {
    const entry = this.entries.get(task);
    if (!entry) return undefined;
    this.entries.delete(task);
    this.hosts.get(entry.ahead.host).forget(entry.ahead);
    return entry;
  }

  hasFresh(task: PlannedTask): boolean {
    const entry = this.entries.get(task);
    return entry !== undefined && this.isFresh(entry);
  }

  isFresh(entry: Prefetch): boolean {
    for (const [host, epoch] of entry.ahead.reads) if (this.hosts.get(host).epoch !== epoch) return false;
    return true;
  }
}
