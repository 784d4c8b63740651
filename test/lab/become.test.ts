// Issue 11 (items 3 and 4, and the acceptance) on the lab: the whole cluster built through a
// non-root login, with the real sudo and OpenSSH:
//   - `debian` (passwordless sudo): `-u debian -b`, as before this issue;
//   - `deploy` (sudo asks a password): `-u deploy -b -K`, the password fed from a pipe, while a
//     sampler reads every process's argv on the controller and on the masters every 50 ms;
//   - `deploy` again with inventories/lab-vault as committed (Jinja2 references with hostvars and
//     groups, keepalived_auth_pass from the vault-encrypted group_vars/all/vault.yml) plus what
//     the test adds: ansible_become_password in a second encrypted file and as an inline !vault
//     value, --vault-password-file twice (the lab's example password and the test's own). The same
//     run applies the demo fixture role on lb1 with a vault value in a short secret file (a write
//     whose base64 payload is short enough for -vvv to have shown it whole).
// A wrong password fails the host with "incorrect sudo password". No output (-vvv, --diff,
// --json) holds the sudo password, a vault password or a decrypted value, as is, JSON-escaped,
// shell-quoted or base64-encoded (secret-forms.ts), and no argv held the sudo password.
//
// State: starts and ends with reset.yml (as root) on every lab host, like cluster.test.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, REPO_ROOT, runPlay, parseJsonReport, type PlayRun } from '../helpers/run-play.js';
import { load } from 'js-yaml';
import { encryptString, mustVault } from '../engine/vault/helpers/ansible-vault.js';
import { sampleLocal, sampleRemote, type SamplerReport } from './argv-sampler.js';
import { expectReady } from './cluster-helpers.js';
import { describeLab } from './harness.js';
import { labHosts } from './lab.js';
import { LAB_USERS, labSudoPassword } from './lab-users.js';
import { changedByHost, measure, playOutput, sh } from './lb-helpers.js';
import { expectNoSecrets } from './secret-forms.js';

const NODES = ['master1', 'master2', 'master3', 'worker1', 'worker2'];
const MASTERS = ['master1', 'master2', 'master3'];
const DEFAULT_HOSTS = ['lb1', 'lb2', ...NODES];
/** The lab's example vault password (public, lab only) that opens inventories/lab-vault. */
const LAB_VAULT_PASS = join(REPO_ROOT, 'inventories/lab-vault.pass');
/** Where the demo fixture role writes its short secret file on lb1. */
const PROBE_DIR = '/var/tmp/play-become-probe';

/** Every byte every play run of this suite printed, for the secrets check. */
const outputs: string[] = [];

async function play(label: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<PlayRun> {
  const started = Date.now();
  const run = await runPlay(args, { input, env });
  measure(label, ((Date.now() - started) / 1000).toFixed(1), 's');
  outputs.push(run.stdout, run.stderr);
  return run;
}

/**
 * A copy of an inventory of the lab (inventories/lab, or `base`: its hosts file and group_vars)
 * that logs in as `user`, plus any host the lab gained (worker3, master4); `edit` changes the
 * copy (vault files) before it is used.
 */
async function labInventory(user: string, edit: (dir: string) => Promise<void> = async () => undefined, base = 'inventories/lab'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `play-become-${user}-`));
  cpSync(join(REPO_ROOT, base, 'group_vars'), join(dir, 'group_vars'), { recursive: true });
  let ini = readFileSync(join(REPO_ROOT, base, 'hosts'), 'utf8').replace(/^ansible_user=root$/m, `ansible_user=${user}`);
  for (const h of (await labHosts()).filter((x) => !DEFAULT_HOSTS.includes(x.name))) {
    ini = ini.replace(new RegExp(`^\\[${h.group}\\]\\n((?:[^\\[\\n].*\\n)*)`, 'm'), (block) => `${block}${h.name} ansible_host=${h.address}\n`);
  }
  writeFileSync(join(dir, 'hosts'), ini);
  await edit(dir);
  return dir;
}

/** The nodes a build through labInventory makes: the default ones plus any master or worker the lab gained. */
async function clusterNodes(): Promise<string[]> {
  const gained = (await labHosts()).filter((h) => !DEFAULT_HOSTS.includes(h.name) && (h.group === 'masters' || h.group === 'workers'));
  return [...NODES, ...gained.map((h) => h.name)];
}

/** Every host of a labInventory: labInventory adds every host the lab has beyond the defaults. */
async function inventoryHosts(): Promise<string[]> {
  return (await labHosts()).map((h) => h.name);
}

async function resetAll(): Promise<void> {
  const run = await play('reset.yml as root', ['reset.yml', '-i', await labInventory('root'), '-e', 'reset_confirm=yes', '--json']);
  expect(run.code, playOutput(run)).to.equal(0);
}

