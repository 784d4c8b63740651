/**
 * Input that would keep play busy for minutes, exhaust its memory or loop is refused as bad input
 * (issue 13, row 10): exit 2, naming the file (and key), from every command that reads it.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FIXTURE_ROLES, runPlay, type PlayRun } from '../../helpers/run-play.js';

/** Under 1 KB: nine levels of nine aliases to the level below, 9^9 values when walked. */
function aliasBomb(indent = ''): string {
  const lines = [`${indent}l0: &l0 [x, x, x, x, x, x, x, x, x]`];
  for (let n = 1; n <= 8; n++) lines.push(`${indent}l${n}: &l${n} [${Array(9).fill(`*l${n - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

const BOMB_MESSAGE = /its aliases \(\*name\) expand it to more than \d+ values: refused as input/;

describe('input that would not end, or end play, is refused as bad input', function () {
  this.timeout(60000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-limits-'));
    writeFileSync(join(dir, 'p.yml'), '- hosts: web\n  roles: []\n');
    mkdirSync(join(dir, 'inv'));
    writeFileSync(join(dir, 'inv', 'hosts'), '[web]\nweb1 ansible_connection=local\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): void => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  const play = (...args: string[]): Promise<PlayRun> => runPlay(args, { cwd: dir, env: { PLAY_ROLES_PATH: FIXTURE_ROLES } });
  const expectRefused = (run: PlayRun, message: RegExp): void => {
    expect(run.code, run.stdout + run.stderr).to.equal(2);
    expect(run.stderr).to.match(message);
    expect(run.stderr).not.to.match(/internal error/);
  };

  it('a YAML alias bomb in group_vars, for --syntax-check and inventory --list', async () => {
    expect(aliasBomb().length).to.be.below(1024);
    write('inv/group_vars/all.yml', aliasBomb());
    expectRefused(await play('p.yml', '-i', 'inv', '--syntax-check'), new RegExp(`^ERROR! inv/group_vars/all\\.yml:9: key 'l8': ${BOMB_MESSAGE.source}`));
    expectRefused(await play('inventory', '-i', 'inv', '--list'), BOMB_MESSAGE);
  });

  it('a YAML alias bomb in play vars, in -e @file and in an inventory file', async () => {
    write('bomb.yml', `- hosts: web\n  vars:\n${aliasBomb('    ')}  roles: []\n`);
    expectRefused(await play('bomb.yml', '-i', 'inv', '--syntax-check'), new RegExp(`bomb\\.yml:11: key '0\\.vars\\.l8': ${BOMB_MESSAGE.source}`));
    write('extra.yml', aliasBomb());
    expectRefused(await play('p.yml', '-i', 'inv', '--syntax-check', '-e', '@extra.yml'), /extra\.yml:9: key 'l8'/);
    write('inv.yml', `all:\n  hosts:\n    web1:\n  vars:\n${aliasBomb('    ')}`);
    expectRefused(await play('inventory', '-i', 'inv.yml', '--list'), /inv\.yml:13: key 'all\.vars\.l8'/);
  });

  it('nesting deeper than 100 levels, in JSON too', async () => {
    write('deep.json', `{"a": ${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expectRefused(await play('p.yml', '-i', 'inv', '--syntax-check', '-e', '@deep.json'), /deep\.json:1: key 'a': nests deeper than 100 levels/);
  });

  it('a symlink loop in a group_vars folder and in an inventory folder', async () => {
    write('inv/group_vars/all/a.yml', 'a: 1\n');
    symlinkSync('.', join(dir, 'inv/group_vars/all/loop'));
    expectRefused(await play('inventory', '-i', 'inv', '--list'), /inv\/group_vars\/all\/loop: a symbolic link back to a folder already read/);
    rmSync(join(dir, 'inv/group_vars'), { recursive: true });
    symlinkSync('../inv', join(dir, 'inv/sub'));
    expectRefused(await play('p.yml', '-i', 'inv', '--syntax-check'), /inv\/sub: a symbolic link back to a folder already read/);
  });

  it('a file that links to itself, a device, or a file too big', async () => {
    mkdirSync(join(dir, 'inv/group_vars'));
    symlinkSync('all.yml', join(dir, 'inv/group_vars/all.yml'));
    expectRefused(await play('inventory', '-i', 'inv', '--list'), /inv\/group_vars\/all\.yml: a loop of symbolic links/);
    rmSync(join(dir, 'inv/group_vars/all.yml'));
    symlinkSync('/dev/zero', join(dir, 'inv/group_vars/web'));
    expectRefused(await play('p.yml', '-i', 'inv', '--syntax-check'), /inv\/group_vars\/web: is not a regular file/);
    rmSync(join(dir, 'inv/group_vars/web'));
    symlinkSync('/dev/zero', join(dir, 'zero.yml'));
    expectRefused(await play('p.yml', '-i', 'inv/hosts', '--syntax-check', '-e', '@zero.yml'), /zero\.yml: is not a regular file/);
    write('big.yml', '');
    truncateSync(join(dir, 'big.yml'), 33 * 1024 * 1024);
    expectRefused(await play('p.yml', '-i', 'inv/hosts', '--syntax-check', '-e', '@big.yml'), /big\.yml: is larger than 32 MiB/);
  });
});
