// Issue 11 (items 3 and 4) on the lab: the whole cluster built through a non-root login, with
// the real sudo and OpenSSH:
//   - `debian` (passwordless sudo): `-u debian -b`, as before this issue;
//   - `deploy` (sudo asks a password): `-u deploy -b -K`, the password fed from a pipe, while a
//     sampler reads every process's argv on the controller and on the masters every 50 ms;
//   - `deploy` again with ansible_become_password (and keepalived_auth_pass) from a
//     vault-encrypted group_vars/all/vault.yml plus an inline !vault value, --vault-password-file.
// A wrong password fails the host with "incorrect sudo password". No output (-vvv, --diff,
// --json) holds the sudo password, the vault password or a decrypted value, and no argv did.
//
// State: starts and ends with reset.yml (as root) on every lab host, like cluster.test.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runPlay, parseJsonReport, type PlayRun } from '../helpers/run-play.js';
import { encryptString, mustVault } from '../engine/vault/helpers/ansible-vault.js';
import { sampleLocal, sampleRemote, type SamplerReport } from './argv-sampler.js';
import { expectReady } from './cluster-helpers.js';
import { describeLab } from './harness.js';
import { labHosts } from './lab.js';
import { LAB_USERS, labSudoPassword } from './lab-users.js';
import { changedByHost, measure, playOutput, sh } from './lb-helpers.js';

const NODES = ['master1', 'master2', 'master3', 'worker1', 'worker2'];
const MASTERS = ['master1', 'master2', 'master3'];
const DEFAULT_HOSTS = ['lb1', 'lb2', ...NODES];

/** Every byte every play run of this suite printed, for the secrets check. */
const outputs: string[] = [];

async function play(label: string, args: string[], input?: string): Promise<PlayRun> {
  const started = Date.now();
  const run = await runPlay(args, { input });
  measure(label, ((Date.now() - started) / 1000).toFixed(1), 's');
  outputs.push(run.stdout, run.stderr);
  return run;
}

/**
 * A copy of inventories/lab (hosts and group_vars) that logs in as `user`, plus any host the lab
 * gained (worker3, master4); `edit` changes the copy (vault files) before it is used.
 */
async function labInventory(user: string, edit: (dir: string) => Promise<void> = async () => undefined): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `play-become-${user}-`));
  cpSync(join(REPO_ROOT, 'inventories/lab/group_vars'), join(dir, 'group_vars'), { recursive: true });
  let ini = readFileSync(join(REPO_ROOT, 'inventories/lab/hosts'), 'utf8').replace(/^ansible_user=root$/m, `ansible_user=${user}`);
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
  const keepalivedPass = randomBytes(6).toString('base64url').slice(0, 8);
  const samplers: SamplerReport[] = [];
  const canary = `canary-${randomBytes(9).toString('hex')}`;
  const dirs: string[] = [];

  before(async function () {
    this.timeout(600_000);
    sudoPassword = await labSudoPassword();
    for (const m of MASTERS) await sh(m, 'systemctl stop fake-apiserver 2>/dev/null; systemctl reset-failed fake-apiserver 2>/dev/null; true');
    await resetAll();
    for (const user of Object.values(LAB_USERS)) await sh('master1', `rm -rf /home/${user}/.kube`);
  });

  after(async function () {
    this.timeout(600_000);
    await resetAll();
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

  it('ansible_become_password and keepalived_auth_pass from vault (whole file and inline) build the cluster again', async function () {
    this.timeout(900_000);
    await resetAll();
    // The password file lives outside the inventory folder (every file in there is an inventory source).
    const secrets = mkdtempSync(join(tmpdir(), 'play-become-vault-'));
    dirs.push(secrets);
    const passFile = join(secrets, 'vault-pass');
    writeFileSync(passFile, `${vaultPassword}\n`, { mode: 0o600 });
    const inventory = await labInventory(LAB_USERS.passwordSudo, async (dir) => {
      // group_vars/all/ as a folder: the lab's vars without the password, and vault.yml.
      const plain = readFileSync(join(dir, 'group_vars/all.yml'), 'utf8').replace(/^keepalived_auth_pass: .*$/m, '');
      rmSync(join(dir, 'group_vars/all.yml'));
      mkdirSync(join(dir, 'group_vars/all'));
      writeFileSync(join(dir, 'group_vars/all/main.yml'), plain);
      writeFileSync(join(dir, 'group_vars/all/vault.yml'), `keepalived_auth_pass: "${keepalivedPass}"\nansible_become_password: "${sudoPassword}"\n`);
      await mustVault(['encrypt', '--vault-password-file', passFile, 'group_vars/all/vault.yml'], { cwd: dir });
      // The masters' password as an inline value too (it wins over group all's).
      writeFileSync(join(dir, 'group_vars/masters.yml'), `${await encryptString(dir, sudoPassword, 'ansible_become_password', ['--vault-id', `lab@${passFile}`])}\n`);
    });
    dirs.push(inventory);
    const args = ['site.yml', '-i', inventory, '-b', '--vault-password-file', passFile];
    const run = await play('build as deploy (ansible_become_password from vault, -vvv --diff)', [...args, '-vvv', '--diff']);
    expect(run.code, playOutput(run)).to.equal(0);
    await expectReady(await clusterNodes(), 'containerd://');
    await expectAdminKubeconfig(LAB_USERS.passwordSudo);
    // Read here, not grepped there: the value must not enter an argv on the host either.
    expect((await sh('lb1', 'cat /etc/keepalived/keepalived.conf')).includes(`auth_pass ${keepalivedPass}\n`), 'the vault value in keepalived.conf').to.equal(true);
    const again = await play('second run, --json', [...args, '--json']);
    expect(again.code, playOutput(again)).to.equal(0);
    expect(changedByHost(parseJsonReport(again))).to.deep.equal(Object.fromEntries((await inventoryHosts()).map((h) => [h, []])));
  });

  it('a wrong sudo password fails the host with "incorrect sudo password", exit 2, no hang', async function () {
    const inventory = await labInventory(LAB_USERS.passwordSudo);
    dirs.push(inventory);
    const run = await play('wrong -K password', ['site.yml', '-i', inventory, '-b', '-K', '--limit', 'lb1', '--json'], 'not-the-password\n');
    expect(run.code, playOutput(run)).to.equal(2);
    const failed = parseJsonReport(run).hosts.lb1!.tasks.find((t) => t.status === 'failed');
    expect(failed?.error).to.equal('lb1: incorrect sudo password');
  });

  it('no output held the sudo password, the vault password or a decrypted value', function () {
    const all = outputs.join('\n');
    measure('output bytes searched for passwords', all.length);
    expect(all.length).to.be.greaterThan(10_000);
    expect(all.includes(sudoPassword), 'the sudo password was printed').to.equal(false);
    expect(all.includes(vaultPassword), 'the vault password was printed').to.equal(false);
    expect(all.includes(keepalivedPass), 'the vault-encrypted keepalived password was printed').to.equal(false);
    expect(all.includes('not-the-password'), 'the wrong password was printed').to.equal(false);
  });
});
