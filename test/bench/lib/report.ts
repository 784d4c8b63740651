/**
 * The benchmark's outputs: results.json (every sample plus the summary fields), RESULTS.md
 * (tables, targets, method; test/bench/ANALYSIS.md, written by hand after looking at a profile,
 * is included verbatim) and the figure, results.svg (shown in RESULTS.md) and results.png
 * (lib/plot.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MachineInfo } from './machine-info.js';
import type { Chart, EngineSeconds, PlotInput } from './plot.js';
import { SITE_SCENARIOS, siteMarkdown, siteSummary, type SiteScenario } from './site-report.js';
import { linearFit, max, median, numbersOf, round, wallSpread } from './stats.js';
import { BENCH_SRC, type AnsibleEngine } from './engines.js';
import { PEER_RUN_LIMIT_S, projectedSeconds, type SizePoint, type StrategyTrial } from './peers.js';

export interface Sample {
  wall_s: number;
  cpu_s: number;
  tree_cpu_s: number;
  masters_cpu_s: number;
  machine_cpu_s: number;
  max_rss_mb: number;
  tree_rss_mb: number;
  changed: number;
  execs_per_host_max?: number;
  /** play: the longest time a host spent in package (apt) tasks. */
  packages_s?: number;
  execs_total?: number;
  connects_total?: number;
}

export interface ScenarioResult {
  play: Sample[];
  ansible: Sample[];
  /** ansible-playbook with the Mitogen strategy, where measured. */
  mitogen?: Sample[];
}

export type { SiteScenario } from './site-report.js';

export interface ScaleResult extends ScenarioResult {
  hosts: number;
}

/** The strategy an Ansible engine ran with, and the no-op trial that picked it (W1, scale). */
export interface StrategyChoice {
  strategy: 'linear' | 'free';
  strategy_trial?: StrategyTrial;
  scale_strategy?: 'linear' | 'free';
  scale_strategy_trial?: StrategyTrial & { hosts: number };
}

export interface Results {
  machine: MachineInfo;
  mode: 'quick' | 'full';
  runs_per_scenario: number;
  scale_runs: number;
  ansible: StrategyChoice & {
    forks: string;
    pipelining: boolean;
    control_persist: string;
    gather_facts: boolean;
  };
  /** ansible-playbook with Mitogen: the same settings, Mitogen's strategy of the faster kind. */
  mitogen?: StrategyChoice & { version: string };
  w1: {
    hosts: number;
    scenarios: Partial<Record<'first_apply' | 'noop' | 'drift', ScenarioResult>>;
    equivalent: boolean;
    equivalence_checks: number;
    differences: string[];
    /** play's no-op started with SHLVL=0 (each exec's bash reads ~/.bashrc). */
    noop_play_shlvl0?: Sample[];
  };
  scale: ScaleResult[];
  site?: Partial<Record<SiteScenario, Sample[]>>;
  scale_lab?: { hosts: number; up_seconds: number };
  scale_lab_leftovers?: string[];
  scale_equivalent?: boolean;
  scale_differences?: string[];
  notes: string[];
  problems: string[];
  duration_s: number;
  /** Set while the run is under way (a checkpoint) or when it stopped early: what is missing and why. */
  incomplete?: string;
}

const pick = (samples: readonly Sample[], key: keyof Sample): number[] => numbersOf(samples, key);

function summary(samples: readonly Sample[]) {
  return {
    ...wallSpread(pick(samples, 'wall_s')),
    cpu_s: round(median(pick(samples, 'cpu_s'))),
    masters_cpu_s: round(median(pick(samples, 'masters_cpu_s'))),
    machine_cpu_s: round(median(pick(samples, 'machine_cpu_s'))),
    max_rss_mb: round(max(pick(samples, 'max_rss_mb')), 1),
    packages_s: round(median(pick(samples, 'packages_s'))),
    tree_rss_mb: round(max(pick(samples, 'tree_rss_mb')), 1),
    samples: samples.length,
  };
}

/** play's median wall over a peer's (NaN where the peer has no samples). */
function ratio(s: ScenarioResult | undefined, peer: AnsibleEngine = 'ansible'): number {
  const peerSamples = s?.[peer];
  if (!s || !peerSamples?.length) return Number.NaN;
  return round(median(pick(s.play, 'wall_s')) / median(pick(peerSamples, 'wall_s')), 4);
}

