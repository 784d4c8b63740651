/**
 * What the benchmark does the same way for its two Ansible engines, stock ansible-playbook and
 * ansible-playbook with Mitogen: each runs with the faster of its two strategies (linear or free,
 * measured on a no-op), and each is measured on the scale curve only where one run takes under
 * 10 minutes; beyond, its time is extrapolated from the sizes measured, and marked as such.
 */
import type { Strategy } from './engines.js';
import { linearFit, median } from './stats.js';

export interface StrategyTrial {
  linear_noop_median_s: number;
  free_noop_median_s: number;
}

/** `rounds` no-ops with each strategy, alternating; the faster by the medians of their walls. */
export async function fasterStrategy(rounds: number, noop: (strategy: Strategy) => Promise<number>): Promise<{ strategy: Strategy; trial: StrategyTrial }> {
  const walls: Record<Strategy, number[]> = { linear: [], free: [] };
  for (let i = 0; i < rounds; i++) {
    for (const strategy of ['linear', 'free'] as const) walls[strategy].push(await noop(strategy));
  }
  const trial = { linear_noop_median_s: median(walls.linear), free_noop_median_s: median(walls.free) };
  return { strategy: trial.free_noop_median_s < trial.linear_noop_median_s ? 'free' : 'linear', trial };
}

/** A peer's run on the scale curve must take less than this to be measured (10 minutes). */
export const PEER_RUN_LIMIT_S = 600;

export interface SizePoint {
  readonly hosts: number;
  /** The median wall of a no-op at that size. */
  readonly seconds: number;
}

/**
 * A no-op's seconds at `hosts` from the sizes measured: their least-squares line; from a single
 * size, proportional to the hosts (no fixed part known: errs long). NaN when nothing is measured.
 */
export function projectedSeconds(measured: readonly SizePoint[], hosts: number): number {
  const points = measured.filter((p) => Number.isFinite(p.seconds));
  if (new Set(points.map((p) => p.hosts)).size < 2) {
    const largest = points.reduce<SizePoint | undefined>((a, p) => (!a || p.hosts > a.hosts ? p : a), undefined);
    return largest ? (largest.seconds * hosts) / largest.hosts : Number.NaN;
  }
  const fit = linearFit(points.map((p) => p.hosts), points.map((p) => p.seconds));
  return fit.intercept + fit.slope * hosts;
}

/** Whether a peer runs at `hosts` (sizes go up): a run there is projected under the limit, or nothing is measured yet. */
export function measureAt(measured: readonly SizePoint[], hosts: number, limitS = PEER_RUN_LIMIT_S): boolean {
  return !(projectedSeconds(measured, hosts) >= limitS);
}

/**
 * One peer run on the scale curve. A run that failed the bench's three attempts (Mitogen at 50
 * hosts: a host unreachable while fifty interpreters start at once) costs that peer the size and
 * the larger ones, noted as a problem; it does not throw away the hour the other engines measured.
 */
export async function peerRunOrGiveUp<E extends string, T>(
  engine: E, failed: Set<E>, problems: string[], say: (line: string) => void, run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    failed.add(engine);
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    problems.push(`${why}: ${engine} is left out of this size and the larger ones`);
    say(`${engine} left out from here on: ${why}`);
    return undefined;
  }
}
