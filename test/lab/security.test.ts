// Issue 13's acceptance on the lab, for what only real hosts show:
//
//   row 3 (ssh-trust): the masters' keys sit in play's marked block with from="<their address>",
//     which sshd really enforces (master1's key works from master1, not from worker1); after a
//     master leaves the inventory the next run takes its key out of the other masters'
//     authorized_keys and changes nothing else (lines added by hand stay); a rotated controller
//     key is taken back (the old key no longer logs in, the new one does);
//   row 18 (common's firewall): with firewall_enabled, the real ufw lets etcd (2379:2380) and the
//     kubelet (10250) in only from the masters, opens neither 10257 nor 10259 (seen with `ufw
//     status` and with real connections), and follows the masters when one leaves and comes back.
//
// State left behind: ssh-trust converged as inventories/lab says (no controller key, the lines
// this suite added by hand removed); ufw reset and inactive on every host; /etc/hosts as
// inventories/lab says.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLab } from './harness.js';
import { LAB } from './lab.js';
import { run } from './exec.js';
import { changedByHost, playJson, playOutput, sh, shAll } from './lb-helpers.js';
import { REPO_ROOT } from '../helpers/run-play.js';

const INVENTORY = 'inventories/lab';
const MASTERS = ['master1', 'master2', 'master3'];
const HOSTS = ['lb1', 'lb2', ...MASTERS, 'worker1', 'worker2'];
const ADDRESS: Record<string, string> = {
  lb1: '172.29.10.11', lb2: '172.29.10.12', master1: '172.29.10.21', master2: '172.29.10.22', master3: '172.29.10.23', worker1: '172.29.10.31', worker2: '172.29.10.32',
};
const AUTHORIZED_KEYS = '/root/.ssh/authorized_keys';
const AUTHORIZE_TASK = "ssh-trust : Authorize every master's key";

/** inventories/lab without master3 (host line and all), in a temp dir with its group_vars. */
function inventoryWithoutMaster3(dir: string): string {
  const copy = join(dir, 'lab-without-master3');
  cpSync(join(REPO_ROOT, INVENTORY), copy, { recursive: true });
  const hosts = readFileSync(join(copy, 'hosts'), 'utf8');
  const without = hosts.split('\n').filter((l) => !l.startsWith('master3 ')).join('\n');
  expect(without).not.to.equal(hosts);
  writeFileSync(join(copy, 'hosts'), without);
  return join(copy, 'hosts');
}

/** A fresh ed25519 key pair on the controller; returns the private key path (.pub beside it). */
function keyPair(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@controller`, '-f', path]);
  return path;
}

/** Can this private key log in as root on a host, from the controller? */
async function logsIn(key: string, host: string): Promise<boolean> {
  const r = await run('ssh', [
    '-F', '/dev/null', '-i', key, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${LAB.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', `root@${ADDRESS[host]}`, 'true',
  ], { timeoutMs: 30_000 });
  return r.code === 0;
}

/** Lines of a file that are in `after` but not `before`, and the reverse. */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { added: b.filter((l) => !a.includes(l)), removed: a.filter((l) => !b.includes(l)) };
}

/**
 * What a TCP connection from `from` to `to:port` meets: 'open' or 'refused' (the firewall let it
 * through), 'timeout' (ufw's default deny dropped it).
 */
async function tcpFrom(from: string, to: string, port: number): Promise<string> {
  const probe = `python3 -c 'import socket,sys
s=socket.socket(); s.settimeout(3)
try: s.connect(("${ADDRESS[to]}", ${port})); print("open")
except socket.timeout: print("timeout")
except ConnectionRefusedError: print("refused")'`;
  return (await sh(from, probe)).trim();
}

