import { setTimeout as sleep } from 'node:timers/promises';
import { TaskError } from '../errors.js';
import type { Change, Fact, Task, TaskContext } from '../types.js';
import { notThereYet } from './must.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

/** What a probe can say beyond yes or no. */
export interface WaitReading {
  readonly ready: boolean;
  /** What is still awaited, for the change's summary ("waited for worker1 to be Ready"). */
  readonly waiting?: string;
  /** Why it is not ready, for the failure after the last try. */
  readonly why?: string;
  /** Waiting cannot help (nothing to wait for): an error at once, or under --check the pending summary. */
  readonly hopeless?: string;
}

export type ProbeAnswer = boolean | WaitReading;
export type Probe = Fact<ProbeAnswer> | (() => Promise<ProbeAnswer>);

export interface WaitForSpec {
  probe: Probe;
  /** The host a fact probe asks (the first master); default the task's own. */
  on?: string;
  /** Probes in apply after the first failed one in check. */
  retries: number;
  delayMs: number;
  /** The failure after the last try: a text (the tries are added) or made from the last reading. */
  failMessage: string | ((last: WaitReading) => string | Promise<string>);
  /** The task only waits for what others bring about: reported ok, never changed. */
  waitOnly?: boolean;
  /** Under --check, when the probe is hopeless (what it waits on is made earlier in the run). */
  pending?: string;
}

export interface WaitForChange extends Change {
  readonly spec: WaitForSpec;
  readonly last: WaitReading;
}

function isFact(probe: Probe): probe is Fact<ProbeAnswer> {
  return typeof probe !== 'function';
}

function reading(answer: ProbeAnswer): WaitReading {
  return typeof answer === 'boolean' ? { ready: answer } : answer;
}

function probeHost<V>(ctx: TaskContext<V>, spec: WaitForSpec): TaskContext<V> {
  return spec.on === undefined ? ctx : ctx.on(spec.on);
}

/**
 * In apply a fact probe runs through ctx.run, not ctx.fact: a fact may be answered from the
 * check pass's batch, and a wait needs a fresh reading each time.
 */
async function probeNow<V>(ctx: TaskContext<V>, probe: Probe): Promise<WaitReading> {
  if (!isFact(probe)) return reading(await probe());
  return reading(probe.parse(await ctx.run(probe.command, { allowFail: true, poll: true, label: `probe ${probe.id}` })));
}

async function failure(spec: WaitForSpec, last: WaitReading): Promise<string> {
  if (typeof spec.failMessage === 'function') return await spec.failMessage(last);
  return `${spec.failMessage} (not ready after ${spec.retries} tries, ${spec.delayMs} ms apart)`;
}

/**
 * Waits until a probe is ready. check probes once (all --check does: it reports "would wait");
 * apply retries up to `retries` times, `delayMs` apart, then fails with failMessage. Its check
 * is not prefetched by default: probing ahead of the tasks it waits for tells nothing.
 */
export function waitFor<V>(name: string, specOf: SpecFn<V, WaitForSpec>, opts?: TaskOptions<V>): Task<V, WaitForChange> {
  return {
    ...taskMeta(name, opts, false),
    async check(ctx) {
      const spec = await specOf(ctx);
      const host = probeHost(ctx, spec);
      const last = reading(isFact(spec.probe) ? await host.fact(spec.probe) : await spec.probe());
      const waitOnly = spec.waitOnly ? { waitOnly: true } : {};
      if (last.hopeless !== undefined) return notThereYet(ctx, { summary: spec.pending ?? last.hopeless, spec, last, ...waitOnly }, last.hopeless);
      if (last.ready) return null;
      return { summary: last.waiting ?? `not ready: wait up to ${spec.retries} x ${spec.delayMs} ms`, spec, last, ...waitOnly };
    },
    async apply(ctx, change) {
      const { spec } = change;
      const host = probeHost(ctx, spec);
      let last = change.last;
      for (let attempt = 1; attempt <= spec.retries; attempt++) {
        await sleep(spec.delayMs);
        last = await probeNow(host, spec.probe);
        if (last.ready) return;
        if (last.hopeless !== undefined) throw new TaskError(last.hopeless);
      }
      throw new TaskError(await failure(spec, last));
    },
  };
}
