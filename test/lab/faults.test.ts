// Issue 6: faults. Hosts that are down before a run, hosts that die mid-run, a connection cut
// during a task, and a config its validator rejects. play must report, survive, and converge.
import { expect } from 'chai';
import { describeLab } from './harness.js';
import { labResetHost, labSsh, labStartHost, labStopHost } from './lab.js';
import { measure, playJson, playOutput, pollUntil, sh, sleep } from './lb-helpers.js';
import { runPlay } from '../helpers/run-play.js';

const INVENTORY = 'inventories/lab';
const LB = 'lb.yml';
const OTHERS = ['lb1', 'master1', 'master2', 'master3', 'worker1', 'worker2'];

async function waitForSsh(host: string): Promise<void> {
  await pollUntil(`${host} to answer ssh`, async () => ((await labSsh(host, 'systemctl is-system-running --wait', { timeoutMs: 60_000 })).code === 0 ? true : undefined), {
    timeoutMs: 120_000,
    intervalMs: 1000,
  });
}

/** Temp files of play's atomic writes anywhere on the host's own file system: a half-finished write. */
async function leftoverTemps(host: string): Promise<string> {
  return (await sh(host, "find / -xdev -name '.*.play-??????' 2>/dev/null || true")).trim();
}

describeLab('issue 6: faults on the lab', function () {
  this.timeout(1_800_000);
  let survived = 0;

  before(async () => {
    const first = await playJson('faults: converge lb.yml', [LB, '-i', INVENTORY]);
    expect(first.run.code, playOutput(first.run)).to.equal(0);
  });
  after(() => measure('faults survived', survived));

  it('a host stopped before the run: UNREACHABLE, exit 4, the others complete; converges when back', async () => {
    await labStopHost('lb2');
    try {
      const run = await playJson('faults: lb.yml with lb2 stopped', [LB, '-i', INVENTORY, '-T', '3']);
      expect(run.run.code, playOutput(run.run)).to.equal(4);
      expect(run.doc.hosts.lb2!.stats.unreachable).to.equal(1);
      for (const host of OTHERS) {
        const stats = run.doc.hosts[host]!.stats;
        expect((stats.failed ?? 0) + (stats.unreachable ?? 0), host).to.equal(0);
      }
    } finally {
      await labStartHost('lb2');
    }
    await waitForSsh('lb2');
    const again = await playJson('faults: lb.yml after lb2 is back', [LB, '-i', INVENTORY]);
    expect(again.run.code, playOutput(again.run)).to.equal(0);
    survived++;
  });

  it('a host killed mid-run: UNREACHABLE, exit 4, no half-written file, converges after it returns', async () => {
    await labResetHost('lb2');
    await waitForSsh('lb2');
    const running = runPlay([LB, '-i', INVENTORY, '--json']);
    // A fresh host spends seconds installing packages: power it off in the middle of that.
    await sleep(2500);
    await labStopHost('lb2');
    const run = await running;
    expect(run.code, playOutput(run)).to.equal(4);
    for (const host of OTHERS) expect(await leftoverTemps(host), `temp files on ${host}`).to.equal('');
    await labStartHost('lb2');
    await waitForSsh('lb2');
    // The powered-off host itself: the write it was in (if any) took its temp file with it.
    expect(await leftoverTemps('lb2'), 'temp files on lb2 after its power cut').to.equal('');
    // Whatever landed before the power cut is whole: haproxy/keepalived configs are absent or valid.
    const configs = await sh('lb2', 'for f in /etc/haproxy/haproxy.cfg /etc/keepalived/keepalived.conf; do [ -e $f ] && echo $f; done; true');
    if (configs.includes('haproxy.cfg')) await sh('lb2', 'haproxy -c -q -f /etc/haproxy/haproxy.cfg');
    const again = await playJson('faults: lb.yml after the killed host returns', [LB, '-i', INVENTORY]);
    expect(again.run.code, playOutput(again.run)).to.equal(0);
    const steady = await playJson('faults: next run', [LB, '-i', INVENTORY]);
    expect(Object.values(steady.doc.hosts).every((h) => h.stats.changed === 0), 'converged').to.equal(true);
    survived++;
  });

  it('a connection cut during a task: the task fails cleanly, naming host and task', async () => {
    await labResetHost('lb2');
    await waitForSsh('lb2');
    const running = runPlay([LB, '-i', INVENTORY]);
    await sleep(2500);
    // Kill every ssh session on lb2 (also this one): the run's connection drops mid-task.
    await labSsh('lb2', "pkill -KILL -f 'sshd: root@' || true");
    const run = await running;
    expect([2, 4], run.stdout).to.include(run.code);
    expect(run.stdout).to.match(/(unreachable|fatal): \[lb2\] [a-z-]+ : .+ => /);
    const again = await playJson('faults: lb.yml after the cut', [LB, '-i', INVENTORY]);
    expect(again.run.code, playOutput(again.run)).to.equal(0);
    survived++;
  });

  it("a config its validator rejects: the old file stays, the service runs, the task fails with the validator's message", async () => {
    const before = await sh('lb1', 'sha256sum /etc/haproxy/haproxy.cfg');
    // haproxy -c resolves `user haproxy`: without that user every config is rejected.
    await sh('lb1', "sed -i 's/^haproxy:/haproxx:/' /etc/passwd /etc/group /etc/shadow");
    try {
      const run = await playJson('faults: lb.yml with a config haproxy -c rejects', [LB, '-i', INVENTORY, '--limit', 'lb1', '-e', 'haproxy_inter=7s']);
      expect(run.run.code).to.equal(2);
      const failed = run.doc.hosts.lb1!.tasks.find((t) => t.status === 'failed');
      expect(failed?.task).to.equal('Write haproxy.cfg');
      expect(failed?.error).to.match(/haproxy/i);
      expect(await sh('lb1', 'sha256sum /etc/haproxy/haproxy.cfg')).to.equal(before);
      expect((await sh('lb1', 'systemctl is-active haproxy')).trim()).to.equal('active');
      expect(await leftoverTemps('lb1')).to.equal('');
    } finally {
      await sh('lb1', "sed -i 's/^haproxx:/haproxy:/' /etc/passwd /etc/group /etc/shadow");
    }
    survived++;
  });
});
