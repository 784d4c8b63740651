// Helpers of the load-balancer acceptance test (lb.test.ts): remote commands that must succeed,
// pollers with deadlines, a streaming watcher (one ssh session per host sampling a command every
// 200 ms with the host's own timestamps), TCP/HTTP probes from the controller, the fake apiserver
// (a TCP listener on each master's 6443 until kubeadm exists) and haproxy's stats socket.
//
// Timestamps: the lab hosts are containers on this machine's kernel, so their wall clock is ours;
// `date +%s%3N` on a host and Date.now() here can be compared to the millisecond.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { labHosts, labSsh, sshOptions, shellQuote } from './lab.js';
import { parseJsonReport, runPlay, type JsonReportDoc, type PlayRun } from '../helpers/run-play.js';

export { sleep };

/** One `[measure]` line: the numbers the lead copies into the issue note. */
export function measure(what: string, value: number | string, unit = ''): void {
  console.log(`      [measure] ${what}: ${typeof value === 'number' ? value.toFixed(value < 10 ? 2 : 1) : value}${unit ? ` ${unit}` : ''}`);
}

/** Runs a command on a lab host; throws (naming host, command and output) when it fails. */
export async function sh(host: string, command: string, timeoutMs = 300_000): Promise<string> {
  const r = await labSsh(host, command, { timeoutMs });
  if (r.code !== 0) {
    throw new Error(`[${host}] \`${command}\` exited ${r.code}:\n${(r.stderr || r.stdout).trim().split('\n').slice(-20).join('\n')}`);
  }
  return r.stdout;
}

/** The same command on several hosts at once. */
export async function shAll(hosts: readonly string[], command: string | ((host: string) => string)): Promise<Record<string, string>> {
  const out = await Promise.all(hosts.map(async (h) => [h, await sh(h, typeof command === 'string' ? command : command(h))] as const));
  return Object.fromEntries(out);
}

/**
 * Polls `probe` until it returns a value other than undefined, at most every `intervalMs`, until
 * `timeoutMs`; returns the value and how long it took. On timeout throws with `what` and the last
 * thing `describeLast` says (what was seen instead).
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; describeLast?: () => string },
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const interval = opts.intervalMs ?? 200;
  for (;;) {
    const round = Date.now();
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started >= opts.timeoutMs) {
      throw new Error(`timed out after ${((Date.now() - started) / 1000).toFixed(1)} s waiting for ${what}${opts.describeLast ? `; last seen: ${opts.describeLast()}` : ''}`);
    }
    await sleep(Math.max(0, interval - (Date.now() - round)));
  }
}

// ---------------------------------------------------------------------------------------------
// play runs

export interface TimedRun {
  run: PlayRun;
  doc: JsonReportDoc;
  seconds: number;
}

/** Runs `play ARGS --json`, logs the wall time as a [measure] line, and parses the report. */
export async function playJson(label: string, args: string[]): Promise<TimedRun> {
  const started = Date.now();
  const run = await runPlay([...args, '--json']);
  const seconds = (Date.now() - started) / 1000;
  measure(`${label} (exit ${run.code})`, seconds, 's');
  return { run, doc: parseJsonReport(run), seconds };
}

/** Runs `play ARGS` (text output), timed. */
export async function playText(label: string, args: string[]): Promise<{ run: PlayRun; seconds: number }> {
  const started = Date.now();
  const run = await runPlay(args);
  const seconds = (Date.now() - started) / 1000;
  measure(`${label} (exit ${run.code})`, seconds, 's');
  return { run, seconds };
}

/**
 * A failure message that shows what went wrong: with a --json report, each failed or unreachable
 * task and its error; otherwise (or also) stderr and the tail of stdout.
 */
export function playOutput(run: PlayRun): string {
  const tail = (text: string, n: number): string => text.trim().split('\n').slice(-n).join('\n');
  let failed = '';
  try {
    const doc = JSON.parse(run.stdout) as JsonReportDoc;
    failed = Object.entries(doc.hosts)
      .flatMap(([host, h]) => h.tasks.filter((t) => t.status === 'failed' || t.status === 'unreachable').map((t) => `  [${host}] ${t.role} : ${t.task}: ${t.error ?? t.status}`))
      .join('\n');
    return `play exited ${run.code}; failed tasks:\n${failed || '  (none)'}\n--- stderr\n${tail(run.stderr, 20)}`;
  } catch {
    return `play exited ${run.code}\n--- stderr\n${tail(run.stderr, 40)}\n--- stdout (tail)\n${tail(run.stdout, 40)}`;
  }
}

