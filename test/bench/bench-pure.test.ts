// The benchmark's pure parts: parsing the engines' outputs, statistics, the figure, the W1
// fingerprints and reset script. No lab, no root.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SRC, listedCollections, parseAnsibleAdHoc, parseAnsibleRecap, parsePlayJson } from './lib/engines.js';
import { describePlan, doneParts, resumeProblem } from './lib/resume.js';
import { chartOption, decadeFloor, drawChart, formatSeconds, panelLayout, textWidth, type PlotInput } from './lib/plot.js';
import { findMitogen, mitogenEnv } from './lib/mitogen.js';
import { fasterStrategy, measureAt, peerRunOrGiveUp, projectedSeconds } from './lib/peers.js';
import { plotInput, resultsFromJson, writeReport, type Results, type Sample } from './lib/report.js';
import { changedByHost, driftFixProblem, failedTasks, siteMarkdown, siteSummary } from './lib/site-report.js';
import { scaleDifferences } from './lib/scale.js';
import { linearFit, median } from './lib/stats.js';
import { fingerprintDiff, normalizeFingerprints, resetScript } from './lib/w1.js';
import { BENCH_TASK_COUNT, CONF_FILES } from './roles/bench/content.js';
import benchRole from './roles/bench/index.js';

describe('benchmark (pure parts)', () => {
  it('reads the PLAY RECAP of ansible-playbook', () => {
    const out = [
      'PLAY RECAP *********************************************************************',
      'lb1                        : ok=12   changed=3    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
      'master1                    : ok=5    changed=0    unreachable=1    failed=2    skipped=0    rescued=0    ignored=0   ',
    ].join('\n');
    expect(parseAnsibleRecap(out)).to.deep.equal({
      lb1: { changed: 3, unreachable: 0, failed: 0 },
      master1: { changed: 0, unreachable: 1, failed: 2 },
    });
  });

  it("reads an ad-hoc `raw` run (Ansible's warm-up): every host's outcome, a nonzero rc as a failure", () => {
    const out = [
      'bench001 | CHANGED | rc=0 >>', '', 'bench002 | FAILED | rc=1 >>', 'sh: 1: true: not found',
      'bench003 | UNREACHABLE! => {', '    "changed": false,', '    "unreachable": true', '}',
      '  bench004 | CHANGED | rc=0 >> (indented: not a result line)',
    ].join('\n');
    expect(parseAnsibleAdHoc(out)).to.deep.equal({
      bench001: { changed: 0, failed: 0, unreachable: 0 },
      bench002: { changed: 0, failed: 1, unreachable: 0 },
      bench003: { changed: 0, failed: 0, unreachable: 1 },
    });
  });

  it('reads the collections ansible-galaxy lists', () => {
    const listing = [
      '', '# /usr/lib/python3/dist-packages/ansible_collections', 'Collection                    Version',
      '----------------------------- -------', 'amazon.aws                    5.4.0  ', 'ansible.posix                 1.5.4  ', 'community.general             6.6.2  ',
    ].join('\n');
    expect([...listedCollections(listing)]).to.deep.equal(['amazon.aws', 'ansible.posix', 'community.general']);
    expect(listedCollections('').size).to.equal(0);
  });

  it("reads play's --json stats and round trips", () => {
    const doc = { hosts: { lb1: { stats: { ok: 9, changed: 1, failed: 0, unreachable: 0 }, connection: { execs: 2, connects: 0 } } } };
    expect(parsePlayJson(JSON.stringify(doc))).to.deep.equal({ lb1: { changed: 1, failed: 0, unreachable: 0, execs: 2, connects: 0 } });
    expect(parsePlayJson('not json')).to.deep.equal({});
  });

  it('computes medians and a least-squares line', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 2, 3])).to.equal(2.5);
    const fit = linearFit([10, 25, 50], [1.5, 3, 5.5]);
    expect(fit.slope).to.be.closeTo(0.1, 1e-9);
    expect(fit.intercept).to.be.closeTo(0.5, 1e-9);
  });

  describe('the figure (ECharts, resvg)', () => {
    const full: PlotInput = {
      w1: [{ label: 'no-op', play: 0.4, ansible: 11.4, mitogen: 8.7 }, { label: 'drift', play: 0.99, ansible: 20 }],
      scale: [{ hosts: 10, play: 0.7, ansible: 40 }, { hosts: 200, play: 7.6, mitogen: 700 }],
      site: [{ label: 'first build', seconds: 140, execsPerHost: 30 }, { label: 'no-op', seconds: 1.1, execsPerHost: 1 }],
      subtitle: 'test', w1Hosts: 7,
    };
    type Axis = { type: string; gridIndex: number; min?: number; startValue?: number; data?: string[] };
    type Series = { name: string; type: string; xAxisIndex: number; data: unknown[] };
    const parts = (input: PlotInput) => chartOption(input).option as unknown as { grid: object[]; yAxis: Axis[]; xAxis: Axis[]; series: Series[]; legend: { data: string[] } };

    it('lays out W1 and the site figures side by side, the scale curve under them, and only what was measured', () => {
      const layout = panelLayout(full);
      expect(layout.w1!.top).to.equal(layout.site!.top);
      expect(layout.w1!.left + layout.w1!.width).to.be.below(layout.site!.left);
      expect(layout.scale!.top).to.be.above(layout.w1!.top + layout.w1!.height);
      expect(layout.height).to.be.above(layout.scale!.top + layout.scale!.height);
      const noSite = panelLayout({ ...full, site: undefined });
      expect(noSite.site).to.equal(undefined);
      expect(noSite.w1!.width).to.be.above(layout.w1!.width);
      const w1Only = panelLayout({ ...full, site: [], scale: [] });
      expect(w1Only.scale).to.equal(undefined);
      expect(w1Only.height).to.be.below(layout.height);
    });

    it('draws a series per measured engine and panel, times on log axes whose bars grow from the decade below', () => {
      const { yAxis, xAxis, series, legend, grid } = parts(full);
      expect(grid).to.have.length(3);
      expect(yAxis.map((a) => a.type)).to.deep.equal(['log', 'log', 'log']);
      expect(yAxis.map((a) => a.startValue)).to.deep.equal([0.1, 1, 0.1]);
      expect(series.map((s) => `${s.xAxisIndex} ${s.type} ${s.name}`)).to.deep.equal([
        '0 bar play', '0 bar ansible-playbook', '0 bar ansible-playbook + mitogen', '1 bar play', '2 line play', '2 line ansible-playbook', '2 line ansible-playbook + mitogen',
      ]);
      expect(series[2]!.data).to.deep.equal([8.7, null]);
      expect(series[6]!.data).to.deep.equal([[200, 700]]);
      expect(xAxis[0]!.data).to.deep.equal(['no-op\nansible ×28.5', 'drift\nansible ×20.2']);
      expect(xAxis[1]!.data).to.deep.equal(['first build\n30 execs/host', 'no-op\n1 exec/host']);
      expect(legend.data).to.deep.equal(['play', 'ansible-playbook', 'ansible-playbook + mitogen']);
      const twoEngines = parts({ ...full, w1: full.w1.map(({ mitogen: _m, ...r }) => r), scale: [{ hosts: 10, play: 1, ansible: 30 }] });
      expect(twoEngines.legend.data).to.deep.equal(['play', 'ansible-playbook']);
      expect(decadeFloor([0.39, 28, undefined, Number.NaN])).to.equal(0.1);
      expect(decadeFloor([])).to.equal(1);
    });

    it('measures labels with the font that draws them', () => {
      expect(textWidth('')).to.equal(0);
      expect(textWidth('WWWW', '13px DejaVu Sans')).to.be.above(textWidth('iiii', '13px DejaVu Sans') * 2);
      expect(textWidth('ansible', 'bold 13px DejaVu Sans')).to.be.above(textWidth('ansible', '13px DejaVu Sans'));
      expect(textWidth('ansible', '26px DejaVu Sans')).to.be.closeTo(2 * textWidth('ansible', '13px DejaVu Sans'), 2);
    });

    it('draws the committed results.json: an SVG with its numbers and labels, and the same figure as PNG', function () {
      this.timeout(60_000);
      // whatever the last bench run measured: the expected labels come from the same numbers
      const input = plotInput(resultsFromJson(readFileSync(join(BENCH_SRC, 'results.json'), 'utf8')));
      expect(input.w1.map((r) => r.label)).to.deep.equal(['first apply', 'no-op', 'drift']);
      expect(input.scale.length).to.be.above(0);
      const { svg, png } = drawChart(input);
      expect(svg).to.match(/^<svg /);
      const expected = [
        `W1: the LB layer on ${input.w1Hosts} lab hosts`, 'hosts', 'seconds (log scale)', 'ansible-playbook',
        ...input.w1.flatMap((r) => [formatSeconds(r.play!), formatSeconds(r.ansible!), `ansible ×${(r.ansible! / r.play!).toFixed(1)}`]),
        ...input.scale.map((r) => formatSeconds(r.play!)),
      ];
      for (const text of expected) expect(svg, text).to.include(`>${text}<`);
      expect(png.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
      const svgSize = /^<svg width="(\d+)" height="(\d+)"/.exec(svg)!;
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([2 * Number(svgSize[1]), 2 * Number(svgSize[2])]);
    });

    it('reads the site samples back from results.json (report-only keeps the site panel)', () => {
      const sample = { wall_s: 2, cpu_s: 0, tree_cpu_s: 0, masters_cpu_s: 0, machine_cpu_s: 0, max_rss_mb: 0, tree_rss_mb: 0, changed: 0, execs_per_host_max: 1 };
      const committed = JSON.parse(readFileSync(join(BENCH_SRC, 'results.json'), 'utf8')) as Record<string, unknown>;
      const results = resultsFromJson(JSON.stringify({ ...committed, site_samples: { noop: [sample, { ...sample, wall_s: 4 }, { ...sample, wall_s: 3 }] } }));
      expect(plotInput(results).site).to.deep.equal([{ label: 'no-op', seconds: 3, execsPerHost: 1 }]);
      const { site: _site, site_samples: _samples, ...withoutSite } = committed; // the committed run may have a site part
      expect(plotInput(resultsFromJson(JSON.stringify(withoutSite))).site).to.equal(undefined);
    });
  });

  describe('Mitogen, the third engine', () => {
    const sample = (wall_s: number): Sample => ({ wall_s, cpu_s: wall_s / 2, tree_cpu_s: 0, masters_cpu_s: 0, machine_cpu_s: wall_s, max_rss_mb: 60, tree_rss_mb: 90, changed: 0, execs_per_host_max: 1 });
    const results = (withMitogen: boolean): Results => ({
      machine: { cpu_model: 'cpu', cores: 2, memory_gb: 8, kernel: 'k', node: 'v20', ansible: 'ansible-core 2.14', openssh: 'ssh', date: '2025-01-01T00:00:00Z' },
      mode: 'quick', runs_per_scenario: 3, scale_runs: 1,
      ansible: { strategy: 'free', forks: 'max(50, hosts)', pipelining: true, control_persist: '60s', gather_facts: false },
      ...(withMitogen ? { mitogen: { version: '0.3.3', strategy: 'linear' as const, strategy_trial: { linear_noop_median_s: 8.7, free_noop_median_s: 9.1 } } } : {}),
      w1: {
        hosts: 7, equivalent: true, equivalence_checks: 9, differences: [],
        scenarios: { noop: { play: [sample(0.4), sample(0.5), sample(0.3)], ansible: [sample(11), sample(12), sample(10)], ...(withMitogen ? { mitogen: [sample(8), sample(10), sample(9)] } : {}) } },
      },
      // the peers ran at 10 and 20 hosts; at 100, a run would have taken 10 minutes or more
      scale: [
        { hosts: 10, play: [sample(1)], ansible: [sample(40)], ...(withMitogen ? { mitogen: [sample(30)] } : {}) },
        { hosts: 20, play: [sample(1.5)], ansible: [sample(80)], ...(withMitogen ? { mitogen: [sample(50)] } : {}) },
        { hosts: 100, play: [sample(5)], ansible: [], ...(withMitogen ? { mitogen: [] } : {}) },
      ],
      notes: [], problems: [], duration_s: 60,
    });
    const report = async (r: Results): Promise<{ json: Record<string, any>; md: string }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const dir = mkdtempSync(join(tmpdir(), 'play-bench-report-'));
      try {
        await writeReport(r, dir, () => ({ svg: '<svg/>', png: Buffer.alloc(0) }));
        return { json: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')), md: readFileSync(join(dir, 'RESULTS.md'), 'utf8') };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it('puts mitogen_noop_ratio (play / mitogen on the W1 no-op) and its W1 summary in results.json', async () => {
      const { json } = await report(results(true));
      expect(json.mitogen_noop_ratio).to.equal(0.0444); // 0.4 / 9
      expect(json.noop_ratio).to.equal(0.0364); // 0.4 / 11
      expect(json.w1.summary.noop.mitogen.wall_s).to.equal(9);
      expect(json.mitogen_settings).to.include({ version: '0.3.3', strategy: 'linear' });
      expect(resultsFromJson(JSON.stringify(json)).mitogen?.version).to.equal('0.3.3');
      const without = await report(results(false));
      expect(without.json.mitogen_noop_ratio).to.equal(null); // NaN: not measured
      expect(without.json.w1.summary.noop).to.not.have.property('mitogen');
    });

    it('marks a checkpoint or a stopped run as incomplete in results.json and RESULTS.md, and not a finished one', async () => {
      const stopped = { ...results(true), incomplete: 'the benchmark stopped after 95 min (scale 50 mitogen no-op 1: bench036 unreachable)' };
      const { json, md } = await report(stopped);
      expect(json.incomplete).to.equal(stopped.incomplete);
      expect(md).to.include(`**Incomplete run:** ${stopped.incomplete}`);
      expect(resultsFromJson(JSON.stringify(json)).incomplete).to.equal(stopped.incomplete);
      const finished = await report(results(true));
      expect(finished.json).to.not.have.property('incomplete');
      expect(finished.md).to.not.include('Incomplete');
    });

    it('resumes a stopped (or staged) run from its results.json: the parts it holds, and only with the same flags', async () => {
      const base = results(true);
      const stopped: Results = { ...base, mode: 'full', incomplete: 'stopped by SIGTERM after 95 min', ansible: { ...base.ansible, scale_strategy: 'linear' }, scale: base.scale.slice(0, 2) };
      const { json } = await report(stopped);
      const back = resultsFromJson(JSON.stringify(json));
      const flags = { quick: false, runs: 3, scaleRuns: 1 };
      const all = { w1: true, site: true, sizes: [10, 20, 100] };
      expect(resumeProblem(back, 'out/results.json', flags, all)).to.equal(undefined);
      expect(doneParts(back)).to.deep.equal({ w1: true, site: false, scaleEquivalence: false, scaleStrategies: { ansible: 'linear' }, sizes: [10, 20] });
      // a W1 stopped midway (hosts still 0) is measured again; a finished run or other flags cannot be resumed
      expect(doneParts({ ...back, w1: { ...back.w1, hosts: 0 } }).w1).to.equal(false);
      // a run done in stages: W1 and the sizes 10 and 20 are there, so only more sizes (or the site) are left to do
      expect(resumeProblem(back, 'out/results.json', flags, { w1: true, site: false, sizes: [10, 20] })).to.equal('nothing to resume: out/results.json already holds every part these flags ask for');
      expect(resumeProblem(back, 'out/results.json', flags, { w1: false, site: false, sizes: [10, 20, 50] })).to.equal(undefined);
      expect(resumeProblem(undefined, 'out/results.json', flags, all)).to.equal('nothing to resume: out/results.json does not exist');
      expect(resumeProblem(back, 'out/results.json', { ...flags, runs: 5 }, all)).to.equal('out/results.json has 3 runs per W1 scenario: resume it with --runs 3');
      expect(resumeProblem(back, 'out/results.json', { ...flags, scaleRuns: 3 }, all)).to.equal('out/results.json has 1 runs per scale size: resume it with --scale-runs 1');
      expect(resumeProblem(back, 'out/results.json', { ...flags, quick: true }, all)).to.equal('out/results.json is a full run: resume it without --quick');
    });

    it('says first what a run measures and, when resumed, what it keeps', () => {
      const runs = { runs: 3, siteRuns: 2, scaleRuns: 3 };
      const all = { w1: true, site: true, sizes: [10, 50, 200] };
      expect(describePlan('full', all, runs)).to.equal('benchmark (full): W1 3 runs per scenario; site 2 rounds; scale sizes 10, 50, 200, 3 runs each');
      const done = { w1: true, site: true, scaleEquivalence: true, scaleStrategies: {}, sizes: [10] };
      expect(describePlan('full', all, runs, done)).to.equal('benchmark (full), resumed: W1 kept; site kept; scale sizes 50, 200, 3 runs each (kept: 10)');
      expect(describePlan('quick', { w1: false, site: false, sizes: [10] }, runs)).to.equal('benchmark (quick): scale sizes 10, 3 runs each');
      expect(describePlan('full', { w1: true, site: false, sizes: [10] }, runs, { ...done, w1: false })).to.equal('benchmark (full), resumed: W1 3 runs per scenario; scale kept');
    });

    it('refuses --resume where there is nothing to resume: exit 2, before any tool or host is looked at', function () {
      this.timeout(60_000); // a node start-up, slow on a busy machine
      const dir = mkdtempSync(join(tmpdir(), 'play-bench-resume-'));
      try {
        const run = spawnSync(process.execPath, [join(BENCH_SRC, '../../dist/test/bench/run.js'), '--resume', '--out', dir], { encoding: 'utf8', timeout: 60_000 });
        expect(run.status).to.equal(2);
        expect(run.stderr).to.equal(`bench: nothing to resume: ${join(dir, 'results.json')} does not exist\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("shows Mitogen's columns in RESULTS.md only when it ran", async () => {
      const { md } = await report(results(true));
      expect(md).to.include('| scenario | play s | ansible s | play / ansible | mitogen s | play / mitogen |');
      expect(md).to.include('| no-op re-apply | 0.40 (0.30-0.50) | 11.00 (10.00-12.00) | **0.036** (ansible x27.5) | 9.00 (8.00-10.00) | **0.044** (mitogen x22.5) |');
      expect(md).to.include('Mitogen strategy: **mitogen_linear**');
      expect(md).to.match(/\| mitogen \| ansible-mitogen 0\.3\.3/);
      const without = await report(results(false));
      // the generated part: ANALYSIS.md, written by hand and appended after it, may name Mitogen
      expect(without.md.split('## Analysis')[0]).to.not.match(/mitogen/i);
      expect(without.md).to.include('## Analysis');
    });

    it('extrapolates a peer where it did not run on the scale curve, and marks it', async () => {
      const { json, md } = await report(results(true));
      const at100 = json.scale.find((s: { hosts: number }) => s.hosts === 100);
      // least squares through (10, 40) and (20, 80): 4 s per host; (10, 30), (20, 50): 2 s per host + 10
      expect(at100).to.deep.equal({ hosts: 100, play_s: 5, ansible_extrapolated_s: 400, mitogen_extrapolated_s: 210 });
      expect(json.scale_growth).to.include({ ansible_s_per_host: 4, mitogen_s_per_host: 2, mitogen_intercept_s: 10 });
      expect(md).to.include('| 100 | 5.00 | 2.50 | 5.00 | 60 / 90 | 1 | *~400 (extrapolated)* | *0.0125* |');
      expect(md).to.include('| 20 | 1.50 | 0.75 | 1.50 | 60 / 90 | 1 | 80.00 | **0.019** | 40.00 | 80.00 | 60 / 90 | 50.00 | **0.030** |');
      expect(md).to.include('*Extrapolated*');
    });

    it('runs a peer at a size only while its runs stay under 10 minutes', () => {
      expect(measureAt([], 10)).to.equal(true);
      expect(projectedSeconds([{ hosts: 10, seconds: 40 }], 100)).to.equal(400);
      expect(measureAt([{ hosts: 10, seconds: 40 }], 100)).to.equal(true);
      expect(measureAt([{ hosts: 10, seconds: 40 }], 200)).to.equal(false);
      expect(projectedSeconds([{ hosts: 10, seconds: 40 }, { hosts: 50, seconds: 200 }], 150)).to.equal(600);
      expect(measureAt([{ hosts: 10, seconds: 40 }, { hosts: 50, seconds: 200 }], 149)).to.equal(true);
      expect(measureAt([{ hosts: 10, seconds: 40 }, { hosts: 50, seconds: 200 }], 150)).to.equal(false);
    });

    it('leaves a peer whose run fails out of this size and the larger ones, noted as a problem; a good run changes nothing', async () => {
      const failed = new Set<string>();
      const problems: string[] = [];
      const said: string[] = [];
      const good = await peerRunOrGiveUp('ansible', failed, problems, (l) => said.push(l), async () => 42);
      expect(good).to.equal(42);
      expect([...failed, ...problems, ...said]).to.deep.equal([]);
      const bad = await peerRunOrGiveUp('mitogen', failed, problems, (l) => said.push(l), async () => {
        throw new Error('mitogen: s042 failed=0 unreachable=1\nthe rest of the recap');
      });
      expect(bad).to.equal(undefined);
      expect([...failed]).to.deep.equal(['mitogen']);
      expect(problems).to.deep.equal(['mitogen: s042 failed=0 unreachable=1: mitogen is left out of this size and the larger ones']);
      expect(said).to.deep.equal(['mitogen left out from here on: mitogen: s042 failed=0 unreachable=1']);
    });

    it('picks the faster strategy by the medians of alternating no-ops', async () => {
      const walls = { linear: [5, 9, 5], free: [6, 6, 1] };
      const order: string[] = [];
      const picked = await fasterStrategy(3, async (s) => {
        order.push(s);
        return walls[s].shift()!;
      });
      expect(order).to.deep.equal(['linear', 'free', 'linear', 'free', 'linear', 'free']);
      expect(picked).to.deep.equal({ strategy: 'linear', trial: { linear_noop_median_s: 5, free_noop_median_s: 6 } });
    });

    it("hands Ansible Mitogen's strategy plugins through its environment", () => {
      expect(mitogenEnv('free', { strategyDir: '/x/ansible_mitogen/plugins/strategy', version: '0.3.3' })).to.deep.equal({
        ANSIBLE_STRATEGY_PLUGINS: '/x/ansible_mitogen/plugins/strategy',
        ANSIBLE_STRATEGY: 'mitogen_free',
      });
    });

    it("finds ansible-mitogen's strategy plugins from Ansible's Python, and nothing where they are not", () => {
      const dir = mkdtempSync(join(tmpdir(), 'play-bench-mitogen-'));
      try {
        // a stand-in for Ansible's python3: prints what the real one prints for ansible_mitogen
        const python = (exit: number) => {
          const file = join(dir, `python-${exit}`);
          writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' ${dir}/ansible_mitogen 0.3.3\nexit ${exit}\n`, { mode: 0o755 });
          return file;
        };
        expect(findMitogen(python(0))).to.equal(undefined); // no plugins there
        mkdirSync(join(dir, 'ansible_mitogen/plugins/strategy'), { recursive: true });
        for (const f of ['mitogen_linear.py', 'mitogen_free.py']) writeFileSync(join(dir, 'ansible_mitogen/plugins/strategy', f), '');
        expect(findMitogen(python(0))).to.deep.equal({ strategyDir: join(dir, 'ansible_mitogen/plugins/strategy'), version: '0.3.3' });
        expect(findMitogen(python(1))).to.equal(undefined); // the import failed
        expect(findMitogen(join(dir, 'no-such-python'))).to.equal(undefined);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the site figures (site.yml on the lab, play alone)', () => {
    const sample = (wall: number, more: Partial<Sample> = {}): Sample => ({
      wall_s: wall, cpu_s: wall / 10, tree_cpu_s: 0, masters_cpu_s: 0, machine_cpu_s: wall * 1.5, max_rss_mb: 90, tree_rss_mb: 120, changed: 0, ...more,
    });
    const site = {
      first_build: [sample(100, { changed: 151, execs_per_host_max: 40, execs_total: 230, packages_s: 31 }), sample(90, { changed: 151, execs_per_host_max: 42, execs_total: 236, packages_s: 29 }), sample(120, { changed: 152, execs_per_host_max: 41, execs_total: 233, packages_s: 30 })],
      noop: [sample(1.25, { execs_per_host_max: 2, execs_total: 14 }), sample(1.5, { execs_per_host_max: 2, execs_total: 14 }), sample(1.0, { execs_per_host_max: 2, execs_total: 14 })],
      drift: [sample(2.5, { changed: 2, execs_per_host_max: 4, execs_total: 16 })],
    };

    it('summarizes each scenario: wall median and range, controller CPU, execs per host and in all, changed', () => {
      const s = siteSummary(site);
      expect(s).to.include({ playbook: 'playbooks/site.yml', inventory: 'inventories/lab', hosts: 7, drift_made: 'haproxy.cfg edited on lb1' });
      expect(s.scenarios.first_build).to.deep.equal({
        wall_s: 100, wall_min_s: 90, wall_max_s: 120, cpu_s: 10, machine_cpu_s: 150, execs_per_host_max: 41, execs_total: 233,
        changed: 151, changed_min: 151, changed_max: 152, packages_s: 30, samples: 3,
      });
      expect(s.scenarios.noop).to.include({ wall_s: 1.25, wall_min_s: 1, wall_max_s: 1.5, execs_per_host_max: 2, execs_total: 14, changed: 0, samples: 3 });
      expect(s.scenarios.noop).not.to.have.property('packages_s');
      expect(Object.keys(siteSummary({ noop: site.noop }).scenarios)).to.deep.equal(['noop']);
    });

    it('renders a RESULTS.md section with a row per measured scenario, and none when the site was not measured', () => {
      const lines = siteMarkdown(site);
      expect(lines[0]).to.equal('## site.yml: the whole cluster on the 7 lab hosts (play alone)');
      const rows = lines.filter((l) => l.startsWith('| ') && !l.startsWith('| scenario'));
      expect(rows).to.deep.equal([
        '| first build (fresh hosts) | 100.00 (90.00-120.00) | 10.00 | 150.00 | 41 | 233 | 151 (151-152) |',
        '| no-op re-apply | 1.25 (1.00-1.50) | 0.13 | 1.88 | 2 | 14 | 0 |',
        '| one drift (haproxy.cfg edited on lb1) | 2.50 (2.50-2.50) | 0.25 | 3.75 | 4 | 16 | 2 |',
      ]);
      expect(lines.join('\n')).to.contain('3 rounds').and.contain('30.00 s are package tasks');
      expect(siteMarkdown(undefined)).to.deep.equal([]);
      expect(siteMarkdown({ noop: [] })).to.deep.equal([]);
    });

    it('writes the site entry into results.json and RESULTS.md, and reads its samples back', async () => {
      const { site: _committedSite, ...committed } = resultsFromJson(readFileSync(join(BENCH_SRC, 'results.json'), 'utf8'));
      const dir = mkdtempSync(join(tmpdir(), 'play-bench-site-'));
      try {
        let plotted: PlotInput | undefined;
        await writeReport({ ...committed, site }, dir, (input) => {
          plotted = input;
          return { svg: '<svg/>', png: Buffer.alloc(0) };
        });
        const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
        expect(json.site).to.deep.equal(JSON.parse(JSON.stringify(siteSummary(site))));
        expect(json.site_samples).to.deep.equal(site);
        expect(plotted?.site?.map((p) => [p.label, p.seconds, p.execsPerHost])).to.deep.equal([['first build', 100, 41], ['no-op', 1.25, 2], ['one drift', 2.5, 4]]);
        const md = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
        expect(md).to.contain(siteMarkdown(site).join('\n'));
        expect(md.indexOf('## site.yml')).to.be.below(md.indexOf('![Wall times'));
        expect(resultsFromJson(readFileSync(join(dir, 'results.json'), 'utf8')).site).to.deep.equal(site);
        await writeReport(committed, dir, () => ({ svg: '<svg/>', png: Buffer.alloc(0) }));
        expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).not.to.have.property('site');
        expect(readFileSync(join(dir, 'RESULTS.md'), 'utf8')).not.to.contain('## site.yml');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("checks a drift run against the catalog's fix, and names failed tasks", () => {
      const task = (role: string, name: string, status: string, extra: object = {}) => ({ play: 'p', role, task: name, handler: false, status, changed: status === 'changed', duration_ms: 1, ...extra });
      const doc = (hosts: Record<string, object[]>) =>
        JSON.stringify({ check: false, exit_code: 0, warnings: [], hosts: Object.fromEntries(Object.entries(hosts).map(([h, tasks]) => [h, { stats: {}, connection: { execs: 1, connects: 0 }, tasks }])) });
      const fixed = doc({ lb1: [task('haproxy', 'reload haproxy', 'changed'), task('common', 'Set the Kubernetes sysctls', 'ok'), task('haproxy', 'Write haproxy.cfg', 'changed')], lb2: [task('haproxy', 'Write haproxy.cfg', 'ok')] });
      expect(changedByHost(fixed)).to.deep.equal({ lb1: ['haproxy : Write haproxy.cfg', 'haproxy : reload haproxy'] });
      expect(driftFixProblem(fixed)).to.equal('');
      expect(driftFixProblem(doc({ lb1: [task('haproxy', 'Write haproxy.cfg', 'changed')] }))).to.contain('the drift run changed');
      expect(driftFixProblem(doc({ lb1: [task('haproxy', 'Write haproxy.cfg', 'changed'), task('haproxy', 'reload haproxy', 'changed')], worker1: [task('common', 'Load overlay and br_netfilter', 'changed')] }))).to.contain('worker1');
      expect(driftFixProblem('not json')).to.contain('{}');
      expect(failedTasks(doc({ master1: [task('kubeadm', 'Initialise the first master', 'failed', { error: 'kubeadm init exited 1' })], lb1: [task('haproxy', 'Write haproxy.cfg', 'ok')] }))).to.deep.equal([
        'master1: kubeadm : Initialise the first master: kubeadm init exited 1',
      ]);
    });
  });

  it('normalizes fingerprints: root keys by owner, line files as sets', () => {
    const raw = {
      master1: 'F /etc/hosts 644 root:root abc\nL /root/.ssh/authorized_keys 600 root:root\nl ssh-ed25519 KEY2 root@master2\nl ssh-ed25519 KEY1 root@master1\nK ssh-ed25519 KEY1 root@master1\n',
      master2: 'F /etc/hosts 644 root:root abc\nL /root/.ssh/authorized_keys 600 root:root\nl ssh-ed25519 KEY1 root@master1\nl ssh-ed25519 KEY2 root@master2\nK ssh-ed25519 KEY2 root@master2\n',
    };
    const n = normalizeFingerprints(raw);
    expect(n.master1).to.deep.equal([
      'F /etc/hosts 644 root:root abc',
      'L /root/.ssh/authorized_keys 600 root:root lines: ssh-ed25519 <root key of master1> root@master1 | ssh-ed25519 <root key of master2> root@master2',
    ]);
    expect(fingerprintDiff(n, n)).to.deep.equal([]);
    const other = { ...n, master2: ['F /etc/hosts 600 root:root abc'] };
    expect(fingerprintDiff(n, other)).to.include('master2: + F /etc/hosts 600 root:root abc');
  });

  it('resets lb hosts (packages, apt lists) and masters (keys) but nothing it should not', () => {
    const topo = { all: ['lb1', 'master1', 'worker1'], masters: ['master1'], lb: ['lb1'], vip: '172.29.10.10' };
    const lb = resetScript('lb1', topo);
    expect(lb).to.match(/apt-get purge/).and.match(/keepalived haproxy psmisc/).and.match(/ip_nonlocal_bind/);
    const master = resetScript('master1', topo);
    expect(master).to.match(/id_ed25519/).and.not.match(/apt-get/).and.not.match(/ip_nonlocal_bind/);
    expect(resetScript('worker1', topo)).to.not.match(/id_ed25519|apt-get/);
  });

  it('compares scale hosts against the first one', () => {
    expect(scaleDifferences({ a: ['x', 'y'], b: ['x', 'y'] })).to.deep.equal([]);
    expect(scaleDifferences({ a: ['x', 'y'], b: ['x', 'z'] })).to.have.length(2);
  });

  it('the bench role has the 20 tasks its Ansible twin has', () => {
    expect(BENCH_TASK_COUNT).to.equal(20);
    expect(benchRole.tasks).to.have.length(20);
    expect(CONF_FILES[0]!.content.split('\n')).to.have.length(21);
  });
});