/** The kubeconfig the kubeadm role gives kube_admin_user (= the login user) on every master. */
async function expectAdminKubeconfig(user: string): Promise<void> {
  for (const m of MASTERS) {
    expect(await sh(m, `stat -c '%U %a' /home/${user}/.kube/config`), `${m}: ~${user}/.kube/config`).to.equal(`${user} 600\n`);
  }
}

describeLab('issue 11: the cluster built through a sudo user (passwordless, -K, vault)', function () {
  let sudoPassword: string;
  const vaultPassword = `vault-${randomBytes(9).toString('base64url')}`;
  /** Written by the demo role into a 0600 file of ~20 bytes: its base64 is a short blob. */
  const probeSecret = `probe-${randomBytes(6).toString('base64url')}`;
  /** Every value decrypted from inventories/lab-vault's committed vault.yml (read by the real ansible-vault). */
  let labVaultValues: string[] = [];
  const samplers: SamplerReport[] = [];
  const canary = `canary-${randomBytes(9).toString('hex')}`;
  const dirs: string[] = [];

  before(async function () {
    this.timeout(600_000);
    sudoPassword = await labSudoPassword();
    // ansibleTool leaves its empty ansible.cfg in cwd: a temp folder, not the clone.
    const scratch = mkdtempSync(join(tmpdir(), 'play-become-view-'));
    dirs.push(scratch);
    const vaultYml = await mustVault(['view', '--vault-password-file', LAB_VAULT_PASS, join(REPO_ROOT, 'inventories/lab-vault/group_vars/all/vault.yml')], { cwd: scratch });
    labVaultValues = Object.values(load(vaultYml) as Record<string, unknown>).map(String);
    for (const m of MASTERS) await sh(m, 'systemctl stop fake-apiserver 2>/dev/null; systemctl reset-failed fake-apiserver 2>/dev/null; true');
    await resetAll();
    for (const user of Object.values(LAB_USERS)) await sh('master1', `rm -rf /home/${user}/.kube`);
  });

  after(async function () {
    this.timeout(600_000);
    await resetAll();
    await sh('lb1', `rm -rf ${PROBE_DIR}`);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('-u debian -b (passwordless sudo) builds the cluster as before', async function () {
    this.timeout(900_000);
    const inventory = await labInventory(LAB_USERS.passwordlessSudo);
    dirs.push(inventory);
    const run = await play('build as debian (-b, no password)', ['site.yml', '-i', inventory, '-u', LAB_USERS.passwordlessSudo, '-b']);
    expect(run.code, playOutput(run)).to.equal(0);
    await expectReady(await clusterNodes(), 'containerd://');
    await expectAdminKubeconfig(LAB_USERS.passwordlessSudo);
  });

  it('-u deploy -b -K from a pipe builds the cluster; the password is in no argv on the controller or the masters', async function () {
    this.timeout(900_000);
    await resetAll();
    const inventory = await labInventory(LAB_USERS.passwordSudo);
    dirs.push(inventory);
    const needles = [canary, sudoPassword];
    const local = sampleLocal(needles);
    const remote = await Promise.all(MASTERS.map((m) => sampleRemote(m, needles)));
    let run: PlayRun;
    try {
      // The samplers must see a canary in an argv (both here and on a master): they can fail.
      await new Promise<void>((resolve) => spawn('sh', ['-c', 'sleep 0.5', canary], { stdio: 'ignore' }).on('close', () => resolve()));
      await sh('master1', `sh -c 'sleep 0.5' ${canary}`);
      run = await play('build as deploy (-b -K, password from a pipe, -vvv --diff)', ['site.yml', '-i', inventory, '-u', LAB_USERS.passwordSudo, '-b', '-K', '-vvv', '--diff'], `${sudoPassword}\n`);
    } finally {
      samplers.push(await local.stop(), ...(await Promise.all(remote.map((r) => r.stop()))));
    }
    expect(run.code, playOutput(run)).to.equal(0);
    await expectReady(await clusterNodes(), 'containerd://');
    await expectAdminKubeconfig(LAB_USERS.passwordSudo);
    expect(run.stdout).to.include('<kubeadm join: hidden, holds secrets>');
    for (const report of samplers) {
      measure(`argv samples on ${report.where}`, report.samples);
      expect(report.samples, report.where).to.be.greaterThan(20);
      expect(report.hits.filter((h) => h.needle === 1), `${report.where}: the sudo password in an argv`).to.deep.equal([]);
    }
    expect(samplers.find((r) => r.where === 'controller')!.hits.some((h) => h.needle === 0), 'the controller sampler saw the canary').to.equal(true);
    expect(samplers.find((r) => r.where === 'master1')!.hits.some((h) => h.needle === 0), 'the master1 sampler saw the canary').to.equal(true);
  });

  it('inventories/lab-vault (Jinja2 with hostvars/groups, vault.yml, inline !vault) builds the cluster with --vault-password-file', async function () {
    this.timeout(900_000);
    await resetAll();
    // The test's own password file lives outside the inventory folder (every file in there is an inventory source).
    const secrets = mkdtempSync(join(tmpdir(), 'play-become-vault-'));
    dirs.push(secrets);
    const passFile = join(secrets, 'vault-pass');
    writeFileSync(passFile, `${vaultPassword}\n`, { mode: 0o600 });
    const inventory = await labInventory(
      LAB_USERS.passwordSudo,
      async (dir) => {
        // Beside the committed vault.yml: deploy's password and the probe's value, encrypted as a whole (vault id test)...
        writeFileSync(join(dir, 'group_vars/all/become.yml'), `ansible_become_password: "${sudoPassword}"\nvault_probe_secret: "${probeSecret}"\n`);
        await mustVault(['encrypt', '--vault-id', `test@${passFile}`, 'group_vars/all/become.yml'], { cwd: dir });
        // ...and the masters' password as an inline value too (it wins over group all's).
        writeFileSync(join(dir, 'group_vars/masters.yml'), `${await encryptString(dir, sudoPassword, 'ansible_become_password', ['--vault-id', `test@${passFile}`])}\n`);
      },
      'inventories/lab-vault',
    );
    dirs.push(inventory);
    const probe = join(secrets, 'probe.yml');
    writeFileSync(probe, `- hosts: lb1\n  vars:\n    demo_dir: ${PROBE_DIR}\n    demo_password: "{{ vault_probe_secret }}"\n  roles: [demo]\n`);
    const args = ['site.yml', probe, '-i', inventory, '-b', '--vault-password-file', LAB_VAULT_PASS, '--vault-password-file', passFile];
    const env = { PLAY_ROLES_PATH: FIXTURE_ROLES };
    const run = await play('build as deploy with inventories/lab-vault (ansible_become_password from vault, -vvv --diff)', [...args, '-vvv', '--diff'], undefined, env);
    expect(run.code, playOutput(run)).to.equal(0);
    await expectReady(await clusterNodes(), 'containerd://');
    await expectAdminKubeconfig(LAB_USERS.passwordSudo);
    // Read here, not grepped there: a value must not enter an argv on the host either.
    const keepalivedConf = await sh('lb1', 'cat /etc/keepalived/keepalived.conf');
    expect(labVaultValues.some((v) => keepalivedConf.includes(`auth_pass ${v}\n`)), 'a vault.yml value is keepalived.conf’s auth_pass').to.equal(true);
    expect(await sh('lb1', `cat ${PROBE_DIR}/secret.conf`) === `password=${probeSecret}\n`, 'the probe wrote the vault value').to.equal(true);
    const again = await play('second run, --json', [...args, '--json'], undefined, env);
    expect(again.code, playOutput(again)).to.equal(0);
    expect(changedByHost(parseJsonReport(again))).to.deep.equal(Object.fromEntries((await inventoryHosts()).map((h) => [h, []])));
    expectNoSecrets([run.stdout, run.stderr, again.stdout, again.stderr].join('\n'), [
      ...labVaultValues.map((v, i): [string, string] => [`vault.yml value #${i + 1}`, v]),
      ['the sudo password (ansible_become_password)', sudoPassword],
      ['the probe’s vault value (a short secret file)', probeSecret],
    ]);
  });

  it('a wrong sudo password fails the host with "incorrect sudo password", exit 2, no hang', async function () {
    const inventory = await labInventory(LAB_USERS.passwordSudo);
    dirs.push(inventory);
    const run = await play('wrong -K password', ['site.yml', '-i', inventory, '-b', '-K', '--limit', 'lb1', '--json'], 'not-the-password\n');
    expect(run.code, playOutput(run)).to.equal(2);
    const failed = parseJsonReport(run).hosts.lb1!.tasks.find((t) => t.status === 'failed');
    expect(failed?.error).to.equal('lb1: incorrect sudo password');
  });

  it('no output held the sudo password, a vault password or a decrypted value, in any form', function () {
    const all = outputs.join('\n');
    measure('output bytes searched for secrets (plain, JSON, shell-quoted, base64)', all.length);
    expect(all.length).to.be.greaterThan(10_000);
    expect(labVaultValues.length, 'values in inventories/lab-vault’s vault.yml').to.be.greaterThan(0);
    const labVaultPassword = readFileSync(LAB_VAULT_PASS, 'utf8').trim();
    const named: Array<[string, string]> = [
      ['the sudo password', sudoPassword],
      ['the test’s vault password', vaultPassword],
      ['the lab’s example vault password', labVaultPassword],
      ['the probe’s vault value (a short secret file)', probeSecret],
      ['the wrong -K password', 'not-the-password'],
      ...labVaultValues.map((v, i): [string, string] => [`vault.yml value #${i + 1}`, v]),
    ];
    expectNoSecrets(all, named);
  });
});
