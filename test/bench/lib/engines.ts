/**
 * The three engines as the benchmark runs them: the real `play` CLI with --json, and
 * ansible-playbook with the benchmark's ansible.cfg, stock or with Mitogen (mitogen.ts). Each run is measured (measure.ts) and its
 * output parsed into per-host stats, so a scenario can check what the engine says it did.
 */
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSshSettings } from '../../../engine/connection/ssh.js';
import { measure, type Measurement } from './measure.js';
import { mitogenEnv } from './mitogen.js';

/** The repository root, from dist/test/bench/lib/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const PLAY_BIN = join(REPO_ROOT, 'dist/engine/cli/main.js');
export const BENCH_SRC = join(REPO_ROOT, 'test/bench');
export const ANSIBLE_CFG = join(BENCH_SRC, 'ansible/ansible.cfg');
/** Where play keeps its control sockets (engine/connection/ssh.ts: XDG_RUNTIME_DIR or ~/.cache). */
export const PLAY_CONTROL_DIR = defaultSshSettings().controlDir;
export const ANSIBLE_CONTROL_DIR = join(homedir(), '.ansible', 'cp');

export type Engine = 'play' | 'ansible' | 'mitogen';
/** The engines that run ansible-playbook. */
export type AnsibleEngine = Exclude<Engine, 'play'>;
export type Strategy = 'linear' | 'free';

export interface HostResult {
  readonly changed: number;
  readonly failed: number;
  readonly unreachable: number;
  /** play only (--json): round trips and new connections on this host. */
  readonly execs?: number;
  readonly connects?: number;
}

export interface EngineRun extends Measurement {
  readonly engine: Engine;
  readonly hosts: Record<string, HostResult>;
  /** play only: the longest time any host spent in package tasks (apt), from --json durations. */
  readonly packagesS?: number;
}

export interface PlayOptions {
  readonly playbook: string;
  readonly inventory: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly extraArgs?: readonly string[];
}

export async function runPlay(opts: PlayOptions): Promise<EngineRun> {
  const args = [PLAY_BIN, opts.playbook, '-i', opts.inventory, '--json', ...(opts.extraArgs ?? [])];
  const m = await measure(process.execPath, args, {
    cwd: REPO_ROOT,
    // SHLVL=1: as from an interactive shell. play's SSH execs go through zx, which runs each one in
    // bash; a bash whose stdin is a socket and whose SHLVL is below 2 sources ~/.bashrc (its
    // "started by rshd" rule), which here runs pyenv's init for every exec. The benchmark pins
    // the interactive case and measures the other one separately (ANALYSIS.md).
    env: { ...process.env, CI: 'true', NO_COLOR: '1', SHLVL: '1', ...opts.env },
    controlDir: PLAY_CONTROL_DIR,
    timeoutMs: 15 * 60_000,
  });
  const packagesS = playPackagesSeconds(m.stdout);
  return { ...m, engine: 'play', hosts: parsePlayJson(m.stdout), ...(packagesS !== undefined ? { packagesS } : {}) };
}

interface PlayJson {
  hosts?: Record<string, { stats?: Record<string, number>; connection?: { execs: number; connects: number } }>;
}

/** Per host, the summed duration of tasks named 'Install ...'; the largest over hosts, in s. */
export function playPackagesSeconds(stdout: string): number | undefined {
  let doc: { hosts?: Record<string, { tasks?: Array<{ task: string; duration_ms: number }> }> };
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch {
    return undefined;
  }
  const perHost = Object.values(doc.hosts ?? {}).map((h) =>
    (h.tasks ?? []).filter((t) => t.task.startsWith('Install ')).reduce((sum, t) => sum + t.duration_ms, 0),
  );
  return perHost.length ? Math.max(...perHost) / 1000 : undefined;
}

export function parsePlayJson(stdout: string): Record<string, HostResult> {
  let doc: PlayJson;
  try {
    doc = JSON.parse(stdout) as PlayJson;
  } catch {
    return {};
  }
  const out: Record<string, HostResult> = {};
  for (const [host, h] of Object.entries(doc.hosts ?? {})) {
    out[host] = {
      changed: h.stats?.changed ?? 0,
      failed: h.stats?.failed ?? 0,
      unreachable: h.stats?.unreachable ?? 0,
      ...(h.connection ? { execs: h.connection.execs, connects: h.connection.connects } : {}),
    };
  }
  return out;
}

export interface AnsibleOptions {
  readonly playbook: string;
  readonly inventory: string;
  readonly strategy: Strategy;
  readonly forks: number;
  readonly extraVars?: readonly string[];
  readonly limit?: string;
  /** 'mitogen': the same run with Mitogen's strategy of the same kind (mitogen_linear, mitogen_free). */
  readonly engine?: AnsibleEngine;
}

