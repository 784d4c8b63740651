// Reaching lab hosts over SSH exactly as the engine will: the lab key, the lab known_hosts and
// StrictHostKeyChecking=yes (host keys are checked, never skipped).
import { LAB, type LabHost } from './constants.js';
import { run, sleep, type RunResult } from './exec.js';

/** Quotes one word for the remote POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** ssh options for the lab (also what the inventories spell out). */
export function sshOptions(connectTimeoutSec = 5): string[] {
  return [
    '-F', '/dev/null', // ignore ~/.ssh/config: the lab's settings are all here
    '-i', LAB.keyPath,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${LAB.knownHostsPath}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${connectTimeoutSec}`,
    '-o', 'LogLevel=ERROR',
  ];
}

/**
 * Runs a command on a host as root. A string is a remote shell command line as is; an array is
 * quoted word by word.
 */
export function sshRun(host: LabHost, command: string | readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  const line = typeof command === 'string' ? command : command.map(shellQuote).join(' ');
  return run('ssh', [...sshOptions(), `root@${host.address}`, '--', line], { timeoutMs: opts.timeoutMs ?? 600_000, input: opts.input });
}

export type Readiness = { state: 'running' } | { state: 'degraded'; failedUnits: string[] } | { state: 'timeout'; last: string };

/** Waits until the host's systemd says running (or degraded, with the failed units). */
export async function waitReady(host: LabHost, timeoutMs = 120_000): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const r = await run('ssh', [...sshOptions(2), `root@${host.address}`, '--', 'systemctl is-system-running --wait'], { timeoutMs: 60_000 });
    const state = r.stdout.trim();
    if (state === 'running') return { state: 'running' };
    if (state === 'degraded') {
      const failed = await sshRun(host, 'systemctl --failed --no-legend --plain | cut -d" " -f1');
      return { state: 'degraded', failedUnits: failed.stdout.split('\n').filter((u) => u.trim() !== '') };
    }
    last = state || r.stderr.trim() || `exit ${r.code}`;
    await sleep(300);
  }
  return { state: 'timeout', last };
}
