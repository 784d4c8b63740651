import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConfigFile, parseAnsibleConfig, ConfigError, type ConfigEnv } from '../../../engine/config/ansible-cfg.js';
import { cfgValue, parseCfgIni } from '../../../engine/config/cfg-ini.js';
import { FIXTURE_ROLES, REPO_ROOT, runPlay, type PlayRun } from '../../helpers/run-play.js';
import { installStandIns, type StandIns } from '../connection/helpers/stand-ins.js';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('ansible.cfg', function () {
  this.timeout(60_000);
  let dir: string;
  const where = (over: Partial<ConfigEnv> = {}): ConfigEnv => ({ env: {}, cwd: join(dir, 'project'), home: join(dir, 'home'), ...over });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-cfg-'));
    mkdirSync(join(dir, 'project'));
    mkdirSync(join(dir, 'home'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('the INI dialect (configparser, as Ansible sets it up)', () => {
    it('reads sections, = and :, comments, continuation lines and [DEFAULT]', () => {
      const text = [
        '# a comment',
        '[DEFAULT]',
        'shared = from default',
        '[defaults]',
        'Forks : 7   ; an inline comment',
        'remote_user = deploy # not a comment: configparser keeps it',
        'ssh_args = -o A=1',
        '  -o B=2',
        '; another comment',
        '[ssh_connection]',
        'pipelining = True',
      ].join('\n');
      const sections = parseCfgIni(text, 'a.cfg');
      expect(cfgValue(sections, 'defaults', 'forks')).to.deep.equal({ value: '7', line: 5 });
      expect(cfgValue(sections, 'defaults', 'remote_user')?.value).to.equal('deploy # not a comment: configparser keeps it');
      expect(cfgValue(sections, 'defaults', 'ssh_args')?.value).to.equal('-o A=1\n-o B=2');
      expect(cfgValue(sections, 'ssh_connection', 'shared')?.value).to.equal('from default');
    });

    it('refuses a repeated section or key, a setting outside a section and a stray line, naming the line only', () => {
      const cases: Array<[string, RegExp]> = [
        ['[defaults]\nforks = 1\n[defaults]\n', /^a\.cfg:3: section \[defaults\] appears twice$/],
        ['[defaults]\nforks = 1\nFORKS = 2\n', /^a\.cfg:3: key 'forks': the key appears twice/],
        ['forks = 1\n[defaults]\n', /^a\.cfg:1: a setting before any \[section\] header$/],
        ['[defaults]\nsecretword\n', /^a\.cfg:2: expected "key = value"/],
      ];
      for (const [text, message] of cases) {
        const err = errorOf(() => parseCfgIni(text, 'a.cfg'));
        expect(err).to.be.instanceOf(ConfigError);
        expect(err.message).to.match(message);
        expect(err.message).not.to.include('secretword');
      }
    });
  });

  describe('the settings play reads', () => {
    it('types each known key, paths relative to the file with ~ and $VARS expanded; unknown keys are ignored', () => {
      const text = [
        '[defaults]',
        'inventory = hosts, /abs/inv ,$PROJ/more',
        'remote_user = "deploy"',
        'private_key_file = ~/.ssh/lab_key',
        'forks = 12',
        'timeout = 30',
        'host_key_checking = False',
        'vault_password_file = secrets/pass',
        'vault_identity_list = dev@dev.pw, prod@prompt',
        'gathering = smart',
        '[privilege_escalation]',
        'become = yes',
        'become_user = admin',
        'become_ask_pass = on',
        '[ssh_connection]',
        "ssh_args = -C -o 'ProxyJump=jump host'",
      ].join('\n');
      const config = parseAnsibleConfig(text, join(dir, 'project/ansible.cfg'), where({ env: { PROJ: '/proj' } }));
      expect(config).to.deep.include({
        inventory: [join(dir, 'project/hosts'), '/abs/inv', '/proj/more'],
        remoteUser: 'deploy',
        privateKeyFile: join(dir, 'home/.ssh/lab_key'),
        forks: 12,
        timeout: 30,
        hostKeyChecking: false,
        vaultPasswordFile: join(dir, 'project/secrets/pass'),
        vaultIdentityList: ['dev@dev.pw', 'prod@prompt'],
        become: true,
        becomeUser: 'admin',
        becomeAskPass: true,
        sshArgs: ['-C', '-o', 'ProxyJump=jump host'],
      });
      expect(config.lines.get('defaults.host_key_checking')).to.equal(7);
    });

    it("the README's example reads as the README says", () => {
      const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
      const example = /```ini\n([\s\S]*?)```/.exec(readme)?.[1];
      expect(example, 'an ```ini block in the README').to.be.a('string');
      const config = parseAnsibleConfig(example!, join(dir, 'project/ansible.cfg'), where());
      expect(config).to.deep.include({
        inventory: [join(dir, 'project/inventories/prod')],
        remoteUser: 'deploy',
        privateKeyFile: join(dir, 'home/.ssh/deploy'),
        forks: 20,
        timeout: 15,
        hostKeyChecking: true,
        vaultPasswordFile: join(dir, 'home/.vault_pass'),
        vaultIdentityList: ['dev@dev.pass', 'prod@prompt'],
        become: true,
        becomeUser: 'root',
        becomeAskPass: true,
        sshArgs: ['-o', 'ServerAliveInterval=30'],
      });
    });

    it('a bad value of a known key: file, line and key, never the value', () => {
      const cases: Array<[string, string, RegExp]> = [
        ['[defaults]\nforks = lots-of-forks\n', 'lots-of-forks', /^p\.cfg:2: key '\[defaults\] forks': must be a positive integer$/],
        ['[defaults]\ntimeout = 0\n', 'timeout = 0', /^p\.cfg:2: key '\[defaults\] timeout': must be a positive integer$/],
        ['[privilege_escalation]\nbecome = sometimes-maybe\n', 'sometimes-maybe', /^p\.cfg:2: key '\[privilege_escalation\] become': must be a boolean/],
        ['[defaults]\nremote_user = two words\n', 'two words', /^p\.cfg:2: key '\[defaults\] remote_user': must be one word/],
        ["[ssh_connection]\nssh_args = -o 'unclosed\n", 'unclosed', /^p\.cfg:2: key '\[ssh_connection\] ssh_args': cannot be split/],
      ];
      for (const [text, value, message] of cases) {
        const err = errorOf(() => parseAnsibleConfig(text, 'p.cfg', where()));
        expect(err.message).to.match(message);
        expect(err.message).not.to.include(value);
      }
    });
  });

  describe('which file', () => {
    it('$ANSIBLE_CONFIG (a file or a folder) first, then ./ansible.cfg, then ~/.ansible.cfg', () => {
      const project = join(dir, 'project');
      writeFileSync(join(dir, 'home/.ansible.cfg'), '');
      expect(findConfigFile(where()).file).to.equal(join(dir, 'home/.ansible.cfg'));
      writeFileSync(join(project, 'ansible.cfg'), '');
      expect(findConfigFile(where()).file).to.equal(join(project, 'ansible.cfg'));
      mkdirSync(join(dir, 'elsewhere'), { recursive: true });
      writeFileSync(join(dir, 'elsewhere/ansible.cfg'), '');
      expect(findConfigFile(where({ env: { ANSIBLE_CONFIG: join(dir, 'elsewhere') } })).file).to.equal(join(dir, 'elsewhere/ansible.cfg'));
      expect(findConfigFile(where({ env: { ANSIBLE_CONFIG: join(dir, 'elsewhere/ansible.cfg') } })).file).to.equal(join(dir, 'elsewhere/ansible.cfg'));
      // A missing $ANSIBLE_CONFIG falls through to the next place, as in Ansible.
      expect(findConfigFile(where({ env: { ANSIBLE_CONFIG: join(dir, 'nope.cfg') } })).file).to.equal(join(project, 'ansible.cfg'));
    });

    it('ignores ./ansible.cfg in a world-writable folder, with a warning', () => {
      const open = join(dir, 'world-writable');
      mkdirSync(open);
      chmodSync(open, 0o777);
      writeFileSync(join(open, 'ansible.cfg'), '');
      const found = findConfigFile(where({ cwd: open }));
      expect(found.file).to.equal(join(dir, 'home/.ansible.cfg'));
      expect(found.warnings[0]).to.match(/world writable directory .* ignoring its ansible\.cfg/);
    });
  });

  describe('through the CLI', () => {
    let project: string;
    let standIns: StandIns;
    const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      ...standIns.env('nopasswd'),
      HOME: join(dir, 'cli-home'),
      ANSIBLE_CONFIG: join(project, 'ansible.cfg'),
      PLAY_ROLES_PATH: FIXTURE_ROLES,
      ...extra,
    });
    const play = (args: string[], input?: string): Promise<PlayRun> => {
      standIns.clear();
      return runPlay(args, { cwd: project, env: env(), input });
    };
    const sshCalls = (): string[][] => standIns.argvs().filter((a) => a[0] !== 'sudo');
    const cfg = (text: string): void => writeFileSync(join(project, 'ansible.cfg'), text);

    before(() => {
      project = join(dir, 'cli-project');
      mkdirSync(join(project, 'inv'), { recursive: true });
      mkdirSync(join(dir, 'cli-home'));
      standIns = installStandIns(project, 'unused');
      writeFileSync(join(project, 'inv/hosts'), `[box]\nnode1 ansible_host=127.0.0.1 demo_dir=${join(project, 't1')} demo_password=pw123456\n`);
      writeFileSync(join(project, 'site.yml'), '- hosts: box\n  roles: [demo]\n');
    });

    it('play --version names the config file', async () => {
      cfg('[defaults]\n');
      const run = await play(['--version']);
      expect(run.stdout).to.include(`config file = ${join(project, 'ansible.cfg')}`);
    });

    it('inventory, remote_user, private_key_file, timeout, ssh_args and become from the file reach ssh and sudo', async () => {
      cfg(
        [
          '[defaults]',
          'inventory = inv',
          'remote_user = deploy',
          'private_key_file = keys/id_lab',
          'timeout = 7',
          '[privilege_escalation]',
          'become = True',
          '[ssh_connection]',
          'ssh_args = -o ServerAliveInterval=9 -o Compression=yes',
        ].join('\n'),
      );
      const run = await play(['site.yml']);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      const ssh = sshCalls()[0]!;
      expect(ssh).to.include.members(['-l', 'deploy', '-i', join(project, 'keys/id_lab'), 'ConnectTimeout=7', 'ServerAliveInterval=9', 'Compression=yes']);
      // play's own options come first (ssh keeps the first value): the file cannot turn them off.
      expect(ssh.indexOf('ServerAliveInterval=5')).to.be.lessThan(ssh.indexOf('ServerAliveInterval=9'));
      expect(standIns.argvs().some((a) => a[0] === 'sudo'), 'become from the file').to.equal(true);
    });

    it('the command line beats the file, and ansible_user beats remote_user', async () => {
      cfg('[defaults]\ninventory = inv\nremote_user = deploy\ntimeout = 7\nprivate_key_file = keys/id_lab\n');
      const cli = await play(['site.yml', '-u', 'operator', '-T', '3', '--private-key', '/k/other']);
      expect(cli.code, cli.stdout + cli.stderr).to.equal(0);
      expect(sshCalls()[0]).to.include.members(['-l', 'operator', 'ConnectTimeout=3', '-i', '/k/other']);
      writeFileSync(join(project, 'inv-user.ini'), `node1 ansible_host=127.0.0.1 ansible_user=invuser demo_dir=${join(project, 't2')} demo_password=pw123456\n`);
      writeFileSync(join(project, 'all.yml'), '- hosts: all\n  roles: [demo]\n');
      const inv = await play(['all.yml', '-i', 'inv-user.ini']);
      expect(inv.code, inv.stdout + inv.stderr).to.equal(0);
      expect(sshCalls()[0]).to.include.members(['-l', 'invuser']);
    });

    it('host_key_checking = False keeps accept-new and says so', async () => {
      cfg('[defaults]\ninventory = inv\nhost_key_checking = False\n');
      const run = await play(['site.yml']);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.stderr).to.match(/ansible\.cfg:3: host_key_checking = False is not honoured: play never disables host key checking/);
      expect(sshCalls()[0]).to.include('StrictHostKeyChecking=accept-new');
      expect(sshCalls().flat()).not.to.include('StrictHostKeyChecking=no');
    });

    it('forks = 1 runs one host after the other', async () => {
      cfg('[defaults]\nforks = 1\n');
      const logFile = join(project, 'probe.log');
      writeFileSync(join(project, 'probe.ini'), `[p]\ncfg-a ansible_connection=local\ncfg-b ansible_connection=local\n[p:vars]\nprobe_log=${logFile}\nprobe_delay_ms=200\n`);
      writeFileSync(join(project, 'probe.yml'), '- hosts: p\n  roles: [probe]\n');
      const run = await play(['probe.yml', '-i', 'probe.ini']);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      // Both hosts dawdle 200 ms before 'start': run together, their starts would come first.
      const order = readFileSync(logFile, 'utf8').trim().split('\n').filter((l) => / (start|end)$/.test(l));
      expect(order).to.deep.equal(['cfg-a start', 'cfg-a end', 'cfg-b start', 'cfg-b end']);
    });

    it('become_ask_pass = True asks like -K; vault_password_file opens vault data', async () => {
      cfg('[defaults]\ninventory = inv\nvault_password_file = no-such-file\n[privilege_escalation]\nbecome_ask_pass = True\n');
      const run = await play(['site.yml', '--syntax-check']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.include("stdin ended before it gave the answer to 'BECOME password:'");
      const missing = await play(['site.yml', '--syntax-check'], 'a password\n');
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(/no-such-file: the vault password file was not found \(given by .*ansible\.cfg: vault_password_file\)/);
    });

    it('a bad value stops the run: exit 2, file, line and key, no host touched', async () => {
      cfg('[defaults]\ninventory = inv\n\n[privilege_escalation]\nbecome = perhaps-later\n');
      const run = await play(['site.yml']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(`ERROR! ${join(project, 'ansible.cfg')}:5: key '[privilege_escalation] become': must be a boolean (True/False, yes/no, 1/0)\n`);
      expect(standIns.argvs()).to.deep.equal([]);
    });
  });
});
