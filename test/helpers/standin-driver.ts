// The Python drivers of test/standins: each imports the stand-ins' own modules and prints one JSON
// document, so a test checks a stand-in's behaviour without a lab host.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './run-play.js';

/** The stand-ins' Python sources (their package `playstandin`), for PYTHONPATH. */
export const STANDINS_SRC = path.join(REPO_ROOT, 'test', 'lab', 'standins', 'src');

/** Runs test/standins/`script` with `args` (and `env` on top of this process's), which must exit 0; its stdout as JSON. */
export function runStandinDriver<T>(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): T {
  const run = spawnSync('python3', [path.join(REPO_ROOT, 'test', 'standins', script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: STANDINS_SRC, ...env },
  });
  expect(run.status, run.stderr).to.equal(0);
  return JSON.parse(run.stdout) as T;
}
