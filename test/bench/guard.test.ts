// The benchmark's guard (lib/guard.ts) waits for other lab suites; a suite still waiting for the
// lab lock must not count, or a benchmark holding the lock waits for it for ever.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { foreignLabProcesses, isLabSuite } from './lib/guard.js';

describe('the benchmark guard', () => {
  let dir: string;
  // The guard ignores its own process tree, so the processes it must judge are orphaned by a
  // shell that exits at once (their parent is then init), and found again by a marker.
  const orphan = (command: string): void => {
    spawn('sh', ['-c', `${command} >/dev/null 2>&1 &`], { stdio: 'ignore' });
  };
  const listed = (marker: string): string[] => foreignLabProcesses().filter((line) => line.includes(marker));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'play-guard-'));
  });
  after(async () => {
    spawnSync('pkill', ['-f', dir]);
    await rm(dir, { recursive: true, force: true });
  });

  it('counts a running lab suite, not one still waiting for the lab lock', async () => {
    const lock = join(dir, 'lab.lock');
    orphan(`flock ${lock} sh -c 'sleep 30; true # ${dir}/holder'`);
    await sleep(300); // the holder has the lock before the waiter asks
    orphan(`flock ${lock} sh -c 'sleep 30; true # mocha dist/test/lab/cluster.test.js ${dir}/waiting'`);
    orphan(`sh -c 'sleep 30; true # mocha dist/test/lab/cluster.test.js ${dir}/running'`);
    await sleep(300);
    expect(listed(`${dir}/running`)).to.have.length(1);
    expect(listed(`${dir}/waiting`)).to.deep.equal([]);
  });

  it('waits for the whole suite and for lab specs, not for unit or loopback test runs', () => {
    expect(isLabSuite('node /repo/node_modules/.bin/mocha')).to.equal(true); // npm test: every spec, the lab's too
    expect(isLabSuite('node mocha --no-config --exit --timeout 900000 dist/test/lab/cluster.test.js')).to.equal(true);
    expect(isLabSuite('node mocha --no-config dist/test/roles/haproxy.test.js dist/test/lab/lb.test.js')).to.equal(true);
    expect(isLabSuite("node mocha --no-config 'dist/test/lab/**/*.test.js'")).to.equal(true);
    expect(isLabSuite('node mocha --config .mocharc.unit.json')).to.equal(false);
    expect(isLabSuite('node mocha --no-config --exit dist/test/roles/etcd-restore.test.js dist/test/engine/imports.test.js')).to.equal(false);
    expect(isLabSuite('node mocha --no-config --exit --timeout 120000 dist/test/standins/kubeadm-etcd.test.js')).to.equal(false);
    expect(isLabSuite('node /usr/bin/python3 -m http.server')).to.equal(false);
  });
});
