/**
 * `node dist/test/bench/terminal-driver.js --view live|plain --hosts N [--tasks 20] [--forks 50]
 * [--host-seconds 1.9] [--failed N] [--unreachable N] [--change-every N]`: one synthetic run
 * (lib/synthetic-run.ts) through play's terminal reporter (live) or its plain lines, for
 * lib/terminal-view.ts to measure on a pseudo-terminal.
 */
import { TerminalReporter } from '../../engine/report/terminal.js';
import { PlainReporter } from '../../engine/report/plain.js';
import type { Reporter, ReporterOptions } from '../../engine/report/reporter.js';
import { replay, SCALE_NOOP, type SyntheticRun } from './lib/synthetic-run.js';

function option(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

function numberOption(argv: readonly string[], flag: string, fallback: number): number {
  const text = option(argv, flag);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a number >= 0`);
  return n;
}

/** The reporters as the CLI makes them in a terminal: live with colour, plain (CI=true) without. */
function reporterFor(view: string): Reporter {
  const base = { verbosity: 0, diff: false, out: (l: string) => void process.stdout.write(`${l}\n`), err: (l: string) => void process.stderr.write(`${l}\n`) };
  const options: ReporterOptions = { ...base, color: view === 'live' };
  if (view === 'live') return new TerminalReporter(options);
  if (view === 'plain') return new PlainReporter(options);
  throw new Error('--view must be live or plain');
}

async function main(argv: readonly string[]): Promise<number> {
  const run: SyntheticRun = {
    hosts: numberOption(argv, '--hosts', SCALE_NOOP.hosts),
    tasks: numberOption(argv, '--tasks', SCALE_NOOP.tasks),
    forks: Math.max(1, numberOption(argv, '--forks', SCALE_NOOP.forks)),
    hostSeconds: numberOption(argv, '--host-seconds', SCALE_NOOP.hostSeconds),
    failed: numberOption(argv, '--failed', 0),
    unreachable: numberOption(argv, '--unreachable', 0),
    changeEvery: numberOption(argv, '--change-every', 0),
  };
  return replay(run, reporterFor(option(argv, '--view') ?? 'live'));
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    process.stderr.write(`terminal-driver: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
