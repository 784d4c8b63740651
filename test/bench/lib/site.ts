/**
 * Measures playbooks/site.yml on the main lab's 7 hosts, play alone (what is reported:
 * site-report.ts). Each round makes the lab anew (`lab down` + `lab up`: new disks from the base
 * image, the stand-ins' cluster state gone, the repository as this tree's recipes build it), then
 * measures the first build, a no-op re-apply (warm connections) and the re-apply after one drift
 * of the drift catalog. A round is one sample of each: a first build needs fresh hosts anyway.
 *
 * The lab is made anew once more at the end, so the hosts are left as a CI lab suite starts them
 * and as W1 expects them: no cluster running under its measurements (the stand-in kubelets and
 * apiservers would cost CPU), nothing of ours on the masters' 6443 (lb.test puts a fake one there).
 */
import { join } from 'node:path';
import { labDown, labSsh, labUp } from '../../lab/lab.js';
import { lockedByOtherRun, REPO_ROOT, runPlay, runProblems, tail, totalChanged, type EngineRun } from './engines.js';
import { waitLabIdle } from './guard.js';
import {
  changedByHost, driftFixProblem, failedTasks, SITE_DRIFT_MADE, SITE_HOSTS, SITE_INVENTORY_PATH, SITE_PLAYBOOK_PATH, SITE_SCENARIOS,
  type SiteSample, type SiteScenario,
} from './site-report.js';
import { DRIFT_SCRIPT } from './w1.js';

/** What the site part needs of the benchmark's run bookkeeping (run.ts's Bench has it). */
export interface SiteBench {
  run(engine: 'play', job: () => Promise<EngineRun>, guard: boolean): Promise<EngineRun>;
  ran(engine: 'play'): void;
  isWarm(engine: 'play'): boolean;
  readonly notes: string[];
}

type Log = (line: string) => void;

/** Rounds cut short by another play run's host lock are done again, this many times at most. */
const ATTEMPTS = 3;

/** `runs` rounds of first build, no-op and drift; the samples of each scenario, in order. */
export async function runSite<S extends SiteSample>(runs: number, bench: SiteBench, sampleOf: (run: EngineRun) => S, log: Log): Promise<Record<SiteScenario, S[]>> {
  const samples: Record<SiteScenario, S[]> = { first_build: [], noop: [], drift: [] };
  const play = (): Promise<EngineRun> => runPlay({ playbook: join(REPO_ROOT, SITE_PLAYBOOK_PATH), inventory: join(REPO_ROOT, SITE_INVENTORY_PATH) });
  let done = false;
  try {
    for (let i = 1; i <= runs; i++) {
      const round = await measuredRound(`round ${i}`, play, bench, log);
      for (const name of SITE_SCENARIOS) {
        const sample = sampleOf(round[name]);
        samples[name].push(sample);
        log(`site ${name} ${i}/${runs}: ${sample.wall_s.toFixed(2)} s wall, ${sample.cpu_s.toFixed(2)} s cpu, ${sample.execs_per_host_max ?? '?'} execs/host at most, changed ${sample.changed}`);
      }
    }
    done = true;
  } finally {
    await leaveFreshLab(log, done);
  }
  return samples;
}

async function measuredRound(label: string, play: () => Promise<EngineRun>, bench: SiteBench, log: Log): Promise<Record<SiteScenario, EngineRun>> {
  for (let attempt = 1; ; attempt++) {
    const waited = await waitLabIdle(log);
    if (waited > 1) log(`site: waited ${waited.toFixed(0)} s for the lab to be idle`);
    await freshLab(log);
    const round = await roundOnFreshLab(play, bench);
    if (round !== 'locked') return round;
    const note = `site ${label}: attempt ${attempt} discarded (a host was locked by another play run)`;
    log(note);
    bench.notes.push(note);
    if (attempt >= ATTEMPTS) throw new Error(`site ${label}: no valid round in ${attempt} attempts`);
  }
}

/** First build, no-op, drift on a lab just made anew; 'locked' when a foreign play run got in the way. */
async function roundOnFreshLab(play: () => Promise<EngineRun>, bench: SiteBench): Promise<Record<SiteScenario, EngineRun> | 'locked'> {
  const round: Partial<Record<SiteScenario, EngineRun>> = {};
  for (const name of SITE_SCENARIOS) {
    // measured warm, as W1's no-op and drift: ControlPersist keeps a master 60 s
    if (name !== 'first_build' && !bench.isWarm('play')) await bench.run('play', play, false);
    if (name === 'drift') await makeDrift();
    const run = await play();
    bench.ran('play');
    if (lockedByOtherRun(run)) return 'locked';
    const problem = scenarioProblem(name, run);
    if (problem) throw new Error(`site.yml ${name}: ${problem}\n${failedTasks(run.stdout).join('\n') || tail(run.stdout, 30)}`);
    round[name] = run;
  }
  return round as Record<SiteScenario, EngineRun>;
}

/** Why a run is no sample of its scenario ('' when it is one). */
function scenarioProblem(name: SiteScenario, run: EngineRun): string {
  const problems = runProblems(run, SITE_HOSTS).join('; ');
  if (problems) return problems;
  if (name === 'first_build' && totalChanged(run) === 0) return 'the first build on fresh hosts changed nothing';
  if (name === 'noop' && totalChanged(run) !== 0) return `the no-op changed ${totalChanged(run)} task(s): ${JSON.stringify(changedByHost(run.stdout))}`;
  return name === 'drift' ? driftFixProblem(run.stdout) : '';
}

async function makeDrift(): Promise<void> {
  const r = await labSsh('lb1', DRIFT_SCRIPT);
  if (r.code !== 0) throw new Error(`could not make the site drift (${SITE_DRIFT_MADE}): ${r.stderr.trim()}`);
}

/** lab down + lab up: new disks from the base image for every host (the caches stay). */
async function freshLab(log: Log): Promise<void> {
  const started = Date.now();
  const quiet = (line: string): void => log(`site: lab: ${line}`);
  await labDown({ log: quiet });
  await labUp({ log: quiet });
  log(`site: the lab made anew in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Fresh hosts for whatever comes next; after a failure, said but not masking the failure. */
async function leaveFreshLab(log: Log, mustWork: boolean): Promise<void> {
  try {
    await freshLab(log);
  } catch (err) {
    if (mustWork) throw err;
    log(`site: could not make the lab anew after the failure: ${err instanceof Error ? err.message : String(err)}`);
  }
}
