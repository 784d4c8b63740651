// Issue 13 row 4 through the real CLI: ssh arguments that turn host key checking off, from the
// inventory, -e or ansible.cfg (directly or in a -F file), are refused before any host is
// contacted (exit 2, file:line:key, never the value), unless --allow-insecure-ssh-args says so,
// and then every run warns. The lab's own strict arguments pass without a word.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, runPlay, type PlayRun } from '../../helpers/run-play.js';
import { installStandIns, type StandIns } from '../connection/helpers/stand-ins.js';

describe('ssh arguments that turn host key checking off (the CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  let standIns: StandIns;
  let counter = 0;

  /** An inventory whose host has `args` as ansible_ssh_common_args, on line 4. */
  function inventory(args: string): string {
    counter++;
    const file = join(dir, `hosts-${counter}.ini`);
    writeFileSync(file, `[box]\nfakehost ansible_host=127.0.0.1 ansible_user=root demo_dir=${join(dir, `target-${counter}`)} demo_password=demo1234\n[box:vars]\nansible_ssh_common_args=${args}\n`);
    return file;
  }

  const play = (args: string[], cfg = 'empty.cfg'): Promise<PlayRun> => {
    standIns.clear();
    const env = { ...standIns.env('nopasswd'), PLAY_ROLES_PATH: FIXTURE_ROLES, ANSIBLE_CONFIG: join(dir, cfg) };
    return runPlay(['site.yml', ...args], { cwd: dir, env });
  };

  /** Exit 2 before any ssh, naming where and what, never the value. */
  function expectRefused(run: PlayRun, where: RegExp, ...valueParts: string[]): void {
    const output = run.stdout + run.stderr;
    expect(run.code, output).to.equal(2);
    expect(output).to.match(where);
    expect(output).to.match(/refused, play never lets host key checking be turned off unasked \(--allow-insecure-ssh-args allows it\)/);
    for (const part of valueParts) expect(output, 'the value is not echoed').not.to.include(part);
    expect(standIns.argvs(), 'no host was contacted').to.deep.equal([]);
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-hostkey-cli-'));
    standIns = installStandIns(dir, 'unused');
    writeFileSync(join(dir, 'empty.cfg'), '');
    writeFileSync(join(dir, 'site.yml'), '- hosts: box\n  roles: [demo]\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses UserKnownHostsFile=/dev/null in the inventory: exit 2, file:line:key, no value, no host', async () => {
    const hosts = inventory(`'-o "UserKnownHostsFile /dev/null" -o ServerAliveInterval=17'`);
    const run = await play(['-i', hosts]);
    expectRefused(run, new RegExp(`${hosts}:4: key 'ansible_ssh_common_args': host 'fakehost': points UserKnownHostsFile at a file that keeps no keys`), '/dev/null', 'ServerAliveInterval=17');
    // --syntax-check contacts no host either, and refuses the same.
    expectRefused(await play(['-i', hosts, '--syntax-check']), /:4: key 'ansible_ssh_common_args'/, '/dev/null');
  });

  it('refuses StrictHostKeyChecking=no from -e, and KnownHostsCommand from an ansible.cfg -F file', async () => {
    const hosts = inventory("'-o StrictHostKeyChecking=yes'");
    const run = await play(['-i', hosts, '-e', 'ansible_ssh_extra_args=-oStrictHostKeyChecking=no']);
    expectRefused(run, /-e #1: key 'ansible_ssh_extra_args': host 'fakehost': turns StrictHostKeyChecking off/, 'StrictHostKeyChecking=no');

    writeFileSync(join(dir, 'ssh.conf'), 'Host *\n  KnownHostsCommand /bin/cat /tmp/keys\n');
    writeFileSync(join(dir, 'ansible.cfg'), `[defaults]\nforks = 5\n[ssh_connection]\nssh_args = -C -F ${join(dir, 'ssh.conf')}\n`);
    const viaCfg = await play(['-i', hosts], 'ansible.cfg');
    expectRefused(viaCfg, /ansible\.cfg:4: key '\[ssh_connection\] ssh_args': sets KnownHostsCommand: .* \(in the -F file, line 2\)/, '/tmp/keys', 'ssh.conf');
  });

  it('with --allow-insecure-ssh-args the run goes on, and every run warns where the setting is', async () => {
    const hosts = inventory("'-o UserKnownHostsFile=/dev/null'");
    for (let i = 0; i < 2; i++) {
      const run = await play(['-i', hosts, '--allow-insecure-ssh-args']);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.stderr).to.match(new RegExp(`\\[WARNING\\]: ${hosts}:4: ansible_ssh_common_args points UserKnownHostsFile at a file that keeps no keys.*, for fakehost \\(allowed by --allow-insecure-ssh-args\\)`));
      expect(standIns.argvs().flat(), 'the arguments reach ssh as given').to.include('UserKnownHostsFile=/dev/null');
    }
  });

  it("lets the lab's strict arguments through without a warning", async () => {
    const hosts = inventory("'-o UserKnownHostsFile=/var/lib/play-lab/ssh/known_hosts -o StrictHostKeyChecking=yes'");
    const run = await play(['-i', hosts]);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stderr).not.to.match(/WARNING/);
  });
});
