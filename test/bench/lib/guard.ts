/**
 * Other engineers run lab suites against the main lab. Before every measured W1 run the
 * benchmark waits until none is running: no mocha run that may use the lab (isLabSuite), no play or
 * ansible-playbook process on the lab inventory, except the benchmark's own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processTree } from './proc.js';


export function foreignLabProcesses(): string[] {
  const ours = new Set(processTree(process.pid));
  let parent = process.ppid;
  // our ancestors (npm, the shell) are ours too
  for (let i = 0; i < 10 && parent > 1; i++) {
    ours.add(parent);
    try {
      const stat = readFileSync(`/proc/${parent}/stat`, 'utf8');
      parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || ours.has(Number(entry))) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    const program = (cmdline.split(' ')[0] ?? '').split('/').pop() ?? '';
    if (['grep', 'egrep', 'pgrep', 'rg', 'ps', 'less', 'tail', 'cat'].includes(program)) continue;
    // a flock waiting for the lab lock runs nothing yet (and may wait for the benchmark's own
    // lock); once it holds the lock, its command is a process of its own, found here
    if (program === 'flock') continue;
    const suite = isLabSuite(cmdline);
    const labRun = /(dist\/engine\/cli\/main\.js|ansible-playbook)/.test(cmdline) && /(inventories\/lab|172\.29\.10\.)/.test(cmdline);
    if (suite || labRun) found.push(`${entry} ${cmdline.slice(0, 160)}`);
  }
  return found;
}

/**
 * A mocha run that may use the lab: the whole suite (no spec files named, e.g. `npm test`) or
 * one naming a lab spec. A unit-test run, or one naming only specs outside test/lab (a role's
 * unit test, a stand-in's loopback test), leaves the lab alone and is not waited for.
 */
export function isLabSuite(cmdline: string): boolean {
  if (!/\bmocha\b/.test(cmdline) || /mocharc\.unit/.test(cmdline)) return false;
  const specs = cmdline.split(/\s+/).filter((arg) => /\.test\.[jt]s$|\*/.test(arg));
  return specs.length === 0 || specs.some((spec) => /(^|\/)test\/lab\//.test(spec));
}

/**
 * Waits (polling every 2 s) until the main lab has been idle for `quietS` seconds in a row; logs
 * what it waits for once a minute. Returns the seconds waited.
 */
export async function waitLabIdle(log: (line: string) => void, quietS = 10, timeoutMs = 6 * 3600_000): Promise<number> {
  const started = Date.now();
  let lastLog = 0;
  let quietSince = Date.now();
  for (;;) {
    const busy = foreignLabProcesses();
    if (busy.length > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietS * 1000) return (Date.now() - started) / 1000;
    if (busy.length > 0 && Date.now() - lastLog > 60_000) {
      log(`waiting for other lab suites to finish:\n    ${busy.join('\n    ')}`);
      lastLog = Date.now();
    }
    if (Date.now() - started > timeoutMs) throw new Error(`the main lab stayed busy for ${timeoutMs / 60000} min:\n${busy.join('\n')}`);
    await sleep(2000);
  }
}
