/**
 * `npm run bench [-- --quick]`: play against ansible-playbook, stock and with Mitogen, on the same work.
 *
 *   W1     the LB layer (playbooks/lb.yml, inventories/lab) on the main lab's 7 hosts, against the
 *          equivalent test/bench/ansible/w1.yml: first apply on fresh hosts, no-op re-apply,
 *          re-apply after one drift (haproxy.cfg edited on lb1). Runs alternate play, ansible,
 *          mitogen, play, ansible, mitogen...; medians of --runs (default 5) each. After every
 *          apply the managed state of every host is fingerprinted and must be the same for all engines.
 *   scale  a scale lab of 10, 50, 100, 200 and 500 light hosts (test/lab/scale-lab.ts, bridge playbench0)
 *          with a 20-task workload (test/bench/roles/bench vs test/bench/ansible/scale.yml):
 *          no-op wall time per size; Ansible and Mitogen only where one run takes under 10 minutes
 *          (beyond: extrapolated, lib/peers.ts). The scale lab is torn down at the end.
 *
 *   site   playbooks/site.yml, the whole cluster, on the main lab's 7 hosts, play alone (no peer
 *          runs it here): first build on fresh hosts (the lab made anew), no-op re-apply, re-apply
 *          after one drift (haproxy.cfg edited on lb1), --site-runs rounds (default 3) of the three
 *          (lib/site.ts). The lab is left made anew, as W1 expects it.
 *
 * Writes test/bench/results.json, test/bench/RESULTS.md and the figure, test/bench/results.svg and results.png.
 *
 *   terminal  (only with --only terminal; needs no lab, no root) what play's live terminal view
 *          costs against its plain lines, on a pseudo-terminal, for a synthetic no-op of 200 and
 *          500 hosts (lib/terminal-view.ts); prints the table, writes no file.
 *
 * Flags: --quick (3 runs, scale at 10 hosts only), --runs N (W1, default 5), --scale-runs N
 * (default 3: an Ansible no-op of 50 hosts takes minutes), --sizes 10,50,100,200,500, --engines
 * play[,ansible][,mitogen] (the scale part's engines; default all three), --site-runs N
 * (default 3, --quick 1), --only w1|scale|site|terminal, --keep-scale-lab, --out DIR (where the
 * result files go; default test/bench), --report-only (rewrite RESULTS.md and the figure from
 * DIR/results.json, e.g. after editing ANALYSIS.md), --resume (go on from the checkpoint in
 * DIR/results.json: lib/resume.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { labHosts, labSsh, labStatus, isRoot } from '../lab/lab.js';
import { scaleHosts, scaleInventory, scaleLabDown, scaleLabUp } from '../lab/scale-lab.js';
import {
  BENCH_SRC, lockedByOtherRun, missingCollections, runAnsible, runPlay, runProblems, tail, totalChanged, warmAnsible,
  type AnsibleEngine, type Engine, type EngineRun, type Strategy,
} from './lib/engines.js';
import { findMitogen, MITOGEN_MISSING } from './lib/mitogen.js';
import { fasterStrategy, measureAt, peerRunOrGiveUp } from './lib/peers.js';
import { waitLabIdle } from './lib/guard.js';
import { withRunLock } from './lib/run-lock.js';
import { machineInfo } from './lib/machine-info.js';
import { drawChart } from './lib/plot.js';
import {
  peerSizePoints, resultsFromJson, writeReport, type Results, type Sample, type ScenarioResult, type ScaleResult, type StrategyChoice,
} from './lib/report.js';
import { runSite } from './lib/site.js';
import { describePlan, doneParts, resumeProblem, type DoneParts, type WantedParts } from './lib/resume.js';
import { BENCH_ROLES_PATH, renderScale, scaleDifferences, scaleFingerprints, SCALE_ANSIBLE_PLAYBOOK, SCALE_PLAYBOOK } from './lib/scale.js';
import { compareTerminalViews, type ViewComparison } from './lib/terminal-view.js';
import {
  DRIFT_SCRIPT, fingerprintDiff, fingerprintHosts, normalizeFingerprints, renderW1, resetScript,
  W1_ANSIBLE_PLAYBOOK, W1_INVENTORY, W1_PLAYBOOK, type W1Topology,
} from './lib/w1.js';

interface Options {
  quick: boolean;
  reportOnly: boolean;
  runs: number;
  scaleRuns: number;
  sizes: number[];
  siteRuns: number;
  only?: 'w1' | 'scale' | 'site' | 'terminal';
  keepScaleLab: boolean;
  outDir: string;
  /** Go on from the checkpoint in outDir/results.json (lib/resume.ts). */
  resume: boolean;
  /** The scale part's Ansible engines (--engines play: none, play's curve alone). */
  scalePeers: readonly AnsibleEngine[];
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only');
  if (only !== undefined && only !== 'w1' && only !== 'scale' && only !== 'site' && only !== 'terminal') throw new Error(`--only must be w1, scale, site or terminal, got ${only}`);
  const defaultSizes = only === 'terminal' ? '200,500' : quick ? '10' : '10,50,100,200,500';
  return {
    quick,
    reportOnly: argv.includes('--report-only'),
    runs: Number(value('--runs') ?? (quick || only === 'terminal' ? 3 : 5)),
    scaleRuns: Number(value('--scale-runs') ?? value('--runs') ?? 3),
    sizes: (value('--sizes') ?? defaultSizes).split(',').map(Number),
    siteRuns: Number(value('--site-runs') ?? (quick ? 1 : 3)),
    ...(only ? { only } : {}),
    keepScaleLab: argv.includes('--keep-scale-lab'),
    outDir: value('--out') ?? BENCH_SRC,
    resume: argv.includes('--resume'),
    scalePeers: scalePeersOf(value('--engines')),
  };
}

