// Issue 13 row 1 on the lab: every process's argv, sampled every 50 ms on the controller and on
// lab hosts while a cluster is built. A secret on a command line lives as long as its process
// (kubeadm join runs for seconds), so a 50 ms sampler sees it. The hosts' sampler is a small
// python3 loop started over ssh; the controller's reads /proc from this process.
import { readdirSync, readFileSync } from 'node:fs';
import { labSsh } from './lab.js';

const HOST_SAMPLER = `
import os, signal, sys, time
seen = set()
running = True
def stop(*_):
    global running
    running = False
signal.signal(signal.SIGTERM, stop)
while running:
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                with open('/proc/%s/cmdline' % pid, 'rb') as f:
                    seen.add(f.read().replace(b'\\0', b' ').decode('utf-8', 'replace').strip())
            except OSError:
                pass
    time.sleep(0.05)
with open('/run/play-argv-samples', 'w') as out:
    out.write('\\n'.join(sorted(s for s in seen if s)) + '\\n')
`;

export interface ArgvSampler {
  /** Stops every sampler and returns the distinct command lines seen, per machine. */
  stop(): Promise<Record<string, string[]>>;
}

function sampleController(seen: Set<string>): void {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      seen.add(readFileSync(`/proc/${pid}/cmdline`).toString('utf8').replace(/\0/g, ' ').trim());
    } catch {
      // the process ended meanwhile
    }
  }
}

export async function startArgvSampler(hosts: readonly string[]): Promise<ArgvSampler> {
  const controller = new Set<string>();
  const timer = setInterval(() => sampleController(controller), 50);
  const encoded = Buffer.from(HOST_SAMPLER).toString('base64');
  for (const host of hosts) {
    const r = await labSsh(host, `echo ${encoded} | base64 -d > /run/play-argv-sampler.py && (setsid python3 /run/play-argv-sampler.py </dev/null >/dev/null 2>&1 & echo $! > /run/play-argv-sampler.pid)`);
    if (r.code !== 0) throw new Error(`[${host}] cannot start the argv sampler: ${r.stderr}`);
  }
  return {
    async stop() {
      clearInterval(timer);
      const out: Record<string, string[]> = { controller: [...controller].filter(Boolean) };
      for (const host of hosts) {
        const r = await labSsh(host, 'kill $(cat /run/play-argv-sampler.pid); while kill -0 $(cat /run/play-argv-sampler.pid) 2>/dev/null; do sleep 0.1; done; cat /run/play-argv-samples; rm -f /run/play-argv-sampler.py /run/play-argv-sampler.pid /run/play-argv-samples');
        out[host] = r.stdout.split('\n').filter(Boolean);
      }
      return out;
    },
  };
}

/** Bootstrap-token-shaped words (id.secret) in a text. */
export function tokenShaped(text: string): string[] {
  return text.match(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g) ?? [];
}