/** Per host: "role : task" of every changed task, handlers marked "(handler)". */
export function changedByHost(doc: JsonReportDoc): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(doc.hosts).map(([host, h]) => [
      host,
      h.tasks.filter((t) => t.changed).map((t) => `${t.role} : ${t.task}${t.handler ? ' (handler)' : ''}`),
    ]),
  );
}

/** Per host: the `changed` count of the recap. */
export function changedCounts(doc: JsonReportDoc): Record<string, number> {
  return Object.fromEntries(Object.entries(doc.hosts).map(([host, h]) => [host, h.stats.changed ?? -1]));
}

/** Host variables as `play inventory --host` prints them (inventory only, no role defaults). */
export async function inventoryHostVars(inventory: string, host: string): Promise<Record<string, unknown>> {
  const run = await runPlay(['inventory', '-i', inventory, '--host', host]);
  if (run.code !== 0) throw new Error(`play inventory --host ${host} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** The hosts of an inventory group, in inventory order (`play inventory --list`). */
export async function inventoryGroupHosts(inventory: string, group: string): Promise<string[]> {
  const run = await runPlay(['inventory', '-i', inventory, '--list']);
  if (run.code !== 0) throw new Error(`play inventory --list failed: ${run.stderr}`);
  const doc = JSON.parse(run.stdout) as Record<string, { hosts?: string[]; children?: string[] }>;
  const seen = new Set<string>();
  const walk = (name: string): string[] => {
    if (seen.has(name)) return [];
    seen.add(name);
    const g = doc[name];
    if (!g) return [];
    return [...(g.hosts ?? []), ...(g.children ?? []).flatMap(walk)];
  };
  return [...new Set(walk(group))];
}

// ---------------------------------------------------------------------------------------------
// Streaming watcher: one ssh session per host prints "<epoch ms> <sample>" every intervalMs.

export interface Sample {
  at: number;
  value: string;
}

export class RemoteWatch {
  readonly samples: Sample[] = [];
  private child: ChildProcess | undefined;
  private buffered = '';
  private stderr = '';
  private exited: number | null | undefined;

  private constructor(readonly host: string, readonly what: string) {}

  /**
   * Starts sampling `command` (a shell snippet whose stdout is the sample, newlines folded into
   * spaces) on `host` every `intervalMs`, for at most `lifetimeSec` (the remote loop also ends
   * on its own when this side goes away: the next echo gets SIGPIPE). Resolves after the first
   * sample has arrived.
   */
  static async start(host: string, what: string, command: string, intervalMs = 200, lifetimeSec = 900): Promise<RemoteWatch> {
    const address = (await labHosts()).find((h) => h.name === host)?.address;
    if (!address) throw new Error(`no lab host named ${host}`);
    const w = new RemoteWatch(host, what);
    const script = [
      `end=$(( $(date +%s) + ${lifetimeSec} ))`,
      'while [ "$(date +%s)" -lt "$end" ]; do',
      `  v=$( { ${command} ; } 2>&1 | tr '\\n' ' ' )`,
      '  echo "$(date +%s%3N) $v" || exit 0',
      `  sleep ${(intervalMs / 1000).toFixed(3)}`,
      'done',
    ].join('\n');
    const child = spawn('ssh', [...sshOptions(), `root@${address}`, '--', `sh -c ${shellQuote(script)}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    w.child = child;
    child.stdout!.on('data', (d: Buffer) => w.onData(d.toString()));
    child.stderr!.on('data', (d: Buffer) => (w.stderr += d.toString()));
    child.on('close', (code) => (w.exited = code));
    await pollUntil(`the first ${what} sample from ${host}`, async () => (w.samples.length > 0 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 50,
      describeLast: () => (w.exited !== undefined ? `ssh exited ${w.exited}: ${w.stderr.trim()}` : 'nothing yet'),
    });
    return w;
  }

  private onData(text: string): void {
    this.buffered += text;
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^(\d{13}) ?(.*)$/.exec(line);
      if (m) this.samples.push({ at: Number(m[1]), value: m[2]!.trim() });
    }
  }

  latest(): Sample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** The first sample taken at or after `since` (epoch ms) that satisfies `pred`. */
  firstAfter(since: number, pred: (value: string) => boolean): Sample | undefined {
    return this.samples.find((s) => s.at >= since && pred(s.value));
  }

  /** Waits (by the controller's clock, up to timeoutMs) for such a sample. */
  async waitFor(since: number, pred: (value: string) => boolean, timeoutMs: number, what: string): Promise<Sample> {
    return (
      await pollUntil(`${this.host}: ${what}`, async () => this.firstAfter(since, pred), {
        timeoutMs,
        intervalMs: 50,
        describeLast: () => `${this.latest()?.value ?? 'no sample'}${this.exited !== undefined ? ` (watch ended, ssh exit ${this.exited})` : ''}`,
      })
    ).value;
  }

  /** Ends the ssh session (this process's own child, by its handle). */
  stop(): void {
    if (this.child && this.exited === undefined) this.child.kill('SIGTERM');
  }
}