/** `--engines play,ansible,mitogen` (the default) or any list holding play: the scale part's engines. */
function scalePeersOf(flag: string | undefined): AnsibleEngine[] {
  const engines = (flag ?? ENGINES.join(',')).split(',');
  if (!engines.includes('play') || engines.some((e) => !(ENGINES as readonly string[]).includes(e))) {
    throw new Error(`--engines must list play and any of ansible, mitogen, got ${flag}`);
  }
  return PEERS.filter((peer) => engines.includes(peer));
}

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Connections stay warm this long after a run (ControlPersist=60s for both engines). */
const WARM_FOR_MS = 40_000;

class Bench {
  private lastRunEnd: Record<Engine, number> = { play: 0, ansible: 0, mitogen: 0 };
  readonly notes: string[] = [];
  readonly problems: string[] = [];
  /** Each Ansible engine's faster strategy (W1's trial; the scale part picks its own). */
  readonly strategy: Record<AnsibleEngine, Strategy> = { ansible: 'linear', mitogen: 'linear' };

  /** One engine run, retried while another play run holds a host's lock. */
  async run(engine: Engine, job: () => Promise<EngineRun>, guard: boolean): Promise<EngineRun> {
    for (let attempt = 1; ; attempt++) {
      if (guard) {
        const waited = await waitLabIdle(log);
        if (waited > 1) log(`waited ${waited.toFixed(0)} s for the lab to be idle`);
      }
      const run = await job();
      this.lastRunEnd[engine] = Date.now();
      if (engine === 'play' && lockedByOtherRun(run) && attempt < 20) {
        log('a host is locked by another play run: waiting and retrying');
        await sleep(30_000);
        continue;
      }
      return run;
    }
  }

  /**
   * A run that must reach every host of the scale lab: one with a failed or unreachable host (a
   * connect that timed out while a hundred sessions start at once) is noted and done again, three
   * attempts in all, so one slow connect does not throw away an hour of measurements.
   */
  async runAll(engine: Engine, job: () => Promise<EngineRun>, hosts: readonly string[], what: string, guard: boolean): Promise<EngineRun> {
    for (let attempt = 1; ; attempt++) {
      const run = await this.run(engine, job, guard);
      const problems = runProblems(run, hosts);
      if (!problems.length) return run;
      if (attempt >= 3) throw new Error(`${what}: ${problems.join('; ')}\n${tail(run.stdout, 30)}`);
      const note = `${what}: attempt ${attempt} discarded (${problems.slice(0, 3).join('; ').split('\n')[0]})`;
      log(note);
      this.notes.push(note);
      await sleep(10_000);
    }
  }

  ran(engine: Engine): void {
    this.lastRunEnd[engine] = Date.now();
  }

  isWarm(engine: Engine): boolean {
    // Mitogen's connections live and die with its ansible-playbook process: no run warms the next
    if (engine === 'mitogen') return true;
    return Date.now() - this.lastRunEnd[engine] < WARM_FOR_MS;
  }
}