export async function runAnsible(opts: AnsibleOptions): Promise<EngineRun> {
  const args = ['-i', opts.inventory, opts.playbook, '-f', String(opts.forks), ...(opts.extraVars ?? []).flatMap((e) => ['-e', e]), ...(opts.limit ? ['--limit', opts.limit] : [])];
  const m = await measure('ansible-playbook', args, {
    cwd: REPO_ROOT,
    env: ansibleEnv(opts.engine ?? 'ansible', opts.strategy),
    controlDir: ANSIBLE_CONTROL_DIR,
    timeoutMs: 20 * 60_000,
  });
  return { ...m, engine: opts.engine ?? 'ansible', hosts: parseAnsibleRecap(m.stdout) };
}

/** The environment of every Ansible command the benchmark runs: its ansible.cfg, no colour. */
function ansibleEnv(engine: AnsibleEngine, strategy: Strategy): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ANSIBLE_CONFIG: ANSIBLE_CFG,
    ...(engine === 'mitogen' ? mitogenEnv(strategy) : { ANSIBLE_STRATEGY: strategy }),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    SHLVL: '1',
  };
}

export interface AnsibleWarmOptions {
  readonly inventory: string;
  readonly forks: number;
  readonly limit?: string;
}

/**
 * Warms stock Ansible for a measured run: one `raw` command per host through the same ansible.cfg
 * opens the SSH control masters (ControlPersist 60s) that a no-op would have left, which is all a
 * warm Ansible keeps between runs (pipelining leaves nothing on the hosts). A whole no-op did
 * the same in minutes (9 min at 50 scale hosts), before each measured Ansible run.
 */
export async function warmAnsible(opts: AnsibleWarmOptions): Promise<EngineRun> {
  const args = ['all', '-i', opts.inventory, '-m', 'raw', '-a', 'true', '-f', String(opts.forks), ...(opts.limit ? ['--limit', opts.limit] : [])];
  const m = await measure('ansible', args, {
    cwd: REPO_ROOT,
    env: ansibleEnv('ansible', 'linear'),
    controlDir: ANSIBLE_CONTROL_DIR,
    timeoutMs: 10 * 60_000,
  });
  return { ...m, engine: 'ansible', hosts: parseAnsibleAdHoc(m.stdout) };
}

/** `host | CHANGED | rc=0 >>` (or SUCCESS, FAILED!, UNREACHABLE!) lines of an ad-hoc run. */
export function parseAnsibleAdHoc(stdout: string): Record<string, HostResult> {
  const out: Record<string, HostResult> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) \| (CHANGED|SUCCESS|FAILED!?|UNREACHABLE!)( \| rc=(\d+))?/.exec(line);
    if (!m) continue;
    const failed = m[2]!.startsWith('FAILED') || (m[4] !== undefined && m[4] !== '0');
    out[m[1]!] = { changed: 0, failed: failed ? 1 : 0, unreachable: m[2] === 'UNREACHABLE!' ? 1 : 0 };
  }
  return out;
}

/** The collection the benchmark's playbooks take modules from beyond ansible.builtin (sysctl, authorized_key). */
export const ANSIBLE_COLLECTIONS = ['ansible.posix'] as const;

/** Collections in `ansible-galaxy collection list`'s output: `name  version` rows. */
export function listedCollections(listing: string): Set<string> {
  return new Set(listing.split('\n').map((line) => /^([a-z0-9_]+\.[a-z0-9_]+)\s+\d/.exec(line)?.[1]).filter((c): c is string => c !== undefined));
}

/** Which of ANSIBLE_COLLECTIONS ansible-playbook would not find (ansible-core alone ships none). */
export function missingCollections(): string[] {
  const listed = listedCollections(spawnSync('ansible-galaxy', ['collection', 'list'], { encoding: 'utf8' }).stdout ?? '');
  return ANSIBLE_COLLECTIONS.filter((c) => !listed.has(c));
}

/** `host : ok=3 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0` lines. */
export function parseAnsibleRecap(stdout: string): Record<string, HostResult> {
  const out: Record<string, HostResult> = {};
  const recap = stdout.slice(stdout.lastIndexOf('PLAY RECAP'));
  for (const line of recap.split('\n')) {
    const m = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/.exec(line.trim());
    if (!m) continue;
    out[m[1]!] = { changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) };
  }
  return out;
}

/** Problems with a run: a nonzero exit, failed or unreachable hosts, hosts missing from the output. */
export function runProblems(run: EngineRun, expectedHosts: readonly string[]): string[] {
  const problems: string[] = [];
  if (run.code !== 0) problems.push(`${run.engine} exited ${run.code}: ${tail(run.stderr || run.stdout)}`);
  for (const host of expectedHosts) {
    const h = run.hosts[host];
    if (!h) problems.push(`${run.engine}: no result for ${host}`);
    else if (h.failed || h.unreachable) problems.push(`${run.engine}: ${host} failed=${h.failed} unreachable=${h.unreachable}`);
  }
  return problems;
}

export function totalChanged(run: EngineRun): number {
  return Object.values(run.hosts).reduce((sum, h) => sum + h.changed, 0);
}

export function tail(text: string, lines = 25): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** True when the output says a host is held by another play run (the per-host run lock). */
export function lockedByOtherRun(run: EngineRun): boolean {
  return /locked by another play run/.test(run.stdout + run.stderr);
}