describeLab('issue 13: ssh-trust and firewall on the lab', function () {
  this.timeout(1_800_000);
  let dir: string;
  let reduced: string;
  let keyA: string;
  let keyB: string;
  let handLine: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-security-lab-'));
    reduced = inventoryWithoutMaster3(dir);
    keyA = keyPair(dir, 'controller-a');
    keyB = keyPair(dir, 'controller-b');
    handLine = readFileSync(`${keyPair(dir, 'by-hand')}.pub`, 'utf8').trim();
  });

  after(async () => {
    // Back to what inventories/lab says, whatever failed above.
    await shAll(HOSTS, 'if command -v ufw >/dev/null; then ufw --force reset >/dev/null; fi; true');
    await shAll(MASTERS, `sed -i '/by-hand@controller$/d' ${AUTHORIZED_KEYS}; rm -f /tmp/master1-key; true`);
    await shAll(['worker1'], 'rm -f /tmp/master1-key; true');
    const restore = await playJson('security: restore inventories/lab', ['playbooks/lb.yml', '-i', INVENTORY, '--tags', 'common,ssh-trust']);
    rmSync(dir, { recursive: true, force: true });
    expect(restore.run.code, playOutput(restore.run)).to.equal(0);
  });

  describe('row 3: authorized_keys is a marked block play converges', function () {
    let withA: Record<string, string>;

    it("authorizes every master and the controller key in play's block; from= holds for real", async () => {
      const first = await playJson('ssh-trust with controller key A', ['playbooks/lb.yml', '-i', INVENTORY, '--tags', 'ssh-trust', '-e', `ssh_trust_controller_key=${keyA}.pub`]);
      expect(first.run.code, playOutput(first.run)).to.equal(0);
      // A line added by hand, outside the block, on every master.
      await shAll(MASTERS, `echo '${handLine}' >> ${AUTHORIZED_KEYS}`);
      withA = await shAll(MASTERS, `cat ${AUTHORIZED_KEYS}`);
      for (const m of MASTERS) {
        expect(withA[m]).to.match(/^# BEGIN play ssh-trust/m);
        for (const other of MASTERS) expect(withA[m], `${m} authorizes ${other}`).to.match(new RegExp(`^from="${ADDRESS[other]!.replace(/\./g, '\\.')}" ssh-ed25519 \\S+ root@${other}$`, 'm'));
      }
      expect(await logsIn(keyA, 'master2')).to.equal(true);
      // master1's own key: it logs in to master2 from master1, but not from worker1.
      await sh('master1', `ssh -o BatchMode=yes -o ConnectTimeout=5 root@${ADDRESS.master2} true`);
      const privateKey = await sh('master1', 'cat /root/.ssh/id_ed25519');
      await sh('worker1', `umask 077; cat > /tmp/master1-key <<'EOF'\n${privateKey.trim()}\nEOF`);
      const stolen = await sh(
        'worker1',
        `ssh -i /tmp/master1-key -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 root@${ADDRESS.master2} true && echo in || echo refused`,
      );
      expect(stolen.trim(), "master1's key used from worker1").to.equal('refused');
      await sh('worker1', 'rm -f /tmp/master1-key');
    });

    it("after master3 leaves the inventory, the next run takes its key back and changes nothing else", async () => {
      const run2 = await playJson('ssh-trust without master3', ['playbooks/lb.yml', '-i', reduced, '--tags', 'ssh-trust', '-e', `ssh_trust_controller_key=${keyA}.pub`]);
      expect(run2.run.code, playOutput(run2.run)).to.equal(0);
      const changed = Object.fromEntries(Object.entries(changedByHost(run2.doc)).filter(([, tasks]) => tasks.length));
      expect(changed).to.deep.equal({ master1: [AUTHORIZE_TASK], master2: [AUTHORIZE_TASK] });
      const now = await shAll(['master1', 'master2'], `cat ${AUTHORIZED_KEYS}`);
      for (const m of ['master1', 'master2']) {
        const diff = lineDiff(withA[m]!, now[m]!);
        expect(diff.added, m).to.deep.equal([]);
        expect(diff.removed, m).to.have.length(1);
        expect(diff.removed[0], m).to.match(/ root@master3$/);
        expect(now[m], m).to.contain(handLine);
      }
      const again = await playJson('ssh-trust without master3, again', ['playbooks/lb.yml', '-i', reduced, '--tags', 'ssh-trust', '-e', `ssh_trust_controller_key=${keyA}.pub`]);
      expect(Object.values(changedByHost(again.doc)).flat()).to.deep.equal([]);
    });

    it('takes back a rotated controller key: the old one no longer logs in, the new one does', async () => {
      const before = await shAll(MASTERS, `cat ${AUTHORIZED_KEYS}`);
      const rotate = await playJson('ssh-trust with controller key B', ['playbooks/lb.yml', '-i', INVENTORY, '--tags', 'ssh-trust', '-e', `ssh_trust_controller_key=${keyB}.pub`]);
      expect(rotate.run.code, playOutput(rotate.run)).to.equal(0);
      const after = await shAll(MASTERS, `cat ${AUTHORIZED_KEYS}`);
      for (const m of ['master1', 'master2']) {
        const diff = lineDiff(before[m]!, after[m]!);
        // master3's key comes back (it is in inventories/lab), key A goes, key B comes.
        expect(diff.removed, m).to.deep.equal([readFileSync(`${keyA}.pub`, 'utf8').trim()]);
        expect(diff.added.sort(), m).to.deep.equal([readFileSync(`${keyB}.pub`, 'utf8').trim(), `from="${ADDRESS.master3}" ${(await sh('master3', 'cat /root/.ssh/id_ed25519.pub')).trim()}`].sort());
        expect(after[m], m).to.contain(handLine);
      }
      expect(await logsIn(keyA, 'master1'), 'the rotated-out key').to.equal(false);
      expect(await logsIn(keyB, 'master1'), 'the new key').to.equal(true);
    });
  });

  describe("row 18: ufw lets etcd and the kubelet in only from the masters", function () {
    const firewallRun = (label: string, inventory: string) =>
      playJson(label, ['playbooks/lb.yml', '-i', inventory, '--tags', 'common', '-e', 'firewall_enabled=true']);

    it('opens etcd and the kubelet to the masters only, and neither 10257 nor 10259 (ufw status and real connections)', async () => {
      const first = await firewallRun('firewall on', INVENTORY);
      expect(first.run.code, playOutput(first.run)).to.equal(0);
      const status = await shAll(['master1', 'worker1'], 'ufw status');
      console.log(`      [info] ufw status on master1:\n${status.master1!.replace(/^/gm, '        ')}`);
      expect(status.master1).to.match(/^Status: active/);
      const etcd = status.master1!.split('\n').filter((l) => l.startsWith('2379:2380/tcp'));
      expect(etcd.map((l) => l.split(/\s{2,}/)[2])).to.have.members([ADDRESS.master2, ADDRESS.master3]);
      expect(status.master1).not.to.match(/^(10257|10259)\b/m);
      expect(status.master1).not.to.match(/^(2379:2380|10250)\/tcp\s+ALLOW( IN)?\s+Anywhere/m);
      const kubelet = status.worker1!.split('\n').filter((l) => l.startsWith('10250/tcp'));
      expect(kubelet.map((l) => l.split(/\s{2,}/)[2])).to.have.members(MASTERS.map((m) => ADDRESS[m]));

      expect(await tcpFrom('master2', 'master1', 2379)).to.be.oneOf(['open', 'refused']);
      expect(await tcpFrom('worker1', 'master1', 2379), 'etcd from a worker').to.equal('timeout');
      expect(await tcpFrom('master2', 'master1', 10257), 'kube-controller-manager from a master').to.equal('timeout');
      expect(await tcpFrom('master2', 'master1', 10259), 'kube-scheduler from a master').to.equal('timeout');
      expect(await tcpFrom('master1', 'worker1', 10250)).to.be.oneOf(['open', 'refused']);
      expect(await tcpFrom('worker2', 'worker1', 10250), 'a kubelet from another worker').to.equal('timeout');

      const again = await firewallRun('firewall on, again', INVENTORY);
      expect(Object.values(changedByHost(again.doc)).flat()).to.deep.equal([]);
    });

    it('takes back the rules of a master that leaves, and gives them back when it returns', async () => {
      const leave = await firewallRun('firewall without master3', reduced);
      expect(leave.run.code, playOutput(leave.run)).to.equal(0);
      const status = await shAll(['master1', 'master2', 'worker1', 'worker2'], 'ufw status');
      for (const [host, text] of Object.entries(status)) expect(text, host).not.to.contain(ADDRESS.master3);
      expect(await tcpFrom('master3', 'master1', 2379), 'etcd from the master that left').to.equal('timeout');
      expect(await tcpFrom('master2', 'master1', 2379)).to.be.oneOf(['open', 'refused']);

      const back = await firewallRun('firewall with master3 again', INVENTORY);
      expect(back.run.code, playOutput(back.run)).to.equal(0);
      expect(await tcpFrom('master3', 'master1', 2379)).to.be.oneOf(['open', 'refused']);
    });
  });
});
