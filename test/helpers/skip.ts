/**
 * Every skip in the suites goes through here, so none is silent: a skipped test that nobody sees
 * looks exactly like a passing one.
 */
import { isCI } from '../../engine/ci.js';

function titleOf(ctx: Mocha.Context): string {
  const runnable = ctx.currentTest ?? ctx.test;
  if (!runnable) return '(unknown test)';
  // In a before() hook `test` is the hook itself: name its suite instead.
  const isHook = (runnable as { type?: string }).type === 'hook';
  return isHook ? runnable.parent?.fullTitle() || runnable.title : runnable.fullTitle();
}

/** A line on stderr naming what is skipped and why, then mocha's skip. */
export function skipLoudly(ctx: Mocha.Context, reason: string): never {
  process.stderr.write(`\n    *** SKIPPED: ${titleOf(ctx)}: ${reason} ***\n\n`);
  return ctx.skip();
}

/**
 * For a prerequisite of the machine (a tool, root, a file CI installs): under CI its absence is a
 * failure, since CI must run every suite and a skip there would hide a broken CI; elsewhere a
 * loud skip. `missing` is why it cannot run, or undefined when it can.
 */
export function requirePrerequisite(ctx: Mocha.Context, missing: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (missing === undefined) return;
  if (isCI(env)) throw new Error(`${titleOf(ctx)} cannot run under CI: ${missing}`);
  skipLoudly(ctx, missing);
}
