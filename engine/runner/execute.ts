import pLimit from 'p-limit';
import { ConnectionPool } from '../connection/index.js';
import type { SshSettings } from '../connection/ssh.js';
import type { ConnectionSpec, ConnectionStats } from '../types.js';
import { Coordination } from './coordination.js';
import { exitCodeOf, type PlayInfo, type RunEvents, type RunReport } from './events.js';
import { HostFlow, type FlowDeps, type HostOutcome } from './host-flow.js';
import { HostStates } from './host-state.js';
import { PrefetchStore } from './prefetch.js';
import type { Plan, PlannedPlay } from './plan.js';
import { RunRecord } from './run-record.js';

export interface ExecuteSettings {
  readonly check: boolean;
  readonly forks: number;
  readonly ssh: SshSettings;
  readonly connectionSpec: (host: string) => ConnectionSpec;
}

/** Runs the plays in order; within a play, hosts in parallel (forks), tasks in order per host. */
export async function execute(plan: Plan, settings: ExecuteSettings, events: RunEvents): Promise<RunReport> {
  return new Run(plan, settings, events).runPlays();
}

/** The hosts of a play that run, in the batches `serial` cuts them into. */
interface PlayPlan {
  readonly info: PlayInfo;
  readonly batches: readonly (readonly string[])[];
}

/**
 * One run of a plan. Its steps: plan a play (which hosts, in which batches), run a batch, run a
 * host through the play, prefetch a host's later plays (when the host starts its first one), and
 * record a result (RunRecord). Cross-host state lives here and in Coordination, nowhere else.
 */
class Run {
  private readonly started = Date.now();
  private readonly record: RunRecord;
  private readonly pool: ConnectionPool;
  private readonly hosts: HostStates;
  private readonly coordination = new Coordination();
  /** Hosts that failed or were unreachable: they sit out the later plays. */
  private readonly dead = new Set<string>();
  /** Plays stopped on every host by any_errors_fatal. */
  private readonly aborted = new Set<PlannedPlay>();
  /** Per host, the checks it asked ahead of their turn, across all its plays. */
  private readonly prefetches = new Map<string, PrefetchStore>();

  constructor(
    private readonly plan: Plan,
    private readonly settings: ExecuteSettings,
    private readonly events: RunEvents,
  ) {
    this.record = new RunRecord(plan.redactor, events);
    this.pool = new ConnectionPool(settings.ssh);
    this.hosts = new HostStates(this.pool, settings.connectionSpec, (host, batch) => {
      const how = batch.alongCommand ? 'read after a command, in its exec' : 'in one exec';
      events.log(host, 2, `facts: ${batch.ids.length} ${how} (${batch.ms} ms)`);
      // Fact ids hold command text: masked like every other log line.
      events.log(host, 4, this.record.redact(`facts asked: ${batch.ids.join(', ')}`));
    });
  }

  async runPlays(): Promise<RunReport> {
    this.plan.warnings.forEach((w) => this.record.warn(w));
    for (const planned of this.plan.plays) {
      if (!(await this.runPlay(planned))) break;
    }
    await this.pool.closeAll();
    return this.report();
  }

  /** False when any_errors_fatal stopped the play, and with it the run. */
  private async runPlay(planned: PlannedPlay): Promise<boolean> {
    const { info, batches } = this.planPlay(planned);
    this.events.playStart(info);
    info.hosts.forEach((h) => this.record.hostStarts(h));
    for (const batch of batches) {
      const outcomes = await this.runBatch(planned, batch);
      if (this.aborted.has(planned) || outcomes.every((o) => o === 'failed' || o === 'unreachable')) break;
    }
    await this.events.playEnd(info);
    return !this.aborted.has(planned);
  }

  private planPlay(planned: PlannedPlay): PlayPlan {
    const hosts = planned.hosts.filter((h) => !this.dead.has(h));
    return { info: { name: this.record.redact(planned.play.name), hosts, index: planned.play.index }, batches: batches(hosts, planned) };
  }

  private runBatch(planned: PlannedPlay, hosts: readonly string[]): Promise<HostOutcome[]> {
    const limit = pLimit(Math.max(1, this.settings.forks));
    return Promise.all(hosts.map((host) => limit(() => this.runHost(planned, host))));
  }

  private async runHost(planned: PlannedPlay, host: string): Promise<HostOutcome> {
    if (!this.prefetches.has(host)) this.prefetchLaterPlays(host, planned);
    this.coordination.flowStarted();
    const flow = new HostFlow(host, planned, this.flowDeps(planned), this.prefetches.get(host)!);
    const outcome = await flow.run().finally(() => this.coordination.flowEnded());
    this.events.hostEnd(host);
    if (outcome === 'failed' || outcome === 'unreachable') {
      this.dead.add(host);
      if (planned.play.anyErrorsFatal) this.aborted.add(planned);
    }
    return outcome;
  }

  /**
   * The host starts its first play: the checks of its later plays are asked now, in the same
   * batch as this play's, so a no-op run costs one round trip per host whatever the plays.
   */
  private prefetchLaterPlays(host: string, first: PlannedPlay): void {
    const store = new PrefetchStore(this.hosts);
    this.prefetches.set(host, store);
    for (const later of this.plan.plays) {
      if (later.play.index > first.play.index && later.hosts.includes(host)) new HostFlow(host, later, this.flowDeps(later), store).prefetchAhead();
    }
  }

  private flowDeps(planned: PlannedPlay): FlowDeps {
    return {
      hosts: this.hosts,
      view: this.plan.view,
      coordination: this.coordination,
      redactor: this.plan.redactor,
      checkMode: this.settings.check,
      log: (host, level, message) => this.events.log(host, level, this.record.redact(message)),
      warn: (host, message) => this.record.warn(`${host}: ${message}`),
      emitStart: (host, role, task) => this.events.taskStart(host, role, task),
      emitEnd: (result) => this.record.record(result),
      aborted: () => this.aborted.has(planned),
    };
  }

  private report(): RunReport {
    const { stats, results, warnings } = this.record;
    const connections = new Map<string, ConnectionStats>([...this.pool.all()].map(([h, c]) => [h, { ...c.stats }]));
    return { stats, results, connections, warnings, durationMs: Date.now() - this.started, exitCode: exitCodeOf(stats), check: this.settings.check };
  }
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