/** A peer's median no-op wall at each size of the scale curve where it ran. */
export function peerSizePoints(scale: readonly ScaleResult[], peer: AnsibleEngine): SizePoint[] {
  return scale.filter((s) => s[peer]?.length).map((s) => ({ hosts: s.hosts, seconds: median(pick(s[peer]!, 'wall_s')) }));
}

/**
 * A peer's figures at one size of the scale curve: measured, or where it did not run (a run
 * would have taken 10 minutes or more, lib/peers.ts), its wall extrapolated from the sizes measured.
 */
function peerScaleRow(s: ScaleResult, peer: AnsibleEngine, measured: readonly SizePoint[]): Record<string, number> {
  const samples = s[peer] ?? [];
  if (!samples.length) {
    const projected = projectedSeconds(measured, s.hosts);
    return Number.isFinite(projected) ? { [`${peer}_extrapolated_s`]: round(projected) } : {};
  }
  return {
    [`${peer}_s`]: round(median(pick(samples, 'wall_s'))),
    [`${peer}_cpu_s`]: round(median(pick(samples, 'cpu_s'))),
    [`${peer}_machine_cpu_s`]: round(median(pick(samples, 'machine_cpu_s'))),
    [`${peer}_max_rss_mb`]: round(max(pick(samples, 'max_rss_mb')), 1),
    [`${peer}_tree_rss_mb`]: round(max(pick(samples, 'tree_rss_mb')), 1),
  };
}

interface Target {
  name: string;
  target: string;
  value: string;
  met: boolean | null;
}