// ---------------------------------------------------------------------------------------------
// The VIP

/** `ip -o -4 addr` shows "<n>: <dev> inet <addr>/<prefix> ...": does some line carry the VIP? */
export function holdsAddress(ipOutput: string, address: string): boolean {
  return ipOutput.split('\n').some((line) => line.includes(` inet ${address}/`));
}

/** The hosts (of `hosts`) whose `ip -o -4 addr` lists the VIP, in the order given. */
export async function vipHolders(hosts: readonly string[], vip: string): Promise<string[]> {
  const out = await shAll(hosts, 'ip -o -4 addr show');
  return hosts.filter((h) => holdsAddress(out[h]!, vip));
}

/** Polls until exactly one host holds the VIP (optionally: that one); returns it. */
export async function waitSingleHolder(hosts: readonly string[], vip: string, timeoutMs: number, expected?: string): Promise<{ holder: string; ms: number }> {
  let last: string[] = [];
  const { value, ms } = await pollUntil(
    `${vip} on exactly one of ${hosts.join(', ')}${expected ? ` (${expected})` : ''}`,
    async () => {
      last = await vipHolders(hosts, vip);
      if (last.length !== 1) return undefined;
      if (expected !== undefined && last[0] !== expected) return undefined;
      return last[0];
    },
    { timeoutMs, describeLast: () => `held by [${last.join(', ')}]` },
  );
  return { holder: value, ms };
}

/** Samples the holders for `durationMs`: the VIP must be on exactly `holder` every time (no split brain). */
export async function expectStableHolder(hosts: readonly string[], vip: string, holder: string, durationMs: number): Promise<void> {
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    expect(await vipHolders(hosts, vip), `${vip} holders`).to.deep.equal([holder]);
    await sleep(300);
  }
}

/** A watcher whose sample is 1 while the host holds `vip`, else 0. */
export function watchVip(host: string, vip: string): Promise<RemoteWatch> {
  return RemoteWatch.start(host, `VIP ${vip}`, `if ip -o -4 addr show | grep -qF ' inet ${vip}/'; then echo 1; else echo 0; fi`);
}

// ---------------------------------------------------------------------------------------------
// Probes from the controller (it sits on the lab bridge at .1)

