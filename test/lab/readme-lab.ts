// The README's commands that need the lab (catalogue entries `lab`), run literally on the built
// cluster by cluster.test, in README order, each once: the Using play examples on the converged
// cluster (they change nothing); the vault examples with inventories/lab-vault (the same site:
// no change either); the sudo examples as deploy (its first run gives deploy a kubeconfig on the
// masters); then reset.yml on worker2 and the run that joins it again.
import { rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { PLAY_BIN, REPO_ROOT, type PlayRun } from '../helpers/run-play.js';
import { README_COMMANDS } from '../docs/readme-catalog.js';
import { expectOutcome, readmeCommands, readmeCopyFolder, readReadme, runReadmeCommand } from '../docs/readme.js';
import { measure } from './lb-helpers.js';

/** Runs each `lab` command of the README; `seen` gets every run (for the secrets check) before it is judged. */
export async function runReadmeLabCommands(seen: (run: PlayRun) => void | Promise<unknown>): Promise<string[]> {
  const done: string[] = [];
  let copy: string | undefined;
  try {
    for (const { command } of readmeCommands(readReadme())) {
      const coverage = README_COMMANDS[command];
      if (coverage?.by !== 'lab' || done.includes(command)) continue;
      copy ??= coverage.cwd === 'copy' ? readmeCopyFolder() : undefined;
      const started = Date.now();
      const run = await runReadmeCommand(command, {
        cwd: coverage.cwd === 'copy' ? copy! : REPO_ROOT,
        home: homedir(),
        programs: { play: [process.execPath, PLAY_BIN] },
        env: coverage.env,
      });
      measure(`README: ${command} (exit ${run.code})`, (Date.now() - started) / 1000, 's');
      await seen(run);
      expectOutcome(command, run, coverage.expect);
      done.push(command);
    }
  } finally {
    if (copy) rmSync(copy, { recursive: true, force: true });
  }
  return done;
}

/**
 * Runs one `mix` command of the README (`npm run lab -- up --mix` and back), word for word: npm
 * builds dist/ first, which rewrites the same files the suite already loaded.
 */
export async function runReadmeMixCommand(command: string): Promise<PlayRun> {
  const coverage = README_COMMANDS[command];
  if (coverage?.by !== 'mix') throw new Error(`the README catalogue has no mix command \`${command}\``);
  if (!readmeCommands(readReadme()).some((c) => c.command === command)) throw new Error(`README.md shows no \`${command}\``);
  const started = Date.now();
  const run = await runReadmeCommand(command, { cwd: REPO_ROOT, home: homedir() });
  measure(`README: ${command} (exit ${run.code})`, (Date.now() - started) / 1000, 's');
  expectOutcome(command, run, coverage.expect);
  return run;
}