/** Medians of each engine's wall times (engines without samples left out). */
function engineSeconds(s: ScenarioResult): EngineSeconds {
  const of = (samples: readonly Sample[] | undefined): number | undefined => (samples?.length ? median(pick(samples, 'wall_s')) : undefined);
  const out: EngineSeconds = {};
  for (const [key, samples] of [['play', s.play], ['ansible', s.ansible], ['mitogen', s.mitogen]] as const) {
    const v = of(samples);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const SITE_LABELS: Record<SiteScenario, string> = { first_build: 'first build', noop: 'no-op', drift: 'one drift' };

/** What the figure shows, from the results. */
export function plotInput(results: Results): PlotInput {
  const sc = results.w1.scenarios;
  const site = SITE_SCENARIOS
    .filter((k) => results.site?.[k]?.length)
    .map((k) => {
      const samples = results.site![k]!;
      const execs = pick(samples, 'execs_per_host_max');
      return { label: SITE_LABELS[k], seconds: median(pick(samples, 'wall_s')), ...(execs.length ? { execsPerHost: median(execs) } : {}) };
    });
  return {
    w1: (['first_apply', 'noop', 'drift'] as const).filter((k) => sc[k]).map((k) => ({ label: { first_apply: 'first apply', noop: 'no-op', drift: 'drift' }[k], ...engineSeconds(sc[k]!) })),
    scale: results.scale.map((s) => ({ hosts: s.hosts, ...engineSeconds(s) })),
    ...(site.length ? { site } : {}),
    subtitle: `${results.machine.cpu_model}, ${results.machine.cores} cores, node ${results.machine.node}, ${results.machine.ansible}; ${results.mode} run, ${results.runs_per_scenario} runs each`,
    w1Hosts: results.w1.hosts,
  };
}

export async function writeReport(results: Results, outDir: string, chart: (input: PlotInput) => Chart): Promise<string[]> {
  const sc = results.w1.scenarios;
  const noopExecs = sc.noop ? median(pick(sc.noop.play, 'execs_per_host_max')) : Number.NaN;
  const peerPoints = { ansible: peerSizePoints(results.scale, 'ansible'), mitogen: peerSizePoints(results.scale, 'mitogen') };
  const scale = results.scale.map((s) => ({
    hosts: s.hosts,
    play_s: round(median(pick(s.play, 'wall_s'))),
    play_cpu_s: round(median(pick(s.play, 'cpu_s'))),
    play_machine_cpu_s: round(median(pick(s.play, 'machine_cpu_s'))),
    play_max_rss_mb: round(max(pick(s.play, 'max_rss_mb')), 1),
    play_tree_rss_mb: round(max(pick(s.play, 'tree_rss_mb')), 1),
    play_execs_per_host: median(pick(s.play, 'execs_per_host_max')),
    ...peerScaleRow(s, 'ansible', peerPoints.ansible),
    ...peerScaleRow(s, 'mitogen', peerPoints.mitogen),
  }));
  const all = (engine: 'play' | AnsibleEngine): Sample[] => [...Object.values(sc).flatMap((s) => s?.[engine] ?? []), ...results.scale.flatMap((s) => s[engine] ?? [])];
  const peakRss = round(max(pick(all('play'), 'max_rss_mb')), 1);
  const growth = scale.length >= 2 ? scaleGrowth(scale.map((s) => ({ hosts: s.hosts, seconds: s.play_s })), peerPoints) : undefined;
  const at50 = scale.find((s) => s.hosts === 50);
  const at200 = scale.find((s) => s.hosts === 200);
  const largest = scale.reduce<(typeof scale)[number] | undefined>((a, s) => (!a || s.hosts > a.hosts ? s : a), undefined);
  const growthMs = growth?.play_s_per_host !== undefined ? growth.play_s_per_host * 1000 : Number.NaN;

  const targets: Target[] = [
    { name: 'W1 no-op re-apply, play / ansible', target: '<= 0.05 (1/20)', value: fmt(ratio(sc.noop), 3), met: cmp(ratio(sc.noop), 0.05) },
    { name: 'W1 first apply, play / ansible', target: '<= 0.333 (1/3)', value: fmt(ratio(sc.first_apply), 3), met: cmp(ratio(sc.first_apply), 1 / 3) },
    { name: 'W1 first apply, play / ansible (issue 17: the apt floor both share)', target: '<= 0.25 (1/4)', value: fmt(ratio(sc.first_apply), 3), met: cmp(ratio(sc.first_apply), 0.25) },
    { name: 'W1 no-op, play execs per host', target: '<= 1', value: fmt(noopExecs, 0), met: cmp(noopExecs, 1) },
    { name: 'Scale no-op at 50 hosts, play wall', target: '<= 3 s', value: at50 ? `${fmt(at50.play_s, 2)} s` : 'not run', met: at50 ? at50.play_s <= 3 : null },
    { name: 'Controller peak RSS of play (largest process)', target: '<= 200 MB', value: `${fmt(peakRss, 1)} MB`, met: cmp(peakRss, 200) },
    { name: 'Scale no-op, play growth per host', target: '<= 15 ms', value: `${fmt(growthMs, 1)} ms`, met: cmp(growthMs, 15) },
    { name: 'Scale no-op at 200 hosts, play wall', target: '<= 4 s', value: at200 ? `${fmt(at200.play_s, 2)} s` : 'not run', met: at200 ? at200.play_s <= 4 : null },
    {
      name: `Controller peak RSS of play at the largest size${largest ? ` (${largest.hosts} hosts)` : ''}`, target: '<= 250 MB',
      value: largest ? `${fmt(largest.play_max_rss_mb, 1)} MB` : 'not run', met: largest ? cmp(largest.play_max_rss_mb, 250) : null,
    },
  ];

  const json = {
    noop_ratio: ratio(sc.noop),
    first_apply_ratio: ratio(sc.first_apply),
    drift_ratio: ratio(sc.drift),
    noop_execs_per_host: noopExecs,
    mitogen_noop_ratio: ratio(sc.noop, 'mitogen'),
    mitogen_first_apply_ratio: ratio(sc.first_apply, 'mitogen'),
    mitogen_drift_ratio: ratio(sc.drift, 'mitogen'),
    scale: scale.map((s) => pickKeys(s, ['hosts', 'play_s', 'ansible_s', 'ansible_extrapolated_s', 'mitogen_s', 'mitogen_extrapolated_s'])),
    peak_rss_mb: peakRss,
    ansible_peak_rss_mb: round(max(pick(all('ansible'), 'max_rss_mb')), 1),
    mitogen_peak_rss_mb: round(max(pick(all('mitogen'), 'max_rss_mb')), 1),
    machine: results.machine,
    targets,
    mode: results.mode,
    runs_per_scenario: results.runs_per_scenario,
    scale_runs: results.scale_runs,
    ansible_settings: results.ansible,
    ...(results.mitogen ? { mitogen_settings: results.mitogen } : {}),
    w1: {
      hosts: results.w1.hosts,
      equivalent: results.w1.equivalent,
      equivalence_checks: results.w1.equivalence_checks,
      differences: results.w1.differences,
      summary: Object.fromEntries(Object.entries(sc).map(([k, s]) => [k, {
        play: summary(s!.play), ansible: summary(s!.ansible), ratio: ratio(s),
        ...(s!.mitogen?.length ? { mitogen: summary(s!.mitogen), mitogen_ratio: ratio(s, 'mitogen') } : {}),
      }])),
      noop_play_shlvl0: results.w1.noop_play_shlvl0 ? summary(results.w1.noop_play_shlvl0) : undefined,
      samples: sc,
      noop_play_shlvl0_samples: results.w1.noop_play_shlvl0,
    },
    scale_detail: scale,
    scale_growth: growth,
    scale_samples: results.scale,
    ...(results.site ? { site: siteSummary(results.site), site_samples: results.site } : {}),
    scale_lab: results.scale_lab,
    scale_equivalent: results.scale_equivalent,
    scale_differences: results.scale_differences,
    scale_lab_leftovers: results.scale_lab_leftovers,
    notes: results.notes,
    problems: results.problems,
    duration_s: round(results.duration_s, 1),
    ...(results.incomplete ? { incomplete: results.incomplete } : {}),
  };

  const files = [join(outDir, 'results.json'), join(outDir, 'RESULTS.md'), join(outDir, 'results.svg'), join(outDir, 'results.png')];
  await writeFile(files[0]!, `${JSON.stringify(json, null, 2)}\n`);
  const figure = chart(plotInput(results));
  await writeFile(files[2]!, figure.svg);
  await writeFile(files[3]!, figure.png);
  await writeFile(files[1]!, markdown(results, json, targets, growth));
  return files;
}

/** Seconds per host and fixed seconds of each engine's no-op, least squares over the sizes it ran at (a peer: 2 at least). */
function scaleGrowth(play: readonly SizePoint[], peers: Record<AnsibleEngine, readonly SizePoint[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [engine, points] of [['play', play], ['ansible', peers.ansible], ['mitogen', peers.mitogen]] as const) {
    if (points.length < 2) continue;
    const fit = linearFit(points.map((p) => p.hosts), points.map((p) => p.seconds));
    out[`${engine}_s_per_host`] = round(fit.slope, 4);
    out[`${engine}_intercept_s`] = round(fit.intercept);
  }
  return out;
}

/** A peer's cells in a row of the scale table: measured, or its extrapolated wall, marked. */
function peerScaleCells(s: Record<string, number>, peer: AnsibleEngine): string[] {
  const wall = s[`${peer}_s`];
  if (wall === undefined) {
    const projected = s[`${peer}_extrapolated_s`];
    return [projected === undefined ? 'not run' : `*~${projected.toFixed(0)} (extrapolated)*`, projected === undefined ? '' : `*${(s.play_s! / projected).toFixed(4)}*`, '', '', ''];
  }
  return [
    wall.toFixed(2), `**${(s.play_s! / wall).toFixed(3)}**`, s[`${peer}_cpu_s`]!.toFixed(2), s[`${peer}_machine_cpu_s`]!.toFixed(2),
    `${s[`${peer}_max_rss_mb`]!.toFixed(0)} / ${s[`${peer}_tree_rss_mb`]!.toFixed(0)}`,
  ];
}

function pickKeys(row: Record<string, number>, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.filter((k) => row[k] !== undefined).map((k) => [k, row[k]!]));
}

function cmp(value: number, limit: number): boolean | null {
  return Number.isFinite(value) ? value <= limit : null;
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

function markdown(results: Results, json: ReturnType<typeof Object>, targets: Target[], growth: Record<string, number> | undefined): string {
  const j = json as {
    w1: { summary: Record<string, { play: ReturnType<typeof summary>; ansible: ReturnType<typeof summary>; ratio: number; mitogen?: ReturnType<typeof summary>; mitogen_ratio?: number }> };
    scale_detail: Array<Record<string, number>>;
  };
  const m = results.machine;
  const out: string[] = [];
  out.push('# play vs ansible-playbook: benchmark results', '');
  out.push(
    `Generated by \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` (test/bench/run.ts) on ${m.date.slice(0, 16).replace('T', ' ')} UTC, ` +
      `${results.runs_per_scenario} runs per W1 scenario, in ${(results.duration_s / 60).toFixed(1)} min. Every number is regenerated by the benchmark; ` +
      'the analysis at the end is written by hand (test/bench/ANALYSIS.md).',
    '',
  );
  if (results.incomplete) out.push(`**Incomplete run:** ${results.incomplete}`, '');
  out.push('| machine | |', '|---|---|');
  out.push(`| CPU | ${m.cpu_model}, ${m.cores} cores |`, `| memory | ${m.memory_gb} GB |`, `| kernel | ${m.kernel} |`);
  out.push(`| node | ${m.node} |`, `| ansible | ${m.ansible} (Debian), strategy ${results.ansible.strategy} |`);
  if (results.mitogen) out.push(`| mitogen | ansible-mitogen ${results.mitogen.version} (Debian), strategy mitogen_${results.mitogen.strategy} |`);
  out.push(`| ssh | ${m.openssh} |`, '');
  out.push('The lab hosts are containers on the same machine: the hosts\' own work (python modules, shells, apt) runs on the same 2 cores as the controller, and is part of every wall time below.', '');

  out.push('## Targets', '', '| target | goal | measured | met |', '|---|---|---|---|');
  for (const t of targets) out.push(`| ${t.name} | ${t.target} | ${t.value} | ${t.met === null ? 'not run' : t.met ? 'yes' : '**no**'} |`);
  out.push('');

  if (Object.keys(results.w1.scenarios).length) out.push('## W1: the LB layer on the 7 lab hosts', '');
  const names: Record<string, string> = { first_apply: 'first apply (fresh hosts)', noop: 'no-op re-apply', drift: 'one drift (haproxy.cfg on lb1)' };
  const w1Keys = ['first_apply', 'noop', 'drift'].filter((k) => j.w1.summary[k]);
  const withMitogen = w1Keys.some((k) => j.w1.summary[k]!.mitogen);
  if (w1Keys.length) {
    out.push(
      `\`play playbooks/lb.yml -i inventories/lab\` against \`ansible-playbook test/bench/ansible/w1.yml\`${withMitogen ? ', stock and with Mitogen,' : ''} on the same inventory. Wall time: median (min-max).`,
      '',
    );
    out.push(
      `| scenario | play s | ansible s | play / ansible |${withMitogen ? ' mitogen s | play / mitogen |' : ''}`,
      `|---|---|---|---|${withMitogen ? '---|---|' : ''}`,
    );
    const wall = (e: ReturnType<typeof summary>): string => `${e.wall_s.toFixed(2)} (${e.wall_min_s.toFixed(2)}-${e.wall_max_s.toFixed(2)})`;
    const versus = (r: number, peer: string): string => `**${r.toFixed(3)}** (${peer} x${(1 / r).toFixed(1)})`;
    for (const key of w1Keys) {
      const s = j.w1.summary[key]!;
      const mitogen = withMitogen ? ` ${s.mitogen ? `${wall(s.mitogen)} | ${versus(s.mitogen_ratio!, 'mitogen')}` : 'not run | |'} |` : '';
      out.push(`| ${names[key]} | ${wall(s.play)} | ${wall(s.ansible)} | ${versus(s.ratio, 'ansible')} |${mitogen}`);
    }
    out.push('', 'What each run cost (medians; RSS: peak of the largest process / of the summed process tree). Controller CPU = user+sys of the engine\'s process tree and its SSH control masters; machine CPU = every CPU-second the machine spent during the run, the lab hosts\' own work included.', '');
    out.push(
      `| scenario | play controller CPU s | ansible controller CPU s | play machine CPU s | ansible machine CPU s | play RSS MB | ansible RSS MB |${withMitogen ? ' mitogen controller CPU s | mitogen machine CPU s | mitogen RSS MB |' : ''}`,
      `|---|---|---|---|---|---|---|${withMitogen ? '---|---|---|' : ''}`,
    );
    for (const key of w1Keys) {
      const s = j.w1.summary[key]!;
      const mitogen = !withMitogen ? '' : s.mitogen ? ` ${s.mitogen.cpu_s.toFixed(2)} | ${s.mitogen.machine_cpu_s.toFixed(2)} | ${s.mitogen.max_rss_mb.toFixed(0)} / ${s.mitogen.tree_rss_mb.toFixed(0)} |` : ' not run | | |';
      out.push(
        `| ${names[key]} | ${s.play.cpu_s.toFixed(2)} | ${s.ansible.cpu_s.toFixed(2)} | ${s.play.machine_cpu_s.toFixed(2)} | ${s.ansible.machine_cpu_s.toFixed(2)} | ` +
          `${s.play.max_rss_mb.toFixed(0)} / ${s.play.tree_rss_mb.toFixed(0)} | ${s.ansible.max_rss_mb.toFixed(0)} / ${s.ansible.tree_rss_mb.toFixed(0)} |${mitogen}`,
      );
    }
    out.push('');
  }
  const fa = j.w1.summary['first_apply'];
  if (fa && Number.isFinite(fa.play.packages_s)) {
    out.push(
      `Of play's first apply (${fa.play.wall_s.toFixed(2)} s), **${fa.play.packages_s.toFixed(2)} s** are its package tasks on the slowest lb host ` +
        "(`apt-get update` and the installs from the lab repository; Ansible's apt module does the same apt work): that part costs both engines the same and bounds the ratio.",
      '',
    );
  }
  const trial = results.ansible.strategy_trial;
  if (trial) out.push(`Ansible strategy: **${results.ansible.strategy}** (no-op medians: linear ${trial.linear_noop_median_s.toFixed(2)} s, free ${trial.free_noop_median_s.toFixed(2)} s).`, '');
  const mitogenTrial = results.mitogen?.strategy_trial;
  if (mitogenTrial) out.push(`Mitogen strategy: **mitogen_${results.mitogen!.strategy}** (no-op medians: mitogen_linear ${mitogenTrial.linear_noop_median_s.toFixed(2)} s, mitogen_free ${mitogenTrial.free_noop_median_s.toFixed(2)} s).`, '');
  if (results.w1.equivalence_checks > 0) out.push(
    `End states: ${results.w1.equivalent ? '**identical**' : '**DIFFERENT**'} after every apply of every engine ` +
      `(${results.w1.equivalence_checks} fingerprints of all 7 hosts: sha256, mode and owner of every managed file, authorized_keys/known_hosts line sets, sysctls, services, the installed package set).`,
    '',
  );
  if (results.w1.differences.length) out.push('```', ...results.w1.differences.slice(0, 10), '```', '');

  const shlvl0 = results.w1.noop_play_shlvl0;
  if (shlvl0?.length && results.w1.scenarios.noop) {
    const s0 = summary(shlvl0);
    const s1 = summary(results.w1.scenarios.noop.play);
    out.push(
      `play's no-op started with SHLVL=0 (as from cron, a CI runner or a nohup'd job) instead of from an interactive shell: ` +
        `**${s0.wall_s.toFixed(2)} s** wall and ${s0.cpu_s.toFixed(2)} s controller CPU, against ${s1.wall_s.toFixed(2)} s and ${s1.cpu_s.toFixed(2)} s ` +
        "(a local bash started with SHLVL=0 reads ~/.bashrc; play's execs start ssh through /bin/sh, which reads no rc file, so the two should match).",
      '',
    );
  }
  const noop = results.w1.scenarios.noop?.play ?? [];
  if (noop.length) {
    out.push('### Round trips (play, no-op)', '');
    out.push(`Per host, from \`--json\`: at most **${median(pick(noop, 'execs_per_host_max'))}** execs on any host (the run lock session + one batch holding the checks of every play of lb.yml that includes the host); ` +
      `${median(pick(noop, 'execs_total'))} execs for the 7 hosts in all, ${median(pick(noop, 'connects_total'))} new connections (control masters warm).`, '');
  }

  if (j.scale_detail.length) {
    out.push('## Scale: no-op of a 20-task workload', '');
    const st = results.ansible.scale_strategy_trial;
    out.push(
      `Light hosts on their own bridge (test/lab/scale-lab.ts); play runs the bench role (test/bench/roles/bench), Ansible test/bench/ansible/scale.yml ` +
        `(strategy **${results.ansible.scale_strategy ?? results.ansible.strategy}**${st ? `: no-op at ${st.hosts} hosts linear ${st.linear_noop_median_s.toFixed(1)} s, free ${st.free_noop_median_s.toFixed(1)} s` : ''}). ` +
        `Medians of ${results.scale_runs} runs.`,
      '',
    );
    const mst = results.mitogen?.scale_strategy_trial;
    if (mst) out.push(`Mitogen strategy: **mitogen_${results.mitogen!.scale_strategy}** (no-op at ${mst.hosts} hosts mitogen_linear ${mst.linear_noop_median_s.toFixed(1)} s, mitogen_free ${mst.free_noop_median_s.toFixed(1)} s).`, '');
    const peers = (['ansible', 'mitogen'] as const).filter((peer) => j.scale_detail.some((s) => s[`${peer}_s`] !== undefined));
    const peerHeads = peers.flatMap((p) => [`${p} s`, `play / ${p}`, `${p} controller CPU s`, `${p} machine CPU s`, `${p} RSS MB`]);
    const heads = ['hosts', 'play s', 'play controller CPU s', 'play machine CPU s', 'play RSS MB', 'play execs/host', ...peerHeads];
    out.push(`| ${heads.join(' | ')} |`, `|${'---|'.repeat(heads.length)}`);
    for (const s of j.scale_detail) {
      const cells = [
        String(s.hosts), s.play_s!.toFixed(2), s.play_cpu_s!.toFixed(2), s.play_machine_cpu_s!.toFixed(2),
        `${s.play_max_rss_mb!.toFixed(0)} / ${s.play_tree_rss_mb!.toFixed(0)}`, String(s.play_execs_per_host),
        ...peers.flatMap((p) => peerScaleCells(s, p)),
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
    if (j.scale_detail.some((s) => s.ansible_extrapolated_s !== undefined || s.mitogen_extrapolated_s !== undefined)) {
      out.push(`*Extrapolated*: at that size one run of the engine would have taken ${PEER_RUN_LIMIT_S / 60} minutes or more, so it did not run there; its wall is the least-squares line through the sizes it ran at.`, '');
    }
    if (growth) {
      const peerGrowth = peers
        .filter((p) => growth[`${p}_s_per_host`] !== undefined)
        .map((p) => `${p === 'ansible' ? 'Ansible' : 'Mitogen'} **${(growth[`${p}_s_per_host`]! * 1000).toFixed(0)} ms per host** (+ ${growth[`${p}_intercept_s`]!.toFixed(2)} s fixed)`);
      out.push(
        `Growth (least squares over the sizes each engine ran at): play **${(growth.play_s_per_host! * 1000).toFixed(1)} ms per host** (+ ${growth.play_intercept_s!.toFixed(2)} s fixed)` +
          `${peerGrowth.length ? `, ${peerGrowth.join(', ')}` : ''}.`,
        '',
      );
    }
    out.push(`End states of hosts converged by each engine: ${results.scale_equivalent ? '**identical**' : '**DIFFERENT**'} (files byte for byte, modes, services, sysctl values; the sysctl.d files by key = value).`, '');
  }

  out.push(...siteMarkdown(results.site));
  out.push('![Wall times: W1 per scenario and the scale curve, per engine, on log axes (results.png has the same figure)](results.svg)', '');
  out.push('## Method', '');
  out.push(
    '- **Same work.** The Ansible playbooks reach the same end state as play\'s roles: W1\'s files are rendered with play\'s own planner and template functions into a directory per host and placed by `copy`/`blockinfile`; root\'s key pairs, authorized_keys and known_hosts are made by Ansible itself (`command creates=`, `authorized_key`, `known_hosts`), packages by `apt`, services by `systemd`. After every first apply and drift run of either engine, every host is fingerprinted and compared with the first one.',
    '- **Ansible\'s best settings** (test/bench/ansible/ansible.cfg): pipelining, ControlMaster auto + ControlPersist 60s, forks >= hosts, no fact gathering (no task needs facts), the interpreter named (no discovery), a 30 s connect timeout (the default 10 s was too short for a loaded 2-core machine, see ansible.cfg), loops where tasks repeat, `apt` with `cache_valid_time`, the faster of the linear and free strategies.',
    '- **Fresh hosts** (first apply): before every first-apply run, every host is reset the same way (test/bench/lib/w1.ts `resetScript`): the /etc/hosts block, modules-load.d and sysctl.d files removed and the sysctls set to 0; root\'s key pair, known_hosts and the masters\' keys in authorized_keys removed; on lb1/lb2 keepalived, haproxy, psmisc purged with their auto-installed dependencies, /etc/haproxy and /etc/keepalived removed, the apt cache and lists emptied. Both engines then run `apt-get update` and download and install the packages from the lab\'s local repository, as on a new host: that apt/dpkg time is the same for both and dominates a first apply.',
    '- **Warm connections.** Both engines keep an SSH master per host for 60 s. No-op, drift and scale runs are measured warm: when an engine\'s last run ended more than 40 s before, it is warmed first, unmeasured: play by a run of its own, stock Ansible by one `raw` command per host (`ansible all -m raw -a true`, same ansible.cfg), which opens the control masters a run leaves and is all a warm Ansible keeps (pipelining leaves nothing on the hosts). First-apply runs come after a reset and the other engine\'s apply, so their connections may be cold (a new connection costs ~0.2 s, in parallel over the hosts).',
    `- **Order.** Runs alternate ${results.mitogen ? 'play, ansible, mitogen, play, ansible, mitogen' : 'play, ansible, play, ansible'}...; medians are reported, with min-max.`,
    ...(results.mitogen
      ? ['- **Mitogen** (ansible-mitogen, Debian\'s package): the same playbooks and ansible.cfg, the strategy swapped for `mitogen_linear` or `mitogen_free` (the faster on a no-op) through ANSIBLE_STRATEGY_PLUGINS and ANSIBLE_STRATEGY. Its connections live in the ansible-playbook process and end with it: there is nothing to keep warm between its runs.']
      : []),
    `- **Sizes of the peers.** On the scale curve, ansible-playbook runs at a size only when the sizes it ran at project a run there under ${PEER_RUN_LIMIT_S / 60} minutes; beyond, its wall is extrapolated (least squares over its measured sizes) and marked so.`,
    '- **Controller cost.** `/usr/bin/time` gives user+sys of the whole reaped process tree and the largest process\'s peak RSS; the control masters (which fork away from the engine and outlive it) are measured by their /proc CPU counters before and after the run; the tree\'s summed RSS is sampled every 50 ms.',
    '',
  );
  const analysis = join(BENCH_SRC, 'ANALYSIS.md');
  if (existsSync(analysis)) out.push(readFileSync(analysis, 'utf8').trim(), '');
  if (results.notes.length || results.problems.length) {
    out.push('## Notes from this run', '');
    for (const n of results.notes) out.push(`- ${n}`);
    for (const p of results.problems) out.push(`- **problem:** ${p.replace(/\n/g, ' ')}`);
    out.push('');
  }
  return out.join('\n');
}

/** Rebuilds the benchmark's results from a results.json it wrote (for --report-only). */
export function resultsFromJson(text: string): Results {
  const j = JSON.parse(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    machine: j.machine,
    mode: j.mode,
    runs_per_scenario: j.runs_per_scenario,
    scale_runs: j.scale_runs ?? j.runs_per_scenario,
    ansible: j.ansible_settings,
    ...(j.mitogen_settings ? { mitogen: j.mitogen_settings } : {}),
    w1: {
      hosts: j.w1.hosts,
      scenarios: j.w1.samples ?? {},
      equivalent: j.w1.equivalent,
      equivalence_checks: j.w1.equivalence_checks,
      differences: j.w1.differences ?? [],
      ...(j.w1.noop_play_shlvl0_samples ? { noop_play_shlvl0: j.w1.noop_play_shlvl0_samples } : {}),
    },
    scale: j.scale_samples ?? [],
    ...(j.site_samples ? { site: j.site_samples } : {}),
    ...(j.scale_lab ? { scale_lab: j.scale_lab } : {}),
    ...(j.scale_lab_leftovers ? { scale_lab_leftovers: j.scale_lab_leftovers } : {}),
    ...(j.scale_equivalent !== undefined ? { scale_equivalent: j.scale_equivalent } : {}),
    ...(j.scale_differences ? { scale_differences: j.scale_differences } : {}),
    notes: j.notes ?? [],
    problems: j.problems ?? [],
    duration_s: j.duration_s ?? 0,
    ...(j.incomplete ? { incomplete: j.incomplete } : {}),
  };
}
