/**
 * What play's terminal view costs the controller, against its plain lines, on a pseudo-terminal:
 *
 * - `measureSyntheticView`: a synthetic run (lib/synthetic-run.ts, no lab) through either
 *   reporter; the CPU is the driver process's, i.e. the reporter's (the events cost next to nothing).
 * - `runPlayInTerminal`: a real play run (e.g. the scale lab's no-op) in a terminal, with either
 *   view, measured like every other engine run (lib/measure.ts), for the bench's scale runs.
 */
import { stripVTControlCharacters } from 'node:util';
import { join } from 'node:path';
import { parseAnsibleRecap, PLAY_BIN, PLAY_CONTROL_DIR, REPO_ROOT, type EngineRun, type PlayOptions } from './engines.js';
import { measure, type Measurement, type TerminalSize } from './measure.js';
import { median, round } from './stats.js';
import { SCALE_NOOP, type SyntheticRun } from './synthetic-run.js';

/** live: the view play shows in a terminal (engine/report/terminal.ts); plain: the ordered lines (as with CI=true). */
export type TerminalViewKind = 'live' | 'plain';

/** A common terminal: 50 rows (issue 17's), 120 columns. */
export const TERMINAL: TerminalSize = { rows: 50, columns: 120 };

export const TERMINAL_DRIVER = join(REPO_ROOT, 'dist/test/bench/terminal-driver.js');

/** The environment that makes play pick the view: CI unset for the live view, set for plain. */
export function viewEnv(view: TerminalViewKind, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { CI: _ci, NO_COLOR: _noColor, ...rest } = base;
  return view === 'plain' ? { ...rest, CI: 'true', NO_COLOR: '1' } : { ...rest, TERM: base.TERM ?? 'xterm-256color' };
}

export interface ViewCost {
  readonly view: TerminalViewKind;
  readonly hosts: number;
  readonly wallS: number;
  /** user+sys of the process on the terminal (the driver, or play with its ssh children). */
  readonly cpuS: number;
  readonly maxRssMb: number;
  /** Bytes written to the terminal. */
  readonly terminalBytes: number;
  readonly code: number;
  readonly output: string;
}

function costOf(view: TerminalViewKind, hosts: number, m: Measurement): ViewCost {
  return { view, hosts, wallS: m.wallS, cpuS: m.cpuS, maxRssMb: m.maxRssMb, terminalBytes: Buffer.byteLength(m.stdout), code: m.code, output: m.stdout };
}

/** One synthetic run through one view on a pseudo-terminal of `size`. */
export async function measureSyntheticView(view: TerminalViewKind, run: SyntheticRun, size: TerminalSize = TERMINAL): Promise<ViewCost> {
  const args = [
    TERMINAL_DRIVER, '--view', view, '--hosts', String(run.hosts), '--tasks', String(run.tasks), '--forks', String(run.forks),
    '--host-seconds', String(run.hostSeconds), '--failed', String(run.failed ?? 0), '--unreachable', String(run.unreachable ?? 0),
    '--change-every', String(run.changeEvery ?? 0),
  ];
  const m = await measure(process.execPath, args, { env: viewEnv(view), controlDir: '/nonexistent', terminal: size, timeoutMs: 10 * 60_000 });
  return costOf(view, run.hosts, m);
}

export interface ViewComparison {
  readonly hosts: number;
  readonly runs: number;
  readonly live_cpu_s: number;
  readonly plain_cpu_s: number;
  /** live / plain controller CPU (target at 200 hosts: <= 1.10). */
  readonly cpu_ratio: number;
  readonly live_wall_s: number;
  readonly plain_wall_s: number;
  readonly live_terminal_kb: number;
  readonly plain_terminal_kb: number;
}

/**
 * The synthetic no-op (20 tasks, forks 50) at each size, alternating live and plain, `runs`
 * times each; medians. A host waits SCALE_NOOP.hostSeconds for its checks whatever the size,
 * so the run's events per second grow with the number of hosts, as on the scale lab.
 */
export async function compareTerminalViews(
  sizes: readonly number[],
  runs: number,
  log: (line: string) => void,
  size: TerminalSize = TERMINAL,
  base: SyntheticRun = SCALE_NOOP,
): Promise<ViewComparison[]> {
  const out: ViewComparison[] = [];
  for (const hosts of sizes) {
    const samples: Record<TerminalViewKind, ViewCost[]> = { live: [], plain: [] };
    for (let i = 0; i < runs; i++) {
      for (const view of ['live', 'plain'] as const) {
        const cost = await measureSyntheticView(view, { ...base, hosts }, size);
        if (cost.code !== 0) throw new Error(`terminal view ${view} at ${hosts} hosts exited ${cost.code}: ${stripVTControlCharacters(cost.output).slice(-2000)}`);
        samples[view].push(cost);
        log(`terminal view ${view}, ${hosts} hosts, run ${i + 1}/${runs}: ${cost.cpuS.toFixed(2)} s CPU, ${cost.wallS.toFixed(2)} s wall, ${(cost.terminalBytes / 1024).toFixed(0)} KB to the terminal`);
      }
    }
    const med = (view: TerminalViewKind, key: 'cpuS' | 'wallS' | 'terminalBytes'): number => median(samples[view].map((s) => s[key]));
    out.push({
      hosts,
      runs,
      live_cpu_s: round(med('live', 'cpuS')),
      plain_cpu_s: round(med('plain', 'cpuS')),
      cpu_ratio: round(med('live', 'cpuS') / med('plain', 'cpuS'), 3),
      live_wall_s: round(med('live', 'wallS')),
      plain_wall_s: round(med('plain', 'wallS')),
      live_terminal_kb: round(med('live', 'terminalBytes') / 1024, 1),
      plain_terminal_kb: round(med('plain', 'terminalBytes') / 1024, 1),
    });
  }
  return out;
}

/**
 * A real play run in a terminal, showing `view` (no --json: what a user sees). Per-host results
 * come from the PLAY RECAP (the same columns as Ansible's); execs are not known this way.
 */
export async function runPlayInTerminal(opts: PlayOptions, view: TerminalViewKind, size: TerminalSize = TERMINAL): Promise<EngineRun & { readonly view: TerminalViewKind }> {
  const m = await measure(process.execPath, [PLAY_BIN, opts.playbook, '-i', opts.inventory, ...(opts.extraArgs ?? [])], {
    cwd: REPO_ROOT,
    env: viewEnv(view, { ...process.env, SHLVL: '1', ...opts.env }),
    controlDir: PLAY_CONTROL_DIR,
    timeoutMs: 15 * 60_000,
    terminal: size,
  });
  return { ...m, engine: 'play', view, hosts: parseAnsibleRecap(stripVTControlCharacters(m.stdout).replace(/\r/g, '')) };
}