function sampleOf(run: EngineRun): Sample {
  const execs = Object.values(run.hosts).map((h) => h.execs).filter((e): e is number => e !== undefined);
  const connects = Object.values(run.hosts).map((h) => h.connects).filter((e): e is number => e !== undefined);
  return {
    wall_s: run.wallS,
    cpu_s: run.cpuS,
    tree_cpu_s: run.treeCpuS,
    masters_cpu_s: run.mastersCpuS,
    machine_cpu_s: run.machineCpuS,
    max_rss_mb: run.maxRssMb,
    tree_rss_mb: run.treeRssMb,
    changed: totalChanged(run),
    ...(run.packagesS !== undefined ? { packages_s: run.packagesS } : {}),
    ...(execs.length ? { execs_per_host_max: Math.max(...execs), execs_total: execs.reduce((a, b) => a + b, 0) } : {}),
    ...(connects.length ? { connects_total: connects.reduce((a, b) => a + b, 0) } : {}),
  };
}

// -----------------------------------------------------------------------------------------------
// W1

async function runW1(opts: Options, bench: Bench, results: Results): Promise<void> {
  const status = await labStatus();
  const needed = ['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1', 'worker2'];
  const down = needed.filter((n) => status.hosts.find((h) => h.name === n)?.state !== 'running');
  if (down.length) throw new Error(`main lab hosts not running: ${down.join(', ')} (sudo npm run lab -- up)`);
  // The keepalived role installs psmisc (killall, for its haproxy check): a lab repository built
  // before psmisc was added to REPO_PACKAGES cannot serve W1's first apply.
  const packages = readFileSync('/var/cache/play-lab/repo/debian/Packages', 'utf8');
  for (const pkg of ['keepalived', 'haproxy', 'psmisc']) {
    if (!new RegExp(`^Package: ${pkg}$`, 'm').test(packages)) {
      throw new Error(`the lab repository has no ${pkg}: rebuild it with \`sudo npm run lab -- up\` (test/lab/constants.ts REPO_PACKAGES)`);
    }
  }

  const renderDir = await mkdtemp(join(tmpdir(), 'play-bench-w1-'));
  try {
    const topo = await renderW1(renderDir);
    log(`W1: rendered expected files for ${topo.all.length} hosts into ${renderDir}`);
    const known = await labHosts();
    const lockTargets = topo.all.map((name) => {
      const h = known.find((k) => k.name === name);
      if (!h) throw new Error(`no lab host ${name}`);
      return { name, address: h.address };
    });
    const locked = <T>(fn: () => Promise<T>): Promise<T> => withRunLock(lockTargets, log, fn);
    const ansibleVars = [`bench_render_dir=${renderDir}`];
    const play = (): Promise<EngineRun> => runPlay({ playbook: W1_PLAYBOOK, inventory: W1_INVENTORY });
    // Ansible does not take play's run lock: the benchmark holds it for the run (see lib/run-lock.ts).
    const ansible = (strategy: Strategy, engine: AnsibleEngine = 'ansible') => (): Promise<EngineRun> =>
      locked(() => runAnsible({ playbook: W1_ANSIBLE_PLAYBOOK, inventory: W1_INVENTORY, strategy, engine, forks: Math.max(50, topo.all.length), extraVars: ansibleVars }));
    // warming a measured run: play by a run of its own, stock Ansible by its control masters (Mitogen keeps nothing)
    const warm = (engine: Engine, job: () => Promise<EngineRun>): (() => Promise<EngineRun>) =>
      engine === 'ansible' ? () => warmAnsible({ inventory: W1_INVENTORY, forks: Math.max(50, topo.all.length) }) : job;
    const check = (run: EngineRun, what: string): void => {
      const p = runProblems(run, topo.all);
      if (p.length) throw new Error(`W1 ${what}: ${p.join('; ')}\n${tail(run.stdout, 40)}`);
    };

    // Converge once (the lab may hold anything), then check that each engine finds the others'
    // converged state converged: the playbooks really ensure the same thing.
    log('W1: converging the lab with play');
    check(await bench.run('play', play, true), 'initial play apply');
    for (const peer of ['ansible', 'mitogen'] as const) {
      const a0 = await bench.run(peer, ansible('linear', peer), true);
      check(a0, `${peer} on play-converged hosts`);
      if (totalChanged(a0) !== 0) bench.problems.push(`W1: ${peer} changed ${totalChanged(a0)} task(s) on hosts play had converged:\n${changedLines(a0.stdout)}`);
    }
    const p0 = await bench.run('play', play, true);
    check(p0, 'play after ansible');
    if (totalChanged(p0) !== 0) bench.problems.push(`W1: play changed ${totalChanged(p0)} task(s) after ansible's no-op`);

    // Each Ansible engine's strategy: the faster of linear and free on the no-op.
    for (const peer of ['ansible', 'mitogen'] as const) {
      const { strategy, trial } = await fasterStrategy(opts.quick ? 2 : 3, async (s) => {
        const r = await bench.run(peer, ansible(s, peer), true);
        check(r, `${peer} ${s} no-op trial`);
        return r.wallS;
      });
      bench.strategy[peer] = strategy;
      Object.assign(peerSettings(results, peer), { strategy, strategy_trial: trial });
      log(`W1: ${peer} strategy ${strategy} (no-op medians: linear ${trial.linear_noop_median_s.toFixed(2)} s, free ${trial.free_noop_median_s.toFixed(2)} s)`);
    }

    const engines: Array<[Engine, () => Promise<EngineRun>]> = [
      ['play', play],
      ['ansible', () => ansible(bench.strategy.ansible)()],
      ['mitogen', () => ansible(bench.strategy.mitogen, 'mitogen')()],
    ];
    let reference: Record<string, string[]> | undefined;
    let referenceMachines = '';
    // The lab's machines (their nspawn pids): a suite that recreates the lab gives hosts new host
    // keys, so the state from before is no reference any more.
    const machines = async (): Promise<string> => JSON.stringify((await labStatus()).hosts.filter((h) => topo.all.includes(h.name)).map((h) => h.pid));
    const compare = async (label: string): Promise<void> => {
      const now = normalizeFingerprints(await fingerprintHosts(topo.all));
      const current = await machines();
      results.w1.equivalence_checks++;
      if (!reference || current !== referenceMachines) {
        if (reference) bench.notes.push(`W1 ${label}: the lab's machines were recreated by another suite; new reference state`);
        reference = now;
        referenceMachines = current;
        return;
      }
      const diff = fingerprintDiff(reference, now);
      if (diff.length) {
        results.w1.differences.push(`${label}:\n  ${diff.join('\n  ')}`);
        log(`W1: ${label}: the hosts' state differs from the reference:\n  ${diff.slice(0, 20).join('\n  ')}`);
      }
    };

    /**
     * One measured run: prepare (reset, warm-up, drift), run, check. Other suites share the main
     * lab: a run that a foreign play run got in the way of (the host lock, a host that went away,
     * a "no-op" that found something to do) is not a sample of the scenario; it is noted, and the
     * preparation and the run are done again.
     */
    const measured = async (name: 'first_apply' | 'noop' | 'drift', engine: Engine, job: () => Promise<EngineRun>, label: string): Promise<EngineRun> => {
      for (let attempt = 1; ; attempt++) {
        await waitLabIdle(log);
        if (name === 'first_apply') await locked(() => resetHosts(topo));
        else if (!bench.isWarm(engine)) await bench.run(engine, warm(engine, job), false); // measured warm (ControlPersist 60 s)
        if (name === 'drift') {
          const r = await locked(() => labSsh('lb1', DRIFT_SCRIPT));
          if (r.code !== 0) throw new Error(`could not make drift on lb1: ${r.stderr}`);
        }
        const run = await job();
        bench.ran(engine);
        const changed = totalChanged(run);
        const why = lockedByOtherRun(run)
          ? 'a host was locked by another play run'
          : runProblems(run, topo.all).join('; ') ||
            (name === 'noop' && changed !== 0 ? `the no-op changed ${changed} task(s)` : '') ||
            (name !== 'noop' && changed === 0 ? 'it changed nothing' : '');
        if (!why) return run;
        const note = `W1 ${label}: attempt ${attempt} discarded (${why.split('\n')[0]})`;
        log(note);
        bench.notes.push(note);
        if (attempt >= 5) throw new Error(`W1 ${label}: no valid run in ${attempt} attempts (${why})\n${tail(run.stdout, 30)}`);
        await sleep(20_000);
      }
    };

    const scenario = async (name: 'first_apply' | 'noop' | 'drift'): Promise<ScenarioResult> => {
      const samples: Record<Engine, Sample[]> = { play: [], ansible: [], mitogen: [] };
      for (let i = 0; i < opts.runs; i++) {
        for (const [engine, job] of engines) {
          const label = `${name} ${engine} run ${i + 1}`;
          const run = await measured(name, engine, job, label);
          samples[engine].push(sampleOf(run));
          log(`W1 ${name} ${i + 1}/${opts.runs} ${engine}: ${run.wallS.toFixed(2)} s wall, ${run.cpuS.toFixed(2)} s cpu, changed ${totalChanged(run)}`);
          if (name !== 'noop') await compare(label);
        }
      }
      return samples;
    };

    // first apply first: its first run (play's) is the reference state every later apply is compared with
    results.w1.scenarios.first_apply = await scenario('first_apply');
    results.w1.scenarios.noop = await scenario('noop');
    results.w1.scenarios.drift = await scenario('drift');

    // play started with SHLVL unset/0 (cron, CI runners, nohup'd jobs): each SSH exec's bash sources ~/.bashrc
    const bashrc: Sample[] = [];
    const playNoShlvl = (): Promise<EngineRun> => runPlay({ playbook: W1_PLAYBOOK, inventory: W1_INVENTORY, env: { SHLVL: '0' } });
    for (let i = 0; i < (opts.quick ? 2 : 3); i++) {
      const run = await measured('noop', 'play', playNoShlvl, `no-op play with SHLVL=0 run ${i + 1}`);
      bashrc.push(sampleOf(run));
      log(`W1 noop play with SHLVL=0: ${run.wallS.toFixed(2)} s wall, ${run.cpuS.toFixed(2)} s cpu`);
    }
    results.w1.noop_play_shlvl0 = bashrc;
    results.w1.hosts = topo.all.length;
    results.w1.equivalent = results.w1.differences.length === 0;
  } finally {
    await rm(renderDir, { recursive: true, force: true });
  }
}

