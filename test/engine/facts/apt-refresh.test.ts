import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refreshStaleIndex, type AptPaths } from '../../../engine/ops/apt-scripts.js';

/** The refresh decision run by a real sh, with an apt-get on PATH that only logs its calls. */
describe('apt index refresh (cache valid time)', () => {
  let dir: string;
  let paths: AptPaths;
  let calls: string;

  const run = (validSec = 3600): number => {
    const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
    const result = spawnSync('/bin/sh', ['-ec', refreshStaleIndex(validSec, paths)], { env, encoding: 'utf8' });
    expect(result.status, result.stderr).to.equal(0);
    return existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').length : 0;
  };
  const age = (path: string, seconds: number): void => {
    const when = Date.now() / 1000 - seconds;
    utimesSync(path, when, when);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-apt-'));
    paths = { stamp: join(dir, 'periodic', 'update-success-stamp'), config: join(dir, 'etc-apt'), lists: join(dir, 'lists') };
    calls = join(dir, 'calls');
    mkdirSync(join(dir, 'bin'));
    mkdirSync(paths.config);
    mkdirSync(paths.lists);
    writeFileSync(join(paths.config, 'sources.list'), 'deb http://repo.example bookworm main\n');
    age(join(paths.config, 'sources.list'), 7200);
    age(paths.config, 7200);
    // The fake apt-get logs the call and writes a list, as a real update does.
    writeFileSync(join(dir, 'bin', 'apt-get'), `#!/bin/sh\necho "$*" >> ${calls}\ntouch ${paths.lists}/repo_dists_bookworm_main_binary-amd64_Packages\n`);
    chmodSync(join(dir, 'bin', 'apt-get'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refreshes a host never refreshed, then not again within the valid time', () => {
    expect(run()).to.equal(1);
    expect(existsSync(paths.stamp)).to.equal(true);
    expect(run()).to.equal(1);
  });

  it('refreshes again once the index is older than the valid time', () => {
    run();
    age(paths.stamp, 3700);
    expect(run()).to.equal(2);
  });

  it('refreshes at once when a repository was added after the last refresh', () => {
    run();
    age(paths.stamp, 60);
    writeFileSync(join(paths.config, 'kubernetes.list'), 'deb http://pkgs.example/ /\n');
    expect(run()).to.equal(2);
  });

  it('refreshes when the lists are gone, and always with a valid time of 0', () => {
    run();
    rmSync(paths.lists, { recursive: true });
    mkdirSync(paths.lists);
    expect(run()).to.equal(2);
    expect(run(0)).to.equal(3);
  });
});
