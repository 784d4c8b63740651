// Watches every process's argument list (/proc/*/cmdline) for secrets, every 50 ms: on the
// controller in this process, on a lab host through a Python loop over ssh. The needles reach the
// remote sampler on its stdin (never in an argv: the sampler would find itself, and the secret
// would leak); a hit reports the needle's index, the pid and the process name, never the text.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { labHosts, shellQuote, sshOptions } from './lab.js';

export interface Hit {
  readonly needle: number;
  readonly pid: string;
  readonly comm: string;
}

export interface SamplerReport {
  readonly where: string;
  readonly samples: number;
  readonly hits: readonly Hit[];
}

export interface ArgvSampler {
  stop(): Promise<SamplerReport>;
}

function comm(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** The controller: one pass over /proc, then the next 50 ms later, until stopped. */
export function sampleLocal(needles: readonly string[], intervalMs = 50): ArgvSampler {
  const wanted = needles.map((n) => Buffer.from(n));
  const hits = new Map<string, Hit>();
  let samples = 0;
  let timer: NodeJS.Timeout | undefined;
  const pass = (): void => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmdline: Buffer;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`);
      } catch {
        continue; // the process ended meanwhile
      }
      wanted.forEach((needle, i) => {
        if (needle.length && cmdline.includes(needle) && !hits.has(`${i}:${pid}`)) hits.set(`${i}:${pid}`, { needle: i, pid, comm: comm(pid) });
      });
    }
    samples++;
    timer = setTimeout(pass, intervalMs);
  };
  pass();
  return {
    stop: async () => {
      clearTimeout(timer);
      return { where: 'controller', samples, hits: [...hits.values()] };
    },
  };
}

const REMOTE = String.raw`
import os, select, sys
needles = [sys.stdin.readline().rstrip('\n').encode() for _ in range(int(sys.stdin.readline()))]
seen, samples = set(), 0
print('READY', flush=True)
while True:
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                data = f.read()
            with open('/proc/%s/comm' % pid) as f:
                name = f.read().strip()
        except OSError:
            continue
        for i, needle in enumerate(needles):
            if needle and needle in data and (i, pid) not in seen:
                seen.add((i, pid))
                print('HIT %d %s %s' % (i, pid, name), flush=True)
    samples += 1
    ready, _, _ = select.select([sys.stdin], [], [], INTERVAL)
    if ready and not sys.stdin.readline():
        break
print('SAMPLES %d' % samples, flush=True)
`;

/** A lab host: python3 (in the lab's base image) over ssh as root; stopped by closing its stdin. */
export async function sampleRemote(host: string, needles: readonly string[], intervalMs = 50): Promise<ArgvSampler> {
  const address = (await labHosts()).find((h) => h.name === host)?.address;
  if (!address) throw new Error(`no lab host named ${host}`);
  const script = REMOTE.replace('INTERVAL', String(intervalMs / 1000));
  const child: ChildProcess = spawn('ssh', [...sshOptions(), `root@${address}`, '--', 'python3', '-c', shellQuote(script)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin!.write(`${needles.length}\n${needles.map((n) => `${n}\n`).join('')}`);
  const deadline = Date.now() + 15_000;
  while (!out.includes('READY')) {
    if (Date.now() > deadline) throw new Error(`${host}: the argv sampler did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    stop: async () => {
      child.stdin!.end();
      const code = await closed;
      const samples = Number(/SAMPLES (\d+)/.exec(out)?.[1] ?? 0);
      if (code !== 0 || samples === 0) throw new Error(`${host}: the argv sampler failed (exit ${code}): ${err}`);
      const hits = [...out.matchAll(/^HIT (\d+) (\d+) (.*)$/gm)].map((m) => ({ needle: Number(m[1]), pid: m[2]!, comm: m[3]! }));
      return { where: host, samples, hits };
    },
  };
}
