/**
 * The site figures as the benchmark reports them (pure: no lab): playbooks/site.yml, the whole
 * cluster, on the main lab's 7 hosts, played by play alone (no peer runs it here). Three
 * scenarios per round: the first build on fresh hosts, a no-op re-apply, and one drift of the
 * drift catalog (test/lab/drift.test.ts) put right. lib/site.ts measures them; report.ts writes
 * what this module makes into results.json and RESULTS.md.
 */
import { changedTasks, type JsonReportDoc } from '../../helpers/run-play.js';
import { max, median, min, numbersOf, round, wallSpread } from './stats.js';

export const SITE_SCENARIOS = ['first_build', 'noop', 'drift'] as const;
export type SiteScenario = (typeof SITE_SCENARIOS)[number];

export const SITE_PLAYBOOK_PATH = 'playbooks/site.yml';
export const SITE_INVENTORY_PATH = 'inventories/lab';
export const SITE_HOSTS: readonly string[] = ['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1', 'worker2'];
export const SITE_DRIFT_MADE = 'haproxy.cfg edited on lb1';
/**
 * What the drift's re-apply must change, as the drift catalog says ("haproxy.cfg edited"): host ->
 * "role : task", sorted. A run that changes anything else is no sample of this scenario.
 */
export const SITE_DRIFT_FIX: Readonly<Record<string, readonly string[]>> = { lb1: ['haproxy : Write haproxy.cfg', 'haproxy : reload haproxy'] };

function jsonReport(stdout: string): JsonReportDoc | undefined {
  try {
    return JSON.parse(stdout) as JsonReportDoc;
  } catch {
    return undefined;
  }
}

/** Tasks a play --json report says changed: host -> sorted "role : task" (hosts with none left out). */
export function changedByHost(stdout: string): Record<string, string[]> {
  const doc = jsonReport(stdout);
  const out: Record<string, string[]> = {};
  if (!doc) return out;
  for (const host of Object.keys(doc.hosts ?? {}).sort()) {
    const tasks = changedTasks(doc, host).sort();
    if (tasks.length) out[host] = tasks;
  }
  return out;
}

/** "host: role : task: error" for every failed or unreachable task of a play --json report. */
export function failedTasks(stdout: string): string[] {
  const doc = jsonReport(stdout);
  return Object.entries(doc?.hosts ?? {}).flatMap(([host, h]) =>
    h.tasks.filter((t) => t.status === 'failed' || t.status === 'unreachable').map((t) => `${host}: ${t.role} : ${t.task}: ${t.error ?? t.summary ?? ''}`),
  );
}

/** Why a drift run is no sample of putting SITE_DRIFT_FIX right ('' when it is one). */
export function driftFixProblem(stdout: string): string {
  const changed = changedByHost(stdout);
  const expected = Object.fromEntries(Object.keys(SITE_DRIFT_FIX).sort().map((h) => [h, [...SITE_DRIFT_FIX[h]!].sort()]));
  return JSON.stringify(changed) === JSON.stringify(expected) ? '' : `the drift run changed ${JSON.stringify(changed)}, not ${JSON.stringify(expected)}`;
}

/** The fields of a benchmark sample the site figures use (report.ts's Sample has them all). */
export interface SiteSample {
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly machine_cpu_s: number;
  readonly changed: number;
  readonly execs_per_host_max?: number;
  readonly execs_total?: number;
  readonly packages_s?: number;
}

export type SiteSamples = Partial<Record<SiteScenario, readonly SiteSample[]>>;

export interface SiteScenarioSummary {
  /** Wall time: median, min, max (s). */
  wall_s: number;
  wall_min_s: number;
  wall_max_s: number;
  /** Controller CPU (play's process tree and its SSH control masters), median (s). */
  cpu_s: number;
  /** Every CPU-second of the machine, the lab hosts' own work included, median (s). */
  machine_cpu_s: number;
  /** Round trips from --json: the most on any host (median over runs), and all hosts' (median). */
  execs_per_host_max: number;
  execs_total: number;
  /** Tasks reported changed, all hosts: median, min, max. */
  changed: number;
  changed_min: number;
  changed_max: number;
  /** first build: the slowest host's package (apt) tasks, median (s). */
  packages_s?: number;
  samples: number;
}

