// Serves the lab repository (/var/cache/play-lab/repo) over HTTP on 172.29.10.1:8080, bound to the
// bridge address only: reachable from the lab hosts and the controller, nowhere else. A detached
// `python3 -m http.server` (threaded) with a pid file and a log file; `down` stops it.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LAB } from './constants.js';
import { isAlive, LabError, waitFor } from './exec.js';

const PID_FILE = join(LAB.runDir, 'repo-server.pid');
const LOG_FILE = join(LAB.runDir, 'repo-server.log');
/** Debian's python, not whatever python3 is first on PATH (pyenv shims and the like). */
const PYTHON = '/usr/bin/python3';

export async function repoServerPid(): Promise<number | null> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(PID_FILE, 'utf8')).trim(), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || !isAlive(pid)) return null;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('http.server') && cmdline.includes(LAB.repoDir) ? pid : null;
  } catch {
    return null;
  }
}

function portAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LAB.controllerAddress, port: LAB.repoPort });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Starts the server unless it runs; needs the bridge (its address) to exist. */
export async function ensureRepoServer(): Promise<void> {
  if ((await repoServerPid()) !== null) return;
  await mkdir(LAB.runDir, { recursive: true });
  await mkdir(LAB.repoDir, { recursive: true });
  const log = openSync(LOG_FILE, 'a');
  try {
    const child = spawn(
      PYTHON,
      ['-m', 'http.server', String(LAB.repoPort), '--bind', LAB.controllerAddress, '--directory', LAB.repoDir],
      { detached: true, stdio: ['ignore', log, log], cwd: '/' },
    );
    child.unref();
    if (child.pid === undefined) throw new LabError('could not start the repository server');
    await writeFile(PID_FILE, `${child.pid}\n`);
  } finally {
    closeSync(log);
  }
  if (!(await waitFor(portAnswers, 10_000, 100))) {
    throw new LabError(`the repository server does not answer on ${LAB.repoUrl}; see ${LOG_FILE}`);
  }
}

export async function stopRepoServer(): Promise<void> {
  const pid = await repoServerPid();
  if (pid !== null) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitFor(() => !isAlive(pid), 5000, 100))) process.kill(pid, 'SIGKILL');
  }
  await rm(PID_FILE, { force: true });
}
