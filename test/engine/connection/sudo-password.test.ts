// become with a password through the real CLI and the real SSH connection code, against the
// stand-in ssh and sudo of helpers/stand-ins.ts. The lab suite (test/lab/become.test.ts) does the
// same with the real sudo and OpenSSH.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, parseJsonReport, runPlay, type PlayRun } from '../../helpers/run-play.js';
import { mustVault } from '../vault/helpers/ansible-vault.js';
import { installStandIns, type StandIns } from './helpers/stand-ins.js';

const PASSWORD = 'Sudo pw;touch EVALUATED';

describe('become with a password (stand-in ssh and sudo)', function () {
  this.timeout(60_000);
  let dir: string;
  let standIns: StandIns;
  let counter = 0;

  /** A fresh inventory whose host connects as `user` and writes into a fresh target folder. */
  function inventory(user: string, extra = ''): { file: string; target: string } {
    counter++;
    const target = join(dir, `target-${counter}`);
    const file = join(dir, `hosts-${counter}.ini`);
    writeFileSync(file, `[box]\nfakehost ansible_host=127.0.0.1 ansible_user=${user} demo_dir=${target} demo_password=demo1234 ${extra}\n`);
    return { file, target };
  }

  const play = (mode: 'password' | 'nopasswd' | 'cached', args: string[], input?: string): Promise<PlayRun> => {
    standIns.clear();
    const env = { ...standIns.env(mode), PLAY_ROLES_PATH: FIXTURE_ROLES, ANSIBLE_CONFIG: join(dir, 'empty.cfg') };
    return runPlay(['site.yml', ...args], { cwd: dir, env, input });
  };

  const argvs = (): string[][] => standIns.argvs();
  const sudoCalls = (): string[][] => argvs().filter((a) => a[0] === 'sudo');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-sudo-'));
    standIns = installStandIns(dir, PASSWORD);
    writeFileSync(join(dir, 'empty.cfg'), '');
    writeFileSync(join(dir, 'site.yml'), '- hosts: box\n  roles: [demo]\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('-K from a pipe: sudo -S with a unique prompt answers on stdin; the password is in no argv and no output', async () => {
    const { file, target } = inventory('deploy');
    const run = await play('password', ['-i', file, '-b', '-K', '-vvv', '--diff'], `${PASSWORD}\n`);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal('message=hello\n');
    const calls = sudoCalls();
    expect(calls.length, 'the lock session and every exec go through sudo').to.be.greaterThan(3);
    const prompts = new Set<string>();
    for (const call of calls) {
      expect(call.slice(0, 4)).to.deep.equal(['sudo', '-H', '-S', '-p']);
      expect(call[4]).to.match(/^\[sudo via play, key=[a-z]{32}\] password:$/);
      prompts.add(call[4]!);
    }
    expect(prompts.size, 'a prompt per command').to.equal(calls.length);
    for (const argv of argvs()) expect(argv.join(' ')).not.to.include('Sudo pw');
    expect(run.stdout + run.stderr).not.to.include('Sudo pw');
    expect(existsSync(join(dir, 'EVALUATED')), 'the password was run as a command').to.equal(false);
  });

  it('a sudo that asks nothing (cached credentials) never gets the password, and no script sees it', async () => {
    const { file, target } = inventory('deploy');
    const run = await play('cached', ['-i', file, '-b', '-K'], `${PASSWORD}\n`);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal('message=hello\n');
    expect(existsSync(join(dir, 'EVALUATED')), 'the password was run as a command').to.equal(false);
  });

  it('a wrong password fails the host with "incorrect sudo password" (exit 2), without hanging', async () => {
    const { file, target } = inventory('deploy');
    const run = await play('password', ['-i', file, '-b', '-K', '--json'], 'not the password\n');
    expect(run.code).to.equal(2);
    const doc = parseJsonReport(run);
    expect(doc.hosts.fakehost!.stats.failed).to.equal(1);
    expect(doc.hosts.fakehost!.tasks.find((t) => t.status === 'failed')?.error).to.equal('fakehost: incorrect sudo password');
    expect(existsSync(target)).to.equal(false);
    expect(run.stdout + run.stderr).not.to.include('not the password');
  });

  it('without -K, a sudo that wants a password says how to give one', async () => {
    const { file } = inventory('deploy');
    const run = await play('password', ['-i', file, '-b', '--json']);
    expect(run.code).to.equal(2);
    expect(parseJsonReport(run).hosts.fakehost!.tasks.find((t) => t.status === 'failed')?.error).to.match(/sudo needs a password here: pass -K/);
  });

  it('ansible_become_password from a vault-encrypted host_vars file works without -K', async () => {
    const { file, target } = inventory('deploy');
    mkdirSync(join(dir, 'host_vars'), { recursive: true });
    writeFileSync(join(dir, 'vault-pw'), 'the vault password\n');
    writeFileSync(join(dir, 'host_vars/fakehost.yml'), `ansible_become_password: "${PASSWORD}"\n`);
    await mustVault(['encrypt', '--vault-password-file', 'vault-pw', 'host_vars/fakehost.yml'], { cwd: dir });
    try {
      const run = await play('password', ['-i', file, '-b', '--vault-password-file', 'vault-pw', '-vvv']);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(readFileSync(join(target, 'secret.conf'), 'utf8')).to.equal('password=demo1234\n');
      expect(run.stdout + run.stderr).not.to.include('Sudo pw');
      for (const argv of argvs()) expect(argv.join(' ')).not.to.include('Sudo pw');
    } finally {
      rmSync(join(dir, 'host_vars'), { recursive: true, force: true });
    }
  });

  it('-K and --ask-vault-pass from one pipe: the become password first, then the vault password', async () => {
    const { file, target } = inventory('deploy');
    writeFileSync(join(dir, 'extra.yml'), 'demo_message: from the vault\n');
    writeFileSync(join(dir, 'vault-pw'), 'the vault password\n');
    await mustVault(['encrypt', '--vault-password-file', 'vault-pw', 'extra.yml'], { cwd: dir });
    const run = await play('password', ['-i', file, '-b', '-K', '--ask-vault-pass', '-e', '@extra.yml'], `${PASSWORD}\nthe vault password\n`);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal('message=from the vault\n');
  });

  it('passwordless sudo is unchanged: sudo -n, the script at once, as many execs as a root login', async () => {
    const asRoot = inventory('root');
    const root = await play('nopasswd', ['-i', asRoot.file, '--json']);
    expect(root.code, root.stdout + root.stderr).to.equal(0);
    expect(sudoCalls()).to.deep.equal([]);
    const viaSudo = inventory('deploy');
    const run = await play('nopasswd', ['-i', viaSudo.file, '-b', '--json']);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    const calls = sudoCalls();
    expect(calls[0]!.slice(0, 5), 'the lock session').to.deep.equal(['sudo', '-n', '--', '/bin/sh', '-c']);
    expect(calls[0]![5]).to.include('flock -n 9');
    for (const call of calls.slice(1)) expect(call).to.deep.equal(['sudo', '-n', '-H', '--', '/bin/sh', '-c', 's=$(cat) && eval "$s" </dev/null']);
    const execs = (r: PlayRun): number => parseJsonReport(r).hosts.fakehost!.connection.execs;
    expect(execs(run)).to.equal(execs(root));
  });
});

