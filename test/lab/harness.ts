// Mocha helper for suites that need the local lab. `describeLab(title, fn)`:
// - not root and CI unset: prints a loud line per suite and skips it (a developer's plain `npm test`);
// - not root and CI set (CI=1 and CI=true alike, see engine/ci.ts): the suite FAILS (CI must run the lab, so a skip would hide a broken CI);
// - root: brings the lab up (or reuses the running one; under CI a fresh one) in a before() hook,
//   then runs the suite.
import { isCI } from '../../engine/ci.js';
import { isRoot, labDown, labStartHost, labStatus, labUp, type UpReport } from './lab.js';

/** Time for `up` on a cold machine: debootstrap plus the repository download. */
const LAB_UP_TIMEOUT_MS = 20 * 60_000;
/** Per test: lab tests install packages and wait for failovers. */
const LAB_TEST_TIMEOUT_MS = 5 * 60_000;

let labReady: Promise<UpReport> | null = null;

/**
 * Brings the lab up once per process; later calls share the first one's result. Under CI (or
 * LAB_FRESH=1) the lab is taken down first, so a run never inherits hosts changed by an earlier
 * one (the base image and repository stay cached: this costs about 25 s).
 */
export function ensureLabUp(): Promise<UpReport> {
  const log = (line: string): void => {
    process.stderr.write(`      [lab] ${line}\n`);
  };
  const fresh = isCI() || process.env.LAB_FRESH === '1';
  labReady ??= (async () => {
    if (fresh) await labDown({ log });
    return labUp({ log });
  })();
  return labReady;
}

/**
 * Boots again every host a suite left powered off (a drill that failed before its power-on):
 * the next suites start from a lab with every host running, so one failure stays one failure
 * instead of every later suite failing on an unreachable host. Says so when it had to.
 */
export async function powerOnStoppedHosts(suite: string): Promise<string[]> {
  const stopped = (await labStatus()).hosts.filter((h) => h.state === 'stopped').map((h) => h.name);
  for (const name of stopped) {
    process.stderr.write(`      [lab] ${name} was left powered off by '${suite}': booting it again for the next suites\n`);
    await labStartHost(name);
  }
  return stopped;
}

export function describeLab(title: string, fn: (this: Mocha.Suite) => void): void {
  if (!isRoot()) {
    if (isCI()) {
      describe(title, function () {
        before(function () {
          throw new Error('the lab suite needs root and CI is set: run the tests as root (a skipped lab suite would hide a broken CI)');
        });
        fn.call(this);
      });
      return;
    }
    process.stderr.write(`\n*** SKIPPED lab suite '${title}': not root (run as root; under CI this fails instead) ***\n\n`);
    describe.skip(`${title} (*** SKIPPED: not root ***)`, fn);
    return;
  }
  describe(title, function () {
    this.timeout(LAB_TEST_TIMEOUT_MS);
    before(async function () {
      this.timeout(LAB_UP_TIMEOUT_MS);
      await ensureLabUp();
    });
    fn.call(this);
    // registered after the suite's own after hooks, so it runs last
    after(async function () {
      this.timeout(LAB_UP_TIMEOUT_MS);
      await powerOnStoppedHosts(title);
    });
  });
}
