/** Small statistics for the benchmark's samples. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function min(values: readonly number[]): number {
  return values.length ? Math.min(...values) : Number.NaN;
}

export function max(values: readonly number[]): number {
  return values.length ? Math.max(...values) : Number.NaN;
}

/** Rounds for reports: 3 significant decimals below 10, else 2 decimals. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The numeric values of one field over samples that may lack it. */
export function numbersOf<S>(samples: readonly S[], key: keyof S): number[] {
  return samples.map((s) => s[key]).filter((v): v is S[keyof S] & number => typeof v === 'number');
}

/** A wall time as the reports give it: median and range, rounded. */
export function wallSpread(wall: readonly number[]): { wall_s: number; wall_min_s: number; wall_max_s: number } {
  return { wall_s: round(median(wall)), wall_min_s: round(min(wall)), wall_max_s: round(max(wall)) };
}

/** Least-squares slope and intercept of y over x. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } {
  const n = xs.length;
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  const slope = den === 0 ? Number.NaN : num / den;
  return { slope, intercept: my - slope * mx };
}
