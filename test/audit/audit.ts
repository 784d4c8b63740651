/**
 * `npm run audit`: runs `npm audit --json` on the whole dependency tree (dev tools run in CI too)
 * and exits 1 on high or critical advisories, 0 when there are none or when the registry cannot
 * answer (printing a line that says the check was skipped). .ci/run calls it before the tests.
 */
import { execFile } from 'node:child_process';
import { auditVerdict } from './verdict.js';

const TIMEOUT_MS = 120_000;

execFile('npm', ['audit', '--json'], { timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
  const timedOut = error !== null && (error as NodeJS.ErrnoException & { killed?: boolean }).killed === true;
  const verdict = auditVerdict(stdout, timedOut);
  console.log(verdict.line);
  if (verdict.outcome === 'fail') {
    for (const detail of verdict.details) console.log(`  ${detail}`);
    process.exitCode = 1;
  }
});
