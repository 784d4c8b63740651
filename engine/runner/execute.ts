import pLimit from 'p-limit';
import { ConnectionPool } from '../connection/index.js';
import type { SshSettings } from '../connection/ssh.js';
import type { ConnectionSpec, ConnectionStats, FileDiff } from '../types.js';
import { Coordination } from './coordination.js';
import { emptyStats, exitCodeOf, type HostStats, type RunEvents, type RunReport, type TaskResult } from './events.js';
import { HostFlow, type FlowDeps } from './host-flow.js';
import { HostStates } from './host-state.js';
import { PrefetchStore } from './prefetch.js';
import type { Plan, PlannedPlay } from './plan.js';

export interface ExecuteSettings {
  readonly check: boolean;
  readonly forks: number;
  readonly ssh: SshSettings;
  readonly connectionSpec: (host: string) => ConnectionSpec;
}

/** Runs the plays in order; within a play, hosts in parallel (forks), tasks in order per host. */
export async function execute(plan: Plan, settings: ExecuteSettings, events: RunEvents): Promise<RunReport> {
  const started = Date.now();
  const redact = (text: string): string => plan.redactor.redact(text);
  const stats = new Map<string, HostStats>();
  const results: TaskResult[] = [];
  const warnings = [...plan.warnings];
  const pool = new ConnectionPool(settings.ssh);
  const hosts = new HostStates(pool, settings.connectionSpec, (host, batch) => {
    events.log(host, 2, `facts: ${batch.ids.length} in one exec (${batch.ms} ms)`);
    // Fact ids hold command text: masked like every other log line.
    events.log(host, 4, redact(`facts asked: ${batch.ids.join(', ')}`));
  });
  const coordination = new Coordination();
  const dead = new Set<string>();
  warnings.forEach((w) => events.warn(redact(w)));

  const statsOf = (host: string): HostStats => {
    let s = stats.get(host);
    if (!s) stats.set(host, (s = emptyStats()));
    return s;
  };

  const record = (result: TaskResult): void => {
    const clean = redactResult(result, redact);
    results.push(clean);
    const s = statsOf(clean.host);
    if (clean.status === 'changed') {
      s.changed++;
      s.ok++;
    } else s[clean.status]++;
    events.taskEnd(clean);
  };

  const deps = new Map<PlannedPlay, FlowDeps>();
  const aborted = new Set<PlannedPlay>();
  const depsOf = (planned: PlannedPlay): FlowDeps => {
    let d = deps.get(planned);
    if (!d) {
      d = {
        hosts,
        view: plan.view,
        coordination,
        redactor: plan.redactor,
        checkMode: settings.check,
        log: (host, level, message) => events.log(host, level, redact(message)),
        warn: (host, message) => {
          const text = redact(`${host}: ${message}`);
          warnings.push(text);
          events.warn(text);
        },
        emitStart: (host, role, task) => events.taskStart(host, role, task),
        emitEnd: record,
        aborted: () => aborted.has(planned),
      };
      deps.set(planned, d);
    }
    return d;
  };
  const prefetches = new Map<string, PrefetchStore>();
  const prefetchesOf = (host: string, first: PlannedPlay): PrefetchStore => {
    let store = prefetches.get(host);
    if (!store) {
      store = new PrefetchStore(hosts);
      prefetches.set(host, store);
      // The host's first play: ask the checks of its later plays now, in the same batch.
      plan.plays
        .filter((later) => later.play.index > first.play.index && later.hosts.includes(host))
        .forEach((later) => new HostFlow(host, later, depsOf(later), store!).prefetchAll());
    }
    return store;
  };

  for (const planned of plan.plays) {
    const runnable = planned.hosts.filter((h) => !dead.has(h));
    const info = { name: redact(planned.play.name), hosts: runnable, index: planned.play.index };
    events.playStart(info);
    runnable.forEach(statsOf);
    const flowDeps = depsOf(planned);
    for (const batch of batches(runnable, planned)) {
      const limit = pLimit(Math.max(1, settings.forks));
      const outcomes = await Promise.all(
        batch.map((host) =>
          limit(async () => {
            coordination.flowStarted();
            const flow = new HostFlow(host, planned, flowDeps, prefetchesOf(host, planned));
            const outcome = await flow.run().finally(() => coordination.flowEnded());
            if (outcome === 'failed' || outcome === 'unreachable') {
              dead.add(host);
              if (planned.play.anyErrorsFatal) aborted.add(planned);
            }
            return outcome;
          }),
        ),
      );
      if (aborted.has(planned) || outcomes.every((o) => o === 'failed' || o === 'unreachable')) break;
    }
    await events.playEnd(info);
    if (aborted.has(planned)) break;
  }
  await pool.closeAll();
  const connections = new Map<string, ConnectionStats>([...pool.all()].map(([h, c]) => [h, { ...c.stats }]));
  return { stats, results, connections, warnings, durationMs: Date.now() - started, exitCode: exitCodeOf(stats), check: settings.check };
}

/** Ansible's serial: batch sizes (numbers or percentages), the last one repeating. */
export function batches(hosts: readonly string[], planned: PlannedPlay): string[][] {
  const serial = planned.play.serial;
  if (serial.length === 0) return [hosts.slice()];
  const out: string[][] = [];
  let i = 0;
  let step = 0;
  while (i < hosts.length) {
    const spec = serial[Math.min(step, serial.length - 1)]!;
    const size = typeof spec === 'number' ? spec : Math.max(1, Math.floor((hosts.length * Number(spec.slice(0, -1))) / 100));
    out.push(hosts.slice(i, i + size));
    i += size;
    step++;
  }
  return out;
}

function redactResult(result: TaskResult, redact: (t: string) => string): TaskResult {
  return {
    ...result,
    task: redact(result.task),
    summary: result.summary === undefined ? undefined : redact(result.summary),
    error: result.error === undefined ? undefined : redact(result.error),
    // Secret files arrive with every line masked by the op; redaction is the second net.
    diffs: result.diffs?.map((d): FileDiff => ({ ...d, before: d.before === null ? null : redact(d.before), after: d.after === null ? null : redact(d.after) })),
  };
}
