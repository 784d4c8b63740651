// The benchmark's pure parts: parsing the engines' outputs, statistics, the PNG writer, the W1
// fingerprints and reset script. No lab, no root.
import { expect } from 'chai';
import { inflateSync } from 'node:zlib';
import { parseAnsibleRecap, parsePlayJson } from './lib/engines.js';
import { Canvas, crc32 } from './lib/png.js';
import { drawChart } from './lib/plot.js';
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

  it('writes a valid PNG (signature, CRCs, pixel data)', () => {
    expect(crc32(Buffer.from('IEND'))).to.equal(0xae426082);
    const c = new Canvas(4, 3);
    c.set(1, 1, [255, 0, 0]);
    const png = c.png();
    expect(png.subarray(0, 8).toString('hex')).to.equal('89504e470d0a1a0a');
    const idatLen = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).to.equal('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).to.equal(3 * (4 * 3 + 1));
    expect([...raw.subarray(13 + 1 + 3, 13 + 1 + 6)]).to.deep.equal([255, 0, 0]);
  });

  it('draws the chart', () => {
    const png = drawChart({
      w1: [{ label: 'no-op', play: 1, ansible: 20 }],
      scale: [{ hosts: 10, play: 1, ansible: 30 }, { hosts: 50, play: 2, ansible: 120 }],
      subtitle: 'test',
    });
    expect(png.readUInt32BE(16)).to.equal(1280);
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
