/**
 * `npm run bench -- --resume`: a full benchmark takes hours on a 2-core machine, longer than a
 * working session may last. The report is written after each part (W1, site, the scale part's
 * setup and each of its sizes), so a run that was stopped can go on from its last checkpoint:
 * the parts in results.json are kept, the rest is measured, the report says it was resumed. A
 * run made with fewer --sizes can be resumed with more (a long run done in stages).
 * A part is the unit: one stopped in its middle is measured again from its start.
 */
import type { AnsibleEngine, Strategy } from './engines.js';
import type { Results } from './report.js';

/** The flags that decide what a run measures: a resumed run must be given the same. */
export interface ResumeFlags {
  readonly quick: boolean;
  readonly runs: number;
  readonly scaleRuns: number;
}

/** What a stopped run already measured. */
export interface DoneParts {
  readonly w1: boolean;
  readonly site: boolean;
  /** The scale part's equivalence check (engines converge parts of the smallest size). */
  readonly scaleEquivalence: boolean;
  /** Each peer's strategy on the scale workload, when its trial ran. */
  readonly scaleStrategies: Partial<Record<AnsibleEngine, Strategy>>;
  /** Scale sizes measured (hosts). */
  readonly sizes: readonly number[];
}

/** The parts this run's flags ask for (--only, --sizes). */
export interface WantedParts {
  readonly w1: boolean;
  readonly site: boolean;
  readonly sizes: readonly number[];
}

/**
 * Why results.json cannot be resumed with these flags, or undefined when it can: it must exist,
 * have been made with the same --quick/--runs/--scale-runs, and lack a part the flags ask for (a
 * run stopped midway, or one made with fewer sizes: a long run can be done in stages).
 */
export function resumeProblem(results: Results | undefined, file: string, flags: ResumeFlags, wanted: WantedParts): string | undefined {
  if (!results) return `nothing to resume: ${file} does not exist`;
  const done = doneParts(results);
  const left = (wanted.w1 && !done.w1) || (wanted.site && !done.site) || wanted.sizes.some((n) => !done.sizes.includes(n));
  if (!left) return `nothing to resume: ${file} already holds every part these flags ask for`;
  const mode = flags.quick ? 'quick' : 'full';
  if (results.mode !== mode) return `${file} is a ${results.mode} run: resume it ${results.mode === 'quick' ? 'with' : 'without'} --quick`;
  if (results.runs_per_scenario !== flags.runs) return `${file} has ${results.runs_per_scenario} runs per W1 scenario: resume it with --runs ${results.runs_per_scenario}`;
  if (results.scale_runs !== flags.scaleRuns) return `${file} has ${results.scale_runs} runs per scale size: resume it with --scale-runs ${results.scale_runs}`;
  return undefined;
}

/** The parts a checkpoint holds (W1 and site are written whole; the scale part size by size). */
export function doneParts(results: Results): DoneParts {
  const scaleStrategies: Partial<Record<AnsibleEngine, Strategy>> = {};
  if (results.ansible.scale_strategy) scaleStrategies.ansible = results.ansible.scale_strategy;
  if (results.mitogen?.scale_strategy) scaleStrategies.mitogen = results.mitogen.scale_strategy;
  return {
    w1: results.w1.hosts > 0,
    site: results.site !== undefined,
    scaleEquivalence: results.scale_equivalent !== undefined,
    scaleStrategies,
    sizes: results.scale.map((s) => s.hosts),
  };
}

/** How many runs each part makes (the flags --runs, --site-runs, --scale-runs). */
export interface PartRuns {
  readonly runs: number;
  readonly siteRuns: number;
  readonly scaleRuns: number;
}

/** The run's first log line: what it measures, and what it keeps from the run it resumes. */
export function describePlan(mode: string, wanted: WantedParts, runs: PartRuns, done?: DoneParts): string {
  const part = (asked: boolean, kept: boolean | undefined, name: string, detail: string): string => (!asked ? '' : kept ? `${name} kept` : `${name} ${detail}`);
  const sizesLeft = wanted.sizes.filter((n) => !done?.sizes.includes(n));
  const sizesKept = wanted.sizes.filter((n) => done?.sizes.includes(n));
  const parts = [
    part(wanted.w1, done?.w1, 'W1', `${runs.runs} runs per scenario`),
    part(wanted.site, done?.site, 'site', `${runs.siteRuns} rounds`),
    part(wanted.sizes.length > 0, sizesLeft.length === 0, 'scale',
      `sizes ${sizesLeft.join(', ')}, ${runs.scaleRuns} runs each${sizesKept.length ? ` (kept: ${sizesKept.join(', ')})` : ''}`),
  ].filter(Boolean);
  return `benchmark (${mode})${done ? ', resumed' : ''}: ${parts.join('; ') || 'nothing'}`;
}