describe('the -K password is taken as typed, never as a template', function () {
  this.timeout(60_000);
  // Braces are fair in a password; Ansible never renders the -K answer.
  const TEMPLATE_LIKE = 'pw {{ nope }} {% if %} {#';
  let dir: string;
  let standIns: StandIns;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-sudo-braces-'));
    standIns = installStandIns(dir, TEMPLATE_LIKE);
    writeFileSync(join(dir, 'empty.cfg'), '');
    writeFileSync(join(dir, 'site.yml'), '- hosts: box\n  roles: [demo]\n');
    writeFileSync(join(dir, 'hosts.ini'), `[box]\nfakehost ansible_host=127.0.0.1 ansible_user=deploy demo_dir=${join(dir, 'target')} demo_password=demo1234\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a -K password holding {{, {% and {# reaches sudo unchanged', async () => {
    const env = { ...standIns.env('password'), PLAY_ROLES_PATH: FIXTURE_ROLES, ANSIBLE_CONFIG: join(dir, 'empty.cfg') };
    const run = await runPlay(['site.yml', '-i', 'hosts.ini', '-b', '-K', '-vvv'], { cwd: dir, env, input: `${TEMPLATE_LIKE}\n` });
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'target', 'config.txt'), 'utf8')).to.equal('message=hello\n');
    expect(run.stdout + run.stderr).not.to.include('nope');
  });
});
