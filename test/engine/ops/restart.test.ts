import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restartIfStaleScript } from '../../../engine/ops/restart.js';

/**
 * The restart decision run by a real sh against a fake systemctl that answers ActiveState and
 * ExecMainStartTimestamp as systemd 252 prints them (captured on a lab host) and logs restarts.
 */
describe('restart handler: only when the daemon started before its config was written', () => {
  let dir: string;
  let conf: string;
  const restarts = (): number => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n').length : 0);

  const run = (state: string, startedAt: Date | 'none', mtime: Date): number => {
    utimesSync(conf, mtime, mtime);
    const stamp = startedAt === 'none' ? '' : startedAt.toISOString().replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{3})Z$/, 'Sun $1 $2.$3000 UTC');
    writeFileSync(join(dir, 'state'), state);
    writeFileSync(join(dir, 'stamp'), stamp);
    const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
    const result = spawnSync('/bin/sh', ['-c', restartIfStaleScript('keepalived', [conf])], { env, encoding: 'utf8' });
    return result.status ?? -1;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-restart-'));
    conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, 'vrrp_instance VI_1 {}\n');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(
      join(dir, 'bin', 'systemctl'),
      [
        '#!/bin/sh',
        `case "$*" in`,
        `  *ActiveState*) cat ${dir}/state; echo ;;`,
        `  *ExecMainStartTimestamp*) cat ${dir}/stamp; echo ;;`,
        `  restart*) echo "$*" >> ${dir}/log ;;`,
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(join(dir, 'bin', 'systemctl'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const t0 = new Date('2026-11-22T01:10:14.029Z');
  const later = new Date(t0.getTime() + 200);
  const earlier = new Date(t0.getTime() - 200);

  it('skips (exit 3) a running daemon that started after the config was written', () => {
    expect(run('active', later, t0)).to.equal(3);
    expect(restarts()).to.equal(0);
  });

  it('restarts one that started before the config changed, or in the same instant', () => {
    expect(run('active', earlier, t0)).to.equal(0);
    expect(run('active', t0, t0)).to.equal(0);
    expect(restarts()).to.equal(2);
  });

  it('restarts when it is not running, or when systemd gives no usable timestamp', () => {
    expect(run('inactive', later, t0)).to.equal(0);
    expect(run('active', 'none', t0)).to.equal(0);
    expect(restarts()).to.equal(2);
  });

  it('restarts when a config file is missing', () => {
    rmSync(conf);
    writeFileSync(conf, '');
    const script = restartIfStaleScript('keepalived', [conf, join(dir, 'gone.conf')]);
    writeFileSync(join(dir, 'state'), 'active');
    writeFileSync(join(dir, 'stamp'), 'Sun 2099-01-01 00:00:00.000000 UTC');
    const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
    expect(spawnSync('/bin/sh', ['-c', script], { env }).status).to.equal(0);
    expect(restarts()).to.equal(1);
  });
});