async function resetHosts(topo: W1Topology): Promise<void> {
  await Promise.all(
    topo.all.map(async (host) => {
      const r = await labSsh(host, resetScript(host, topo), { timeoutMs: 300_000 });
      if (r.code !== 0) throw new Error(`reset of ${host} failed (exit ${r.code}): ${tail(r.stderr || r.stdout)}`);
    }),
  );
}

function changedLines(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('changed:'))
    .slice(0, 20)
    .join('\n');
}

// -----------------------------------------------------------------------------------------------
// scale

async function runScale(opts: Options, bench: Bench, results: Results, checkpoint: (done: string) => Promise<void>): Promise<void> {
  const done = doneParts(results);
  const sizes = opts.sizes.filter((n) => !done.sizes.includes(n));
  if (!sizes.length) return;
  const maxSize = Math.max(...sizes);
  const work = await mkdtemp(join(tmpdir(), 'play-bench-scale-'));
  try {
    // fresh hosts: whatever an earlier run left (converged hosts, masters) goes first
    const left = await scaleLabDown(log);
    if (left.length) throw new Error(`the scale lab could not be cleared: ${left.join(', ')}`);
    log(`scale: bringing up ${maxSize} light hosts on playbench0`);
    const up = await scaleLabUp(maxSize, log);
    results.scale_lab = { hosts: maxSize, up_seconds: up.seconds };
    const varsFile = await renderScale(join(work, 'render'));
    const env = { PLAY_ROLES_PATH: BENCH_ROLES_PATH };
    const inventoryFor = async (n: number): Promise<string> => {
      const file = join(work, `scale-${n}.ini`);
      await writeFile(file, scaleInventory(n));
      return file;
    };
    const play = (inventory: string, limit?: string) => (): Promise<EngineRun> =>
      runPlay({ playbook: SCALE_PLAYBOOK, inventory, env, ...(limit ? { extraArgs: ['--limit', limit] } : {}) });
    const scaleStrategy: Record<AnsibleEngine, Strategy> = { ...bench.strategy };
    const ansible = (peer: AnsibleEngine, inventory: string, n: number, limit?: string, strategy = scaleStrategy[peer]) => (): Promise<EngineRun> =>
      runAnsible({
        playbook: SCALE_ANSIBLE_PLAYBOOK, inventory, strategy, engine: peer, forks: Math.max(50, n),
        extraVars: [`@${varsFile}`], ...(limit ? { limit } : {}),
      });
    const job = (engine: Engine, inventory: string, n: number, limit?: string): (() => Promise<EngineRun>) =>
      engine === 'play' ? play(inventory, limit) : ansible(engine, inventory, n, limit);
    // warming a measured run: play by a run of its own (which also converges the hosts a size
    // adds), stock Ansible by its control masters (Mitogen keeps nothing between runs)
    const warm = (engine: Engine, inventory: string, n: number): (() => Promise<EngineRun>) =>
      engine === 'ansible' ? () => warmAnsible({ inventory, forks: Math.max(50, n) }) : job(engine, inventory, n);

    // a peer that cannot reach every host in three attempts at a size is left out from there on
    const failedPeers = new Set<Engine>();
    const first = Math.min(...opts.sizes);
    const inv = await inventoryFor(first);
    const names = scaleHosts(first).map((h) => h.name);
    if (done.scaleEquivalence) {
      log('scale: equivalence checked before the stop (resumed)');
      // the scale lab is new, and a strategy trial measures no-ops of converged hosts
      if (opts.scalePeers.some((peer) => !done.scaleStrategies[peer])) {
        await bench.runAll('play', job('play', inv, first), names, 'scale: play converges the smallest size for the trials', false);
      }
    } else await checkScaleEquivalence(bench, results, ['play', ...opts.scalePeers], first, (engine, limit) => job(engine, inv, first, limit));

    // Each Ansible engine's strategy for this workload: the faster of linear and free at the smallest size.
    for (const peer of opts.scalePeers) {
      const chosen = done.scaleStrategies[peer];
      if (chosen) {
        scaleStrategy[peer] = chosen;
        log(`scale: ${peer} strategy ${chosen} (its trial ran before the stop)`);
        continue;
      }
      const { strategy, trial } = await fasterStrategy(opts.quick ? 1 : 2, async (s) => {
        const r = await bench.runAll(peer, ansible(peer, inv, first, undefined, s), names, `scale: ${peer} ${s} trial`, true);
        return r.wallS;
      });
      scaleStrategy[peer] = strategy;
      Object.assign(peerSettings(results, peer), { scale_strategy: strategy, scale_strategy_trial: { hosts: first, ...trial } });
      log(`scale: ${peer} strategy ${strategy} (no-op medians at ${first} hosts: linear ${trial.linear_noop_median_s.toFixed(2)} s, free ${trial.free_noop_median_s.toFixed(2)} s)`);
    }

    for (const n of [...sizes].sort((a, b) => a - b)) {
      const inventory = await inventoryFor(n);
      const sizeHosts = scaleHosts(n).map((h) => h.name);
      // the Ansible engines run where a run should take under 10 minutes; the report extrapolates the rest
      const peers = opts.scalePeers.filter((peer) => !failedPeers.has(peer) && measureAt(peerSizePoints(results.scale, peer), n));
      for (const peer of opts.scalePeers.filter((p) => !peers.includes(p) && !failedPeers.has(p))) log(`scale ${n}: ${peer} not run (a run would take 10 minutes or more): extrapolated`);
      const sizeEngines: Engine[] = ['play', ...peers];
      // converge the hosts this size adds and warm the engines' connections (Mitogen's die with each run)
      for (const engine of sizeEngines.filter((e) => e !== 'mitogen')) await bench.runAll(engine, warm(engine, inventory, n), sizeHosts, `scale ${n}: ${engine} warm-up`, false);
      const samples: Record<Engine, Sample[]> = { play: [], ansible: [], mitogen: [] };
      for (let i = 0; i < opts.scaleRuns; i++) {
        for (const engine of sizeEngines) {
          if (failedPeers.has(engine)) continue;
          if (!bench.isWarm(engine)) await bench.runAll(engine, warm(engine, inventory, n), sizeHosts, `scale ${n}: ${engine} warm-up`, true);
          const noop = (): Promise<EngineRun> => bench.runAll(engine, job(engine, inventory, n), sizeHosts, `scale ${n} ${engine} no-op ${i + 1}`, true);
          const run = await (engine === 'play' ? noop() : peerRunOrGiveUp(engine, failedPeers, bench.problems, log, noop));
          if (!run) continue;
          if (totalChanged(run) !== 0) bench.problems.push(`scale ${n}: ${engine} no-op changed ${totalChanged(run)} task(s)`);
          samples[engine].push(sampleOf(run));
          log(`scale ${n} no-op ${i + 1}/${opts.scaleRuns} ${engine}: ${run.wallS.toFixed(2)} s wall, ${run.cpuS.toFixed(2)} s cpu, ${run.maxRssMb.toFixed(0)} MB peak RSS`);
        }
      }
      const result: ScaleResult = { hosts: n, ...samples };
      results.scale.push(result);
      await checkpoint(`scale ${n}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    if (!opts.keepScaleLab) {
      const left = await scaleLabDown(log);
      results.scale_lab_leftovers = left;
      if (left.length) bench.problems.push(`scale lab teardown left: ${left.join(', ')}`);
    }
  }
}

/**
 * Equivalence: the smallest size's hosts in parts, converged by play, ansible and mitogen one part
 * each; every host's state must then be the same, and each engine must find all of them converged
 * (changed=0).
 */
async function checkScaleEquivalence(
  bench: Bench, results: Results, engines: readonly Engine[], size: number,
  job: (engine: Engine, limit?: string) => () => Promise<EngineRun>,
): Promise<void> {
  const hosts = scaleHosts(size);
  const names = hosts.map((h) => h.name);
  const share = Math.ceil(size / engines.length);
  for (const [i, engine] of engines.entries()) {
    const part = names.slice(i * share, (i + 1) * share);
    if (part.length) await bench.runAll(engine, job(engine, part.join(',')), part, `scale: ${engine} first apply`, false);
  }
  const diffs = scaleDifferences(await scaleFingerprints(hosts));
  results.scale_equivalent = diffs.length === 0;
  if (diffs.length) {
    results.scale_differences = diffs;
    log(`scale: end states differ:\n  ${diffs.slice(0, 20).join('\n  ')}`);
  }
  for (const engine of engines) {
    const r = await bench.runAll(engine, job(engine), names, `scale: ${engine} on all parts`, false);
    if (totalChanged(r) !== 0) bench.problems.push(`scale: ${engine} changed ${totalChanged(r)} task(s) on hosts the engines had converged`);
  }
}

const ENGINES = ['play', 'ansible', 'mitogen'] as const;
const PEERS = ['ansible', 'mitogen'] as const;

/** Where results.json keeps an Ansible engine's strategy choices. */
function peerSettings(results: Results, peer: AnsibleEngine): StrategyChoice {
  if (peer === 'ansible') return results.ansible;
  if (!results.mitogen) throw new Error('results.mitogen is set before any Mitogen run');
  return results.mitogen;
}

// -----------------------------------------------------------------------------------------------

function printViewTable(rows: readonly ViewComparison[]): void {
  const lines = [
    `| hosts | live view CPU s | plain CPU s | live / plain | live wall s | plain wall s | live KB to terminal | plain KB to terminal |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.hosts} | ${r.live_cpu_s.toFixed(2)} | ${r.plain_cpu_s.toFixed(2)} | ${r.cpu_ratio.toFixed(2)} | ${r.live_wall_s.toFixed(2)} | ${r.plain_wall_s.toFixed(2)} | ${r.live_terminal_kb.toFixed(0)} | ${r.plain_terminal_kb.toFixed(0)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Whether the flags ask for a part (all of them unless --only names one). */
function asked(opts: Options, name: 'w1' | 'scale' | 'site'): boolean {
  return opts.only === undefined || opts.only === name;
}

/** results.json of the stopped run in --out, or why it cannot be resumed with these flags. */
function resumable(opts: Options): Results | string {
  const file = join(opts.outDir, 'results.json');
  const results = existsSync(file) ? resultsFromJson(readFileSync(file, 'utf8')) : undefined;
  return resumeProblem(results, file, opts, wantedParts(opts)) ?? results!;
}

function wantedParts(opts: Options): WantedParts {
  return { w1: asked(opts, 'w1'), site: asked(opts, 'site'), sizes: asked(opts, 'scale') ? opts.sizes : [] };
}

/** The stopped run's results, to be completed by this one: its notes and strategies carry on, a W1 stopped midway starts again. */
function resumeInto(stopped: Results, fresh: Results, bench: Bench): Results {
  const done = doneParts(stopped);
  bench.notes.push(...stopped.notes, `resumed on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC after a stop (${(stopped.duration_s / 60).toFixed(0)} min measured before; kept: ${describeDone(done)})`);
  bench.problems.push(...stopped.problems.filter((p) => !p.startsWith('the benchmark stopped: ')));
  bench.strategy.ansible = stopped.ansible.strategy;
  if (stopped.mitogen) bench.strategy.mitogen = stopped.mitogen.strategy;
  return {
    ...stopped,
    machine: fresh.machine,
    ...(done.w1 ? {} : { w1: fresh.w1 }),
    notes: bench.notes,
    problems: bench.problems,
  };
}

function describeDone(done: DoneParts): string {
  const kept = [done.w1 ? 'W1' : '', done.site ? 'site' : '', done.sizes.length ? `scale sizes ${done.sizes.join(', ')}` : ''].filter(Boolean);
  return kept.join(', ') || 'nothing';
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.reportOnly) {
    // RESULTS.md and the figure again from results.json (after editing ANALYSIS.md, say)
    const files = await writeReport(resultsFromJson(readFileSync(join(opts.outDir, 'results.json'), 'utf8')), opts.outDir, drawChart);
    log(`rewrote ${files.join(', ')}`);
    return;
  }
  if (opts.only === 'terminal') {
    printViewTable(await compareTerminalViews(opts.sizes, opts.runs, log));
    return;
  }
  // a checkpoint that cannot be resumed is a usage error: said before any tool or host is looked at
  const resumed = opts.resume ? resumable(opts) : undefined;
  if (typeof resumed === 'string') {
    process.stderr.write(`bench: ${resumed}\n`);
    process.exitCode = 2;
    return;
  }
  if (!isRoot()) throw new Error('the benchmark needs root (the lab and the scale lab run as root)');
  // the site part runs play alone, and so does the scale part with --engines play: no peer needs to be there
  const peersNeeded = !(opts.only === 'site' || (opts.only === 'scale' && opts.scalePeers.length === 0));
  for (const tool of ['/usr/bin/time', ...(peersNeeded ? ['/usr/bin/ansible-playbook'] : [])]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing (apt-get install time ansible)`);
  }
  const collections = peersNeeded ? missingCollections() : [];
  const mitogen = peersNeeded ? findMitogen() : { version: 'not used', strategyDir: '' };
  if (collections.length || !mitogen) {
    if (collections.length) process.stderr.write(`bench: ansible-playbook has no ${collections.join(', ')} collection: the benchmark's playbooks use it (apt-get install ansible)\n`);
    if (!mitogen) process.stderr.write(`bench: ${MITOGEN_MISSING}\n`);
    process.exitCode = 2;
    return;
  }
  const bench = new Bench();
  const fresh: Results = {
    machine: machineInfo(),
    mode: opts.quick ? 'quick' : 'full',
    runs_per_scenario: opts.runs,
    scale_runs: opts.scaleRuns,
    ansible: { strategy: 'linear', forks: 'max(50, hosts)', pipelining: true, control_persist: '60s', gather_facts: false },
    mitogen: { version: mitogen.version, strategy: 'linear' },
    w1: { hosts: 0, scenarios: {}, equivalent: false, equivalence_checks: 0, differences: [] },
    scale: [],
    notes: bench.notes,
    problems: bench.problems,
    duration_s: 0,
  };
  const results = resumed ? resumeInto(resumed, fresh, bench) : fresh;
  const kept = doneParts(results);
  const started = Date.now() - results.duration_s * 1000;
  log(describePlan(results.mode, wantedParts(opts), opts, resumed ? kept : undefined));
  const part = (name: 'w1' | 'scale' | 'site'): boolean => asked(opts, name) && !(name !== 'scale' && kept[name]);
  // The report is written after each part (and each scale size) and when a part fails: a run of
  // two hours that stops near its end still leaves what it measured, marked incomplete.
  const report = async (incomplete?: string): Promise<string[]> => {
    results.duration_s = (Date.now() - started) / 1000;
    if (incomplete) results.incomplete = incomplete;
    else delete results.incomplete;
    return writeReport(results, opts.outDir, drawChart);
  };
  const checkpoint = async (done: string): Promise<void> => {
    await report(`written after ${done}, while the benchmark was still running`);
    log(`report written after ${done}`);
  };
  // Stopped by a signal (Ctrl-C, the end of a session): the report says so, and --resume goes on from it
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`${signal}: writing the report of what was measured (npm run bench -- --resume goes on from it)`);
      void report(`stopped by ${signal} after ${((Date.now() - started) / 60_000).toFixed(0)} min; npm run bench -- --resume goes on from here`)
        .finally(() => process.exit(128 + constants.signals[signal]));
    });
  }
  try {
    if (part('w1')) {
      await runW1(opts, bench, results);
      await checkpoint('W1');
    }
    // after W1 (the site's rounds make the lab anew), before the scale lab takes the machine's cores
    if (part('site')) {
      results.site = await runSite(opts.siteRuns, bench, sampleOf, log);
      await checkpoint('the site part');
    }
    if (part('scale')) await runScale(opts, bench, results, checkpoint);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    bench.problems.push(`the benchmark stopped: ${why}`);
    await report(`the benchmark stopped after ${((Date.now() - started) / 60_000).toFixed(0)} min (${why}); the parts after that point are missing`);
    throw err;
  }
  const files = await report();
  log(`done in ${(results.duration_s / 60).toFixed(1)} min: ${files.join(', ')}`);
  if (bench.problems.length) log(`problems:\n  ${bench.problems.join('\n  ')}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
