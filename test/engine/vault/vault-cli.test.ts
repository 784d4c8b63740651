// Ansible Vault through the real CLI, on the local connection in a temp dir: files and values
// encrypted by the real ansible-vault in the test (1.1 and 1.2 with ids), opened by play with each
// way of giving a password; every plaintext reaches the host and no output shows it.
import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, parseJsonReport, runPlay, type PlayRun } from '../../helpers/run-play.js';
import { encryptString, mustRunTool, mustVault } from './helpers/ansible-vault.js';

const WHOLE = 'Vaulted-Whole-File-Pw';
const INLINE = 'Inline-Msg-7f3';
const EXTRA = 'Extra-File-Msg-2c9';
const PLAY_VAR = 'Play-Vars-Msg-5e1';
const INI_PW = 'Ini-Inventory-Pw-8d4';

describe('vault: encrypted files and !vault values through the CLI', function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const all = (run: PlayRun): string => run.stdout + run.stderr;
  const play = (args: string[], input?: string): Promise<PlayRun> => runPlay(args, { cwd: dir, env, input });
  const expectNoPlaintext = (run: PlayRun): void => {
    for (const secret of [WHOLE, INLINE, EXTRA, PLAY_VAR, INI_PW, 'outer password', 'script password']) {
      expect(all(run), `printed ${secret}`).not.to.include(secret);
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'play-vault-cli-'));
    writeFileSync(join(dir, 'empty.cfg'), '');
    env = { PLAY_ROLES_PATH: FIXTURE_ROLES, ANSIBLE_CONFIG: join(dir, 'empty.cfg'), ANSIBLE_VAULT_PASSWORD_FILE: '', ANSIBLE_VAULT_IDENTITY_LIST: '' };
    writeFileSync(join(dir, 'pw'), 'outer password\n');
    writeFileSync(join(dir, 'pw-script'), "#!/bin/sh\necho 'script password'\n");
    chmodSync(join(dir, 'pw-script'), 0o755);
    writeFileSync(join(dir, 'pw-script-plain'), 'script password\n');
    mkdirSync(join(dir, 'inv/group_vars/box'), { recursive: true });
    writeFileSync(join(dir, 'inv/hosts'), `[box]\nvaultbox ansible_connection=local demo_dir=${join(dir, 'target')}\n`);
    // group_vars/box/vault.yml: a whole file encrypted with the default id (1.1).
    writeFileSync(join(dir, 'inv/group_vars/box/vault.yml'), `demo_password: ${WHOLE}\n`);
    await mustVault(['encrypt', '--vault-password-file', 'pw', 'inv/group_vars/box/vault.yml'], { cwd: dir });
    // group_vars/box/main.yml: an inline value with the vault id ops (1.2), from a script's password.
    const inline = await encryptString(dir, INLINE, 'demo_message', ['--vault-id', 'ops@pw-script-plain']);
    writeFileSync(join(dir, 'inv/group_vars/box/main.yml'), `# a comment\n${inline}\n`);
    writeFileSync(join(dir, 'site.yml'), '- name: Demo play\n  hosts: box\n  roles:\n    - demo\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a whole encrypted group_vars file and an inline 1.2 value; the values reach the host, never the output (-vvv --diff)', async () => {
    const run = await play(['site.yml', '-i', 'inv', '--vault-password-file', 'pw', '--vault-id', 'ops@pw-script', '-vvv', '--diff']);
    expect(run.code, all(run)).to.equal(0);
    expect(readFileSync(join(dir, 'target/config.txt'), 'utf8')).to.equal(`message=${INLINE}\n`);
    expect(readFileSync(join(dir, 'target/secret.conf'), 'utf8')).to.equal(`password=${WHOLE}\n`);
    expect(run.stdout, 'the diff of config.txt is shown, its vault value masked').to.match(/^\+message=\*{8}$/m);
    expectNoPlaintext(run);
  });

  it('--json shows no plaintext either, and a second run changes nothing', async () => {
    const run = await play(['site.yml', '-i', 'inv', '--vault-password-file', 'pw', '--vault-id', 'ops@pw-script', '--json']);
    expect(run.code, all(run)).to.equal(0);
    expect(parseJsonReport(run).hosts.vaultbox!.stats.changed).to.equal(0);
    expectNoPlaintext(run);
  });

  it('opens an encrypted INI inventory, an encrypted -e @file (1.2) and !vault play vars', async () => {
    const target = join(dir, 'target-ini');
    writeFileSync(join(dir, 'enc-hosts.ini'), `[box]\nvaultbox ansible_connection=local demo_dir=${target} demo_password=${INI_PW}\n`);
    await mustVault(['encrypt', '--vault-id', 'lab@pw', 'enc-hosts.ini'], { cwd: dir });
    writeFileSync(join(dir, 'extra.yml'), `demo_message: ${EXTRA}\n`);
    await mustVault(['encrypt', '--vault-id', 'lab@pw', 'extra.yml'], { cwd: dir });
    const playVar = await encryptString(dir, PLAY_VAR, 'demo_message', ['--vault-password-file', 'pw']);
    const indented = playVar.split('\n').map((l) => `      ${l}`).join('\n');
    writeFileSync(join(dir, 'vars-play.yml'), `- name: Play with vault vars\n  hosts: box\n  vars:\n${indented}\n  roles: [demo]\n`);

    const withExtra = await play(['site.yml', '-i', 'enc-hosts.ini', '-e', '@extra.yml', '--vault-id', 'lab@pw', '-vvv', '--diff']);
    expect(withExtra.code, all(withExtra)).to.equal(0);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal(`message=${EXTRA}\n`);
    expect(readFileSync(join(target, 'secret.conf'), 'utf8')).to.equal(`password=${INI_PW}\n`);
    expectNoPlaintext(withExtra);

    const playVars = await play(['vars-play.yml', '-i', 'enc-hosts.ini', '--vault-password-file', 'pw', '--diff', '--json']);
    expect(playVars.code, all(playVars)).to.equal(0);
    expect(readFileSync(join(target, 'config.txt'), 'utf8')).to.equal(`message=${PLAY_VAR}\n`);
    expectNoPlaintext(playVars);
  });

  it('a wrong or missing password: exit 2 naming the file (and line and key of an inline value), no host touched, no value', async () => {
    const untouched = join(dir, 'untouched');
    writeFileSync(join(dir, 'inv-other.ini'), `[box]\nvaultbox ansible_connection=local demo_dir=${untouched}\n`);
    writeFileSync(join(dir, 'wrong'), 'not the password\n');
    const wrongWhole = await play(['site.yml', '-i', 'inv', '--vault-password-file', 'wrong', '--vault-id', 'ops@pw-script']);
    expect(wrongWhole.code).to.equal(2);
    expect(wrongWhole.stderr).to.match(/inv\/group_vars\/box\/vault\.yml: vault-encrypted file: decryption failed/);

    const wrongInline = await play(['site.yml', '-i', 'inv', '--vault-password-file', 'pw']);
    expect(wrongInline.code).to.equal(2);
    expect(wrongInline.stderr).to.match(/inv\/group_vars\/box\/main\.yml:2: key 'demo_message': vault-encrypted value: decryption failed/);

    const none = await play(['site.yml', '-i', 'inv-other.ini', '-e', '@extra.yml']);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/extra\.yml: vault-encrypted file, but no vault password was given: give one with --vault-password-file/);
    for (const run of [wrongWhole, wrongInline, none]) expectNoPlaintext(run);
    expect(existsSync(untouched), 'a host was touched').to.equal(false);
  });

  it('takes the password from ANSIBLE_VAULT_PASSWORD_FILE, --vault-id ID@prompt and --ask-vault-pass (a line of stdin each, in that order)', async () => {
    const viaEnv = await runPlay(['inventory', '-i', 'inv', '--host', 'vaultbox', '--vault-id', 'ops@pw-script'], {
      cwd: dir,
      env: { ...env, ANSIBLE_VAULT_PASSWORD_FILE: join(dir, 'pw') },
    });
    expect(viaEnv.code, all(viaEnv)).to.equal(0);
    // ansible-playbook's order: --vault-id prompts first, --ask-vault-pass last.
    const prompted = await play(['inventory', '-i', 'inv', '--host', 'vaultbox', '--ask-vault-pass', '--vault-id', 'ops@prompt'], 'script password\nouter password\n');
    expect(prompted.code, all(prompted)).to.equal(0);
    expectNoPlaintext(prompted);
    const short = await play(['inventory', '-i', 'inv', '--host', 'vaultbox', '--ask-vault-pass', '--vault-id', 'ops@prompt'], 'script password\n');
    expect(short.code).to.equal(2);
    expect(short.stderr).to.include("stdin ended before it gave the answer to 'Vault password:'");
  });

  it('play inventory --list/--host never prints a plaintext: inline values as ansible-inventory shows them, file values masked', async () => {
    const args = ['-i', 'inv', '--vault-password-file', 'pw', '--vault-id', 'ops@pw-script'];
    const list = await play(['inventory', '--list', ...args]);
    expect(list.code, all(list)).to.equal(0);
    expectNoPlaintext(list);
    const hostvars = (JSON.parse(list.stdout) as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars.vaultbox!;
    expect(hostvars.demo_password).to.equal('********');
    // ansible-inventory prints an inline value as {"__ansible_vault": envelope}: the same here.
    const ansible = await ansibleInventory(dir, ['--list', '-i', 'inv', '--vault-password-file', 'pw', '--vault-id', 'ops@pw-script']);
    const theirs = (JSON.parse(ansible) as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars.vaultbox!;
    expect(hostvars.demo_message).to.deep.equal(theirs.demo_message);
    expect(hostvars.demo_message).to.have.property('__ansible_vault').that.matches(/^\$ANSIBLE_VAULT;1\.2;AES256;ops\n/);
    const host = await play(['inventory', '--host', 'vaultbox', ...args]);
    expectNoPlaintext(host);
    expect(JSON.parse(host.stdout)).to.deep.include({ demo_password: '********' });
  });

  describe('play vault', () => {
    it('encrypt: ansible-vault opens the result; the file is rewritten in place with its mode', async () => {
      writeFileSync(join(dir, 'mine.yml'), 'token: play-made\n', { mode: 0o640 });
      chmodSync(join(dir, 'mine.yml'), 0o640);
      const run = await play(['vault', 'encrypt', 'mine.yml', '--vault-id', 'prod@pw']);
      expect(run.code, all(run)).to.equal(0);
      expect(readFileSync(join(dir, 'mine.yml'), 'utf8')).to.match(/^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
      expect(statSync(join(dir, 'mine.yml')).mode & 0o777).to.equal(0o640);
      expect(await mustVault(['view', '--vault-id', 'prod@pw', 'mine.yml'], { cwd: dir })).to.equal('token: play-made\n');
      const again = await play(['vault', 'encrypt', 'mine.yml', '--vault-id', 'prod@pw']);
      expect(again.code).to.equal(2);
      expect(again.stderr).to.include('already vault-encrypted');
    });

    it('decrypt and view open what ansible-vault encrypted; decrypt leaves no group or other permission', async () => {
      writeFileSync(join(dir, 'theirs.yml'), 'db: their-secret\n');
      await mustVault(['encrypt', '--vault-password-file', 'pw', 'theirs.yml'], { cwd: dir });
      chmodSync(join(dir, 'theirs.yml'), 0o644);
      const view = await play(['vault', 'view', 'theirs.yml', '--vault-password-file', 'pw']);
      expect(view.code, all(view)).to.equal(0);
      expect(view.stdout).to.equal('db: their-secret\n');
      const decrypt = await play(['vault', 'decrypt', 'theirs.yml', '--vault-password-file', 'pw']);
      expect(decrypt.code, all(decrypt)).to.equal(0);
      expect(readFileSync(join(dir, 'theirs.yml'), 'utf8')).to.equal('db: their-secret\n');
      expect(statSync(join(dir, 'theirs.yml')).mode & 0o777).to.equal(0o600);
      const wrong = await play(['vault', 'view', 'mine.yml', '--vault-password-file', 'wrong']);
      expect(wrong.code).to.equal(2);
      expect(wrong.stderr).to.match(/mine\.yml: decryption failed/);
    });

    it('encrypt_string reads the secret from stdin (never argv) and prints YAML that Ansible opens', async () => {
      const run = await play(['vault', 'encrypt_string', '--name', 'db_password', '--vault-id', 'prod@pw'], 'from-stdin-9z');
      expect(run.code, all(run)).to.equal(0);
      expect(run.stdout).to.match(/^db_password: !vault \|\n {10}\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
      writeFileSync(join(dir, 'es.yml'), run.stdout);
      const value = await ansibleDebug(dir, ['-e', '@es.yml', '--vault-id', 'prod@pw', '-a', 'var=db_password']);
      expect(value).to.include('"db_password": "from-stdin-9z"');
      const refused = await play(['vault', 'encrypt_string', 'on-the-command-line', '--vault-id', 'prod@pw'], '');
      expect(refused.code).to.equal(2);
      expect(refused.stderr).not.to.include('on-the-command-line');
    });
  });
});

function ansibleInventory(cwd: string, args: string[]): Promise<string> {
  return mustRunTool('ansible-inventory', args, { cwd });
}

function ansibleDebug(cwd: string, args: string[]): Promise<string> {
  return mustRunTool('ansible', ['localhost', '-m', 'debug', ...args], { cwd });
}
