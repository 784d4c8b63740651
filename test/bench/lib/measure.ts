/**
 * Runs one engine command and measures it the same way for both engines: wall time, the CPU of
 * the whole process tree (GNU time: user+sys of every reaped descendant) plus the CPU of the SSH
 * control masters it used, the peak RSS of its largest process (GNU time %M) and the peak of the
 * sum of RSS over its process tree (sampled every 50 ms).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

export function measure(cmd: string, args: readonly string[], opts: MeasureOptions): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'play-bench-time-'));
  const timeFile = join(dir, 'time');
  const mastersBefore = controlMasters(opts.controlDir);
  const machineBefore = machineBusySeconds();
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args], {
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
      // the time process itself is tiny and constant; the engine is its only child
      const tree = processTree(child.pid).slice(1);
      const total = tree.reduce((sum, pid) => sum + rssBytes(pid), 0);
      if (total > treePeak) treePeak = total;
    };
    const sampler = setInterval(sample, opts.sampleMs ?? 50);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs) : undefined;
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
        code: code ?? 1,
        stdout,
        stderr,
      });
    });
  });
}
