// One lab operation at a time on this machine (a test run and a shell may both say `up`).
// The lock is a file holding the owner's pid; a lock whose owner is dead is taken over.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LAB } from './constants.js';
import { isAlive, LabError, sleep } from './exec.js';

const LOCK_FILE = join(LAB.stateDir, 'lock');
let heldByUs = 0;

async function tryLock(): Promise<boolean> {
  try {
    const handle = await open(LOCK_FILE, 'wx');
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = Number.parseInt(await readFile(LOCK_FILE, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(owner) || !isAlive(owner)) {
    await rm(LOCK_FILE, { force: true }); // its owner died
  }
  return false;
}

/** Runs `fn` holding the lab lock (re-entrant within this process). */
export async function withLabLock<T>(fn: () => Promise<T>, timeoutMs = 20 * 60_000): Promise<T> {
  if (heldByUs > 0) {
    heldByUs++;
    try {
      return await fn();
    } finally {
      heldByUs--;
    }
  }
  await mkdir(LAB.stateDir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  while (!(await tryLock())) {
    if (Date.now() > deadline) throw new LabError(`the lab is busy (${LOCK_FILE} is held by a live process)`);
    await sleep(500);
  }
  heldByUs = 1;
  try {
    return await fn();
  } finally {
    heldByUs = 0;
    await rm(LOCK_FILE, { force: true });
  }
}
