// The scale part's pure pieces: the scale lab's addressing across its /22, the kernel limits it
// raises, and the report's issue 17 scale targets. No lab, no root.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inScaleSubnet, SCALE_KERNEL_LIMITS, SCALE_LAB, scaleAddress, scaleHosts, scaleInventory } from '../lab/scale-lab.js';
import { BENCH_SRC } from './lib/engines.js';
import { drawChart } from './lib/plot.js';
import { resultsFromJson, writeReport, type Sample } from './lib/report.js';

describe('the scale lab and the scale benchmark (pure parts)', () => {
  it('numbers hosts bench001.. from 172.29.20.11 on across the /22', () => {
    const hosts = scaleHosts(SCALE_LAB.maxHosts);
    expect(hosts[0]).to.deep.equal({ name: 'bench001', address: '172.29.20.11' });
    expect(hosts[244]).to.deep.equal({ name: 'bench245', address: '172.29.20.255' });
    expect(hosts[245]).to.deep.equal({ name: 'bench246', address: '172.29.21.0' });
    expect(hosts[299]).to.deep.equal({ name: 'bench300', address: '172.29.21.54' });
    expect(hosts.at(-1)).to.deep.equal({ name: 'bench500', address: '172.29.21.254' });
    expect(new Set(hosts.map((h) => h.address)).size).to.equal(hosts.length);
    expect(hosts.every((h) => inScaleSubnet(h.address) && h.address !== SCALE_LAB.controllerAddress)).to.equal(true);
    expect(SCALE_LAB.subnet).to.equal('172.29.20.0/22');
    expect(() => scaleHosts(SCALE_LAB.maxHosts + 1)).to.throw(/1\.\.500/);
    // the /22's last host address is .23.254; its broadcast address is never a host's
    expect(scaleAddress(1012)).to.equal('172.29.23.254');
    expect(() => scaleAddress(1013)).to.throw(/no scale host address/);
  });

  it('tells the scale subnet from its neighbours', () => {
    for (const a of ['172.29.20.1', '172.29.21.54', '172.29.23.255']) expect(inScaleSubnet(a), a).to.equal(true);
    for (const a of ['172.29.19.255', '172.29.24.0', '172.29.10.11', '1172.29.20.5', '172.29.20', 'x.y.z.w']) expect(inScaleSubnet(a), a).to.equal(false);
  });

  it('writes an inventory with every host at its address', () => {
    const ini = scaleInventory(300);
    expect(ini).to.match(/^bench300 ansible_host=172\.29\.21\.54$/m);
    expect(ini.match(/^bench\d{3} /gm)).to.have.length(300);
  });

  it('raises the kernel limits above what the largest lab needs', () => {
    const value = (suffix: string, hosts: number) => SCALE_KERNEL_LIMITS.find((l) => l.path.endsWith(suffix))!.wanted(hosts);
    const n = SCALE_LAB.maxHosts;
    // no garbage collection of the bridge's neighbour entries: thresh1 over one entry per host and the main lab's
    expect(value('gc_thresh1', n)).to.be.above(n + 16);
    expect(value('gc_thresh1', n)).to.be.below(value('gc_thresh2', n));
    expect(value('gc_thresh2', n)).to.be.below(value('gc_thresh3', n));
    expect(value('max_user_instances', n)).to.be.at.least(12 * n);
  });

  it('reports the issue 17 scale targets: growth per host, 200 hosts, peak RSS at the largest size', async () => {
    const committed = JSON.parse(readFileSync(join(BENCH_SRC, 'results.json'), 'utf8')) as Record<string, unknown>;
    const sample = (wall: number, rss: number): Sample => ({
      wall_s: wall, cpu_s: 1, tree_cpu_s: 1, masters_cpu_s: 0, machine_cpu_s: 2, max_rss_mb: rss, tree_rss_mb: rss * 2, changed: 0, execs_per_host_max: 1,
    });
    const scale = [
      { hosts: 50, play: [sample(1.4, 90)], ansible: [sample(150, 80)] },
      { hosts: 100, play: [sample(2, 100)], ansible: [sample(300, 90)] },
      { hosts: 200, play: [sample(3.5, 150)], ansible: [] },
      { hosts: 500, play: [sample(7.5, 240)], ansible: [] },
    ];
    const results = resultsFromJson(JSON.stringify({ ...committed, scale_samples: scale }));
    const dir = await mkdtemp(join(tmpdir(), 'play-bench-report-'));
    try {
      await writeReport(results, dir, drawChart);
      const md = await readFile(join(dir, 'RESULTS.md'), 'utf8');
      const json = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { scale_growth: { ansible_s_per_host: number }; scale: Array<{ hosts: number; ansible_extrapolated_s?: number }>; targets: Array<{ name: string; value: string; met: boolean | null }> };
      expect(md).to.not.match(/NaN/);
      expect(json.scale.find((x) => x.hosts === 500)!.ansible_extrapolated_s).to.equal(1500);
      const target = (prefix: string) => json.targets.find((t) => t.name.startsWith(prefix))!;
      expect(target('Scale no-op, play growth')).to.include({ met: true });
      expect(target('Scale no-op at 200 hosts')).to.include({ value: '3.50 s', met: true });
      expect(target('Controller peak RSS of play at the largest size (500 hosts)')).to.include({ value: '240.0 MB', met: true });
      // and each can fail: a slower curve, a fatter controller
      const worse = resultsFromJson(JSON.stringify({ ...committed, scale_samples: scale.map((x) => ({ ...x, play: [sample(x.hosts * 0.025, 300)] })) }));
      await writeReport(worse, dir, drawChart);
      const worseJson = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as typeof json;
      const worseTarget = (prefix: string) => worseJson.targets.find((t) => t.name.startsWith(prefix))!;
      expect(worseTarget('Scale no-op, play growth')).to.include({ value: '25.0 ms', met: false });
      expect(worseTarget('Scale no-op at 200 hosts')).to.include({ met: false });
      expect(worseTarget('Controller peak RSS of play at the largest size')).to.include({ met: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
