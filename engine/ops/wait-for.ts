import { setTimeout as sleep } from 'node:timers/promises';
import { TaskError } from '../errors.js';
import type { Change, Fact, Task, TaskContext } from '../types.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export type Probe = Fact<boolean> | (() => Promise<boolean>);

export interface WaitForSpec {
  probe: Probe;
  /** Probes in apply after the first failed one in check. */
  retries: number;
  delayMs: number;
  failMessage: string;
}

export interface WaitForChange extends Change {
  readonly spec: WaitForSpec;
}

function isFact(probe: Probe): probe is Fact<boolean> {
  return typeof probe !== 'function';
}

/**
 * In apply a fact probe runs through ctx.run, not ctx.fact: a fact may be answered from the
 * check pass's batch, and a wait needs a fresh reading each time.
 */
async function probeNow<V>(ctx: TaskContext<V>, probe: Probe): Promise<boolean> {
  if (!isFact(probe)) return probe();
  return probe.parse(await ctx.run(probe.command, { allowFail: true, label: `probe ${probe.id}` }));
}

/**
 * Waits until a probe is true. check probes once (all --check does: it reports "would wait");
 * apply retries up to `retries` times, `delayMs` apart, then fails with failMessage. Its check
 * is not prefetched by default: probing ahead of the tasks it waits for tells nothing.
 */
export function waitFor<V>(name: string, spec: SpecFn<V, WaitForSpec>, opts?: TaskOptions<V>): Task<V, WaitForChange> {
  return {
    ...taskMeta(name, opts, false),
    async check(ctx) {
      const s = await spec(ctx);
      const ready = isFact(s.probe) ? await ctx.fact(s.probe) : await s.probe();
      return ready ? null : { summary: `not ready: wait up to ${s.retries} x ${s.delayMs} ms`, spec: s };
    },
    async apply(ctx, change) {
      const { probe, retries, delayMs, failMessage } = change.spec;
      for (let attempt = 1; attempt <= retries; attempt++) {
        await sleep(delayMs);
        if (await probeNow(ctx, probe)) return;
      }
      throw new TaskError(`${failMessage} (not ready after ${retries} tries, ${delayMs} ms apart)`);
    },
  };
}