export interface SiteSummary {
  playbook: string;
  inventory: string;
  hosts: number;
  drift_made: string;
  scenarios: Partial<Record<SiteScenario, SiteScenarioSummary>>;
}

const values = (samples: readonly SiteSample[], key: keyof SiteSample): number[] => numbersOf(samples, key);

export function siteScenarioSummary(samples: readonly SiteSample[]): SiteScenarioSummary {
  const changed = values(samples, 'changed');
  const packages = values(samples, 'packages_s');
  return {
    ...wallSpread(values(samples, 'wall_s')),
    cpu_s: round(median(values(samples, 'cpu_s'))),
    machine_cpu_s: round(median(values(samples, 'machine_cpu_s'))),
    execs_per_host_max: median(values(samples, 'execs_per_host_max')),
    execs_total: median(values(samples, 'execs_total')),
    changed: median(changed),
    changed_min: min(changed),
    changed_max: max(changed),
    ...(packages.length ? { packages_s: round(median(packages)) } : {}),
    samples: samples.length,
  };
}

/** results.json's `site` entry: the scenarios measured, each summarized. */
export function siteSummary(site: SiteSamples): SiteSummary {
  const scenarios: Partial<Record<SiteScenario, SiteScenarioSummary>> = {};
  for (const key of SITE_SCENARIOS) {
    const samples = site[key];
    if (samples?.length) scenarios[key] = siteScenarioSummary(samples);
  }
  return { playbook: SITE_PLAYBOOK_PATH, inventory: SITE_INVENTORY_PATH, hosts: SITE_HOSTS.length, drift_made: SITE_DRIFT_MADE, scenarios };
}

const SCENARIO_NAMES: Record<SiteScenario, string> = {
  first_build: 'first build (fresh hosts)',
  noop: 'no-op re-apply',
  drift: `one drift (${SITE_DRIFT_MADE})`,
};

const fixed = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** RESULTS.md's site section (lines), or none when the site was not measured. */
export function siteMarkdown(site: SiteSamples | undefined): string[] {
  if (!site) return [];
  const summary = siteSummary(site);
  const keys = SITE_SCENARIOS.filter((k) => summary.scenarios[k]);
  if (!keys.length) return [];
  const runs = Math.max(...keys.map((k) => summary.scenarios[k]!.samples));
  const out = [
    `## site.yml: the whole cluster on the ${summary.hosts} lab hosts (play alone)`,
    '',
    `\`play ${summary.playbook} -i ${summary.inventory}\`: keepalived + haproxy, the runtime, kubeadm init and joins through the VIP, calico (the stand-ins for kubeadm, kubelet, ` +
      'kube-apiserver and calico). No peer runs it here: there is no Ansible twin of the whole site. ' +
      `${runs === 1 ? 'The one round' : `Each of the ${runs} rounds`} starts on a lab made anew (\`lab down\` + \`lab up\`: new disks from the base image, so the first build installs every package from the lab repository), ` +
      `then re-applies (no-op, warm connections) and puts one drift of the drift catalog right (${SITE_DRIFT_MADE}). ` +
      'Wall time: median (min-max); controller CPU as for W1; execs from `--json` (the most on any host / all hosts).',
    '',
    '| scenario | wall s | controller CPU s | machine CPU s | execs per host (max) | execs, all hosts | changed |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const key of keys) {
    const s = summary.scenarios[key]!;
    const changed = s.changed_min === s.changed_max ? `${s.changed}` : `${s.changed} (${s.changed_min}-${s.changed_max})`;
    out.push(
      `| ${SCENARIO_NAMES[key]} | ${fixed(s.wall_s, 2)} (${fixed(s.wall_min_s, 2)}-${fixed(s.wall_max_s, 2)}) | ${fixed(s.cpu_s, 2)} | ${fixed(s.machine_cpu_s, 2)} | ` +
        `${fixed(s.execs_per_host_max, 0)} | ${fixed(s.execs_total, 0)} | ${changed} |`,
    );
  }
  out.push('');
  const first = summary.scenarios.first_build;
  if (first?.packages_s !== undefined && Number.isFinite(first.packages_s)) {
    out.push(`Of the first build's ${fixed(first.wall_s, 2)} s, ${fixed(first.packages_s, 2)} s are package tasks: the longest any host spent in them (\`apt-get update\` and the installs from the lab repository).`, '');
  }
  return out;
}