/** Does address:port accept a TCP connection (within timeoutMs)? */
export function tcpAccepts(address: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface HttpAnswer {
  ok: boolean;
  status?: string;
  body?: string;
  error?: string;
}

/**
 * `GET path HTTP/1.0` over a raw socket (the fake apiserver speaks HTTP; haproxy passes TCP
 * through untouched): proves the whole path VIP → haproxy → a master, not only the frontend.
 */
export function httpGet(address: string, port: number, path: string, timeoutMs = 3000): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let data = '';
    let settled = false;
    const finish = (answer: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish({ ok: false, error: `timeout after ${timeoutMs} ms (got ${JSON.stringify(data.slice(0, 80))})` }));
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.0\r\nHost: ${address}\r\n\r\n`));
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.once('error', (err) => finish({ ok: false, error: err.message }));
    socket.once('end', () => {
      const status = data.split('\r\n')[0] ?? '';
      const body = data.split('\r\n\r\n').slice(1).join('\r\n\r\n').trim();
      finish(/^HTTP\/1\.\d 200\b/.test(status) ? { ok: true, status, body } : { ok: false, status, body, error: `answer ${JSON.stringify(status || data.slice(0, 80))}` });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The fake apiserver: a TCP (HTTP) listener on each master's 6443 until kubeadm exists.

export const FAKE_UNIT = 'fake-apiserver';
const FAKE_DIR = '/run/fake-apiserver';

/**
 * Starts (or restarts) `python3 -m http.server PORT` as the transient unit fake-apiserver. GET /id
 * answers the host's name, so a request through the VIP tells which master served it. Refuses
 * (throws) when something else already listens on the port, e.g. the kubeadm stand-in's apiserver.
 */
export async function startFakeApiserver(host: string, port = 6443): Promise<void> {
  await sh(host, `systemctl stop ${FAKE_UNIT} 2>/dev/null; systemctl reset-failed ${FAKE_UNIT} 2>/dev/null; true`);
  const owner = (await sh(host, `ss -ltnpH 'sport = :${port}'`)).trim();
  if (owner !== '') {
    const unit = (await sh(host, `ps -o unit= -p "$(ss -ltnpH 'sport = :${port}' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)" 2>/dev/null || true`)).trim();
    throw new Error(
      `${host}: port ${port} is already taken${unit ? ` by ${unit}` : ''} (${owner}): this suite needs the masters before kubeadm ` +
        '(the cluster suite ends with reset.yml; after a manual site.yml run: play reset.yml -i inventories/lab -e reset_confirm=yes)',
    );
  }
  await sh(
    host,
    `mkdir -p ${FAKE_DIR} && hostname > ${FAKE_DIR}/id && ` +
      `systemd-run --quiet --collect --unit=${FAKE_UNIT} --description='lb.test: TCP listener in place of kube-apiserver' ` +
      `python3 -m http.server ${port} --bind 0.0.0.0 --directory ${FAKE_DIR}`,
  );
  await pollUntil(`${host}: the fake apiserver listening on ${port}`, async () => ((await sh(host, `ss -ltnH 'sport = :${port}'`)).trim() ? true : undefined), {
    timeoutMs: 15_000,
  });
}

/** Stops the fake apiserver; with `remove`, also its directory. Idempotent. */
export async function stopFakeApiserver(host: string, opts: { remove?: boolean } = {}): Promise<void> {
  await sh(host, `systemctl stop ${FAKE_UNIT} 2>/dev/null; systemctl reset-failed ${FAKE_UNIT} 2>/dev/null; ${opts.remove ? `rm -rf ${FAKE_DIR}; ` : ''}true`);
}

// ---------------------------------------------------------------------------------------------
// haproxy

/** Installs socat from the lab repository when the host lacks it (the haproxy role does not install it). */
export async function ensureSocat(host: string): Promise<void> {
  await sh(
    host,
    'command -v socat >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q socat >/dev/null 2>&1 || ' +
      '{ apt-get update -q >/dev/null && apt-get install -y -q socat >/dev/null; }; }; command -v socat',
  );
}

/** What haproxy.cfg says: stats socket, default-server inter/fall/rise, backend servers. */
export interface HaproxyCfgFacts {
  statsSocket: string;
  interMs: number;
  downinterMs: number | undefined;
  fastinterMs: number | undefined;
  fall: number;
  rise: number;
  servers: string[];
  binds: string[];
}

/** haproxy time values: a number with an optional unit (us, ms, s, m, h, d); bare = ms. */
export function haproxyDurationMs(text: string): number {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`not a haproxy duration: ${text}`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return n * factor[unit]!;
}

export function parseHaproxyCfg(cfg: string): HaproxyCfgFacts {
  const socket = /^\s*stats socket (\S+)/m.exec(cfg)?.[1];
  const ds = /^\s*default-server (.*)$/m.exec(cfg)?.[1] ?? '';
  const kw = (name: string): string | undefined => new RegExp(`(?:^|\\s)${name} (\\S+)`).exec(ds)?.[1];
  const servers = [...cfg.matchAll(/^\s*server (\S+) /gm)].map((m) => m[1]!);
  const binds = [...cfg.matchAll(/^\s*bind (\S+)/gm)].map((m) => m[1]!);
  if (!socket) throw new Error('haproxy.cfg has no stats socket (haproxy_stats_socket: null?)');
  return {
    statsSocket: socket,
    interMs: haproxyDurationMs(kw('inter') ?? '2000'), // haproxy's default inter is 2s
    downinterMs: kw('downinter') === undefined ? undefined : haproxyDurationMs(kw('downinter')!),
    fastinterMs: kw('fastinter') === undefined ? undefined : haproxyDurationMs(kw('fastinter')!),
    fall: Number(kw('fall') ?? 3),
    rise: Number(kw('rise') ?? 2),
    servers,
    binds,
  };
}

/** A shell snippet printing "server=STATUS" for each server of backend `backend` (one line). */
export function showStatCommand(socket: string, backend = 'apiserver'): string {
  return (
    `echo 'show stat' | socat stdio ${shellQuote(`UNIX-CONNECT:${socket}`)} | ` +
    `awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "status") c = i } ` +
    `$1 == "${backend}" && $2 != "BACKEND" && $2 != "FRONTEND" { s = $c; gsub(/ /, "_", s); printf "%s=%s ", $2, s }'`
  );
}

