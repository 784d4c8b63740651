/**
 * Runs one engine command and measures it the same way for both engines: wall time, the CPU of
 * the whole process tree (GNU time: user+sys of every reaped descendant) plus the CPU of the SSH
 * control masters it used, the peak RSS of its largest process (GNU time %M) and the peak of the
 * sum of RSS over its process tree (sampled every 50 ms). With `terminal`, the command runs on a
 * pseudo-terminal of that size (what a user at a terminal sees), its output being the terminal's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shq } from '../../../engine/shell.js';
import { controlMasters, machineBusySeconds, mastersCpuDelta, processTree, rssBytes } from './proc.js';

export interface Measurement {
  /** Seconds from spawn to exit. */
  readonly wallS: number;
  /** user+sys seconds of the process tree (getrusage of reaped children). */
  readonly treeCpuS: number;
  /** CPU seconds of the engine's SSH control masters during the run. */
  readonly mastersCpuS: number;
  /** treeCpuS + mastersCpuS: everything the run cost the controller. */
  readonly cpuS: number;
  /** CPU seconds the whole machine (controller and lab hosts, which share it) was busy. */
  readonly machineCpuS: number;
  /** Peak RSS of the largest single process of the tree (MB). */
  readonly maxRssMb: number;
  /** Peak of the summed RSS of the tree, sampled (MB; shared pages count once per process). */
  readonly treeRssMb: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MeasureOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the engine's control sockets live (their masters' CPU is counted). */
  readonly controlDir: string;
  readonly timeoutMs?: number;
  readonly sampleMs?: number;
  /** Run on a pseudo-terminal of this size (util-linux script) instead of with pipes. */
  readonly terminal?: TerminalSize;
}

export interface TerminalSize {
  readonly rows: number;
  readonly columns: number;
}

/**
 * The command line that runs argv on a new pseudo-terminal of `size` (util-linux script: -q no
 * banner, -f flush at once, -e its exit code). GNU time goes inside, so script's own copying of
 * the terminal's bytes is not counted as the command's CPU.
 */
export function inTerminal(argv: readonly string[], size: TerminalSize): [string, string[]] {
  const command = `stty rows ${size.rows} cols ${size.columns} && exec ${argv.map((a) => shq(a)).join(' ')}`;
  return ['script', ['-qfec', command, '/dev/null']];
}

export function measure(cmd: string, args: readonly string[], opts: MeasureOptions): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'play-bench-time-'));
  const timeFile = join(dir, 'time');
  const mastersBefore = controlMasters(opts.controlDir);
  const machineBefore = machineBusySeconds();
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const timed = ['/usr/bin/time', '-f', '%e %U %S %M', '-o', timeFile, cmd, ...args];
    const [bin, argv] = opts.terminal ? inTerminal(timed, opts.terminal) : [timed[0]!, timed.slice(1)];
    const child = spawn(bin, argv, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let treePeak = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const sample = (): void => {
      if (child.pid === undefined) return;
      // the time (and script) processes are tiny and constant; the engine is their only child
      const tree = processTree(child.pid).slice(opts.terminal ? 2 : 1);
      const total = tree.reduce((sum, pid) => sum + rssBytes(pid), 0);
      if (total > treePeak) treePeak = total;
    };
    const sampler = setInterval(sample, opts.sampleMs ?? 50);
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      clearInterval(sampler);
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      clearInterval(sampler);
      if (timer) clearTimeout(timer);
      const machineCpuS = machineBusySeconds() - machineBefore;
      const mastersCpuS = mastersCpuDelta(mastersBefore, controlMasters(opts.controlDir));
      let user = 0;
      let sys = 0;
      let maxRssKb = 0;
      try {
        const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        const [, u, s, m] = line.split(' ').map(Number);
        user = u ?? 0;
        sys = s ?? 0;
        maxRssKb = m ?? 0;
      } catch {
        // time could not write (the command was not found): code says so
      }
      rmSync(dir, { recursive: true, force: true });
      const treeCpuS = user + sys;
      resolve({
        wallS,
        treeCpuS,
        mastersCpuS,
        cpuS: treeCpuS + mastersCpuS,
        machineCpuS,
        maxRssMb: maxRssKb / 1024,
        treeRssMb: treePeak / (1024 * 1024),
        // 124 as timeout(1): a run cut short is no sample, whatever the killed process returned
        code: timedOut ? 124 : (code ?? 1),
        stdout,
        stderr,
      });
    });
  });
}