/** Parses "master1=UP master2=UP_1/2 ..." into a map ("UP 1/2": going down, one check failed). */
export function parseServerStates(line: string): Record<string, string> {
  return Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .filter((w) => w.includes('='))
      .map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1).replace(/_/g, ' ')]),
  );
}

/** The backend servers' check states on one LB host, from the stats socket. */
export async function serverStates(host: string, socket: string): Promise<Record<string, string>> {
  return parseServerStates(await sh(host, showStatCommand(socket)));
}

/** sha256 of a file on a host. */
export async function sha256(host: string, path: string): Promise<string> {
  return (await sh(host, `sha256sum ${shellQuote(path)}`)).split(/\s+/)[0]!;
}

/** The haproxy processes (master and workers), sorted: a reload replaces the workers. */
export async function haproxyPids(host: string): Promise<string> {
  return (await sh(host, 'pidof haproxy | tr " " "\\n" | sort -n | tr "\\n" " "')).trim();
}

/** How many times systemd reloaded/restarted `unit` since `sinceEpochSec` (from the journal). */
export async function unitReloads(host: string, unit: string, sinceEpochSec: number): Promise<{ reloads: number; starts: number; lines: string[] }> {
  const out = await sh(host, `journalctl -u ${shellQuote(unit)} --since @${sinceEpochSec} -o cat --no-pager 2>/dev/null || true`);
  const lines = out.split('\n').filter((l) => /^(Reloaded|Started|Stopped) /.test(l));
  return {
    reloads: lines.filter((l) => l.startsWith('Reloaded ')).length,
    starts: lines.filter((l) => l.startsWith('Started ')).length,
    lines,
  };
}

// ---------------------------------------------------------------------------------------------
// keepalived's own view (its data dump: SIGUSR1 -> /tmp/keepalived.data)

export interface KeepalivedState {
  state: string;
  priority: number;
  effectivePriority: number;
  /** Each vrrp_script: the command keepalived really runs, and GOOD/BAD. */
  scripts: { name: string; command: string; status: string }[];
}

/** Asks keepalived for its data dump and reads the instance's priorities and the scripts' status. */
export async function keepalivedState(host: string): Promise<KeepalivedState> {
  const dump = await sh(
    host,
    'rm -f /tmp/keepalived.data; kill -s "$(keepalived --signum=DATA)" "$(cat /run/keepalived.pid)" && ' +
      'for i in $(seq 50); do [ -s /tmp/keepalived.data ] && break; sleep 0.1; done; sleep 0.2; cat /tmp/keepalived.data',
  );
  const num = (label: string): number => Number(new RegExp(`^\\s*${label} = (\\d+)`, 'm').exec(dump)?.[1] ?? NaN);
  const scriptsPart = dump.split('------< VRRP Scripts >------')[1]?.split(/------< (?!VRRP Scripts)/)[0] ?? '';
  const scripts = scriptsPart
    .split(/^ VRRP Script = /m)
    .slice(1)
    .map((block) => ({
      name: block.split('\n')[0]!.trim(),
      command: /^\s*Command = (.*)$/m.exec(block)?.[1]?.trim() ?? '?',
      status: /^\s*Status = (\S+)/m.exec(block)?.[1] ?? '?',
    }));
  return { state: /^\s*State = (\S+)/m.exec(dump)?.[1] ?? '?', priority: num('Priority'), effectivePriority: num('Effective priority'), scripts };
}
