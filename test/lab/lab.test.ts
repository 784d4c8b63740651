// Integration tests of the local lab itself: the hosts are real (systemd up, ssh with strict host
// key checking, no route out, apt from the lab repository only) and keepalived's VRRP really
// moves a VIP between two of them.
import { expect } from 'chai';
import { describeLab } from './harness.js';
import { STANDIN_SETTINGS } from './constants.js';
import { LAB, labHosts, labSsh, type RunResult } from './lab.js';
import { run } from './exec.js';

async function ok(host: string, command: string): Promise<string> {
  const r: RunResult = await labSsh(host, command);
  if (r.code !== 0) throw new Error(`${host}: \`${command}\` exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

describeLab('lab: hosts', () => {
  it('every host is running systemd, reached with the lab key and strict host key checking', async () => {
    const hosts = await labHosts();
    expect(hosts.map((h) => h.name)).to.include.members(['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1', 'worker2']);
    const states = await Promise.all(hosts.map(async (h) => [h.name, (await labSsh(h.name, 'systemctl is-system-running')).stdout.trim()]));
    for (const [name, state] of states) expect(state, `${name}`).to.equal('running');
  });

  it('refuses a host whose key is not in known_hosts (checking is really on)', async () => {
    const r = await run('ssh', [
      '-F', '/dev/null', '-i', LAB.keyPath, '-o', 'BatchMode=yes', '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'StrictHostKeyChecking=yes', 'root@172.29.10.11', 'true',
    ]);
    expect(r.code).to.equal(255);
    expect(r.stderr).to.match(/Host key verification failed/);
  });

  it('hosts have no default route: only the lab subnet on host0', async () => {
    await Promise.all((await labHosts()).map(async (host) => {
      expect(await ok(host.name, 'ip route show default; ip -6 route show default'), host.name).to.equal('');
      expect(await ok(host.name, 'ip -4 route show dev host0'), host.name).to.match(/^172\.29\.10\.0\/24 proto kernel .*\n$/);
      // a route lookup only: nothing is sent
      const lookup = await labSsh(host.name, 'ip route get 192.0.2.1');
      expect(lookup.code, host.name).to.not.equal(0);
      expect(lookup.stderr, host.name).to.match(/unreachable/i);
    }));
  });

  it('apt on a host sees only the lab repository', async () => {
    await ok('worker1', 'apt-get update -q');
    const policy = await ok('worker1', 'apt-cache policy');
    const sources = policy.split('\n').filter((line) => /^\s+\d+ (https?|ftp|file|cdrom):/.test(line));
    expect(sources.length).to.be.greaterThan(0);
    // roles may add the lab's pkgs.k8s.io-like repositories; every source must be the lab server
    for (const line of sources) expect(line.trim()).to.match(new RegExp(`^\\d+ ${LAB.repoUrl.replace(/\./g, '\\.')}/`));
    expect(policy).to.contain(`${LAB.debianRepoUrl} ./`);
    expect(await ok('worker1', 'apt-cache policy keepalived')).to.match(/Candidate: 1:2\./);
  });

  it('shares no folder between hosts: each reads its own stand-in settings, which keep the cluster in etcd', async () => {
    const token = `t${Date.now()}`;
    await ok('master1', `mkdir -p ${LAB.clusterMountPoint} && echo ${token} > ${LAB.clusterMountPoint}/lab-test-token`);
    expect((await ok('master2', `cat ${LAB.clusterMountPoint}/lab-test-token 2>/dev/null || true`)).trim()).to.equal('');
    await ok('master1', `rm -f ${LAB.clusterMountPoint}/lab-test-token`);
    for (const host of await labHosts()) {
      expect(JSON.parse(await ok(host.name, `cat ${LAB.standinSettingsPath}`)), host.name).to.deep.equal(STANDIN_SETTINGS);
      // what the controller mounts into a host is the host's own (its runtimes' data dirs), nothing shared
      const fromLab = (await ok(host.name, 'findmnt -rn -o TARGET,SOURCE')).split('\n').filter((l) => l.includes(LAB.stateDir));
      expect(fromLab.filter((l) => !l.includes(`${LAB.hostsDir}/${host.name}/`)), host.name).to.deep.equal([]);
    }
  });
});

const VIP = LAB.vip;

function keepalivedConf(name: string, priority: number): string {
  return `# lab test: VRRP only
global_defs {
  router_id lab_test_${name}
}
vrrp_instance LAB_TEST {
  state BACKUP
  interface host0
  virtual_router_id 42
  priority ${priority}
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass labtest1
  }
  virtual_ipaddress {
    ${VIP}/24 dev host0
  }
}
`;
}

async function hasVip(host: string): Promise<boolean> {
  return (await ok(host, 'ip -o -4 addr show dev host0')).includes(` ${VIP}/`);
}

async function waitVipOn(host: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await hasVip(host))) {
    if (Date.now() > deadline) throw new Error(`VIP ${VIP} not on ${host} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeLab('lab: keepalived VRRP between lb1 and lb2', () => {
  const lbs = ['lb1', 'lb2'] as const;

  before(async function () {
    this.timeout(10 * 60_000);
    await Promise.all(lbs.map((h) => ok(h, 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q keepalived')));
    await Promise.all(lbs.map(async (h, i) => {
      const r = await labSsh(h, 'cat > /etc/keepalived/keepalived.conf', { input: keepalivedConf(h, i === 0 ? 150 : 100) });
      expect(r.code).to.equal(0);
    }));
  });

  after(async function () {
    this.timeout(5 * 60_000);
    await Promise.all(lbs.map((h) => labSsh(h, [
      'sh', '-c',
      `systemctl stop keepalived; ip addr del ${VIP}/24 dev host0 2>/dev/null; rm -f /etc/keepalived/keepalived.conf; ` +
        'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q keepalived && apt-get autoremove -y -q --purge',
    ])));
  });

  it('puts the VIP on exactly one host: lb1, the higher priority', async () => {
    await Promise.all(lbs.map((h) => ok(h, 'systemctl restart keepalived')));
    await waitVipOn('lb1', 20_000);
    await new Promise((r) => setTimeout(r, 1500)); // a second MASTER would show within one advert
    expect(await hasVip('lb1')).to.equal(true);
    expect(await hasVip('lb2')).to.equal(false);
  });

  it('moves the VIP to lb2 within 5 s when keepalived stops on lb1', async () => {
    // lb2 watches for the VIP itself and reports when it appeared (the hosts share the kernel's
    // clock, so lb1's and lb2's timestamps compare directly)
    const watcher = labSsh('lb2', `for i in $(seq 200); do ip -o -4 addr show dev host0 | grep -q ' ${VIP}/' && { date +%s%N; exit 0; }; sleep 0.05; done; exit 1`);
    await new Promise((r) => setTimeout(r, 500)); // let the watcher start
    const stopped = await ok('lb1', 'date +%s%N; systemctl stop keepalived');
    const seen = await watcher;
    expect(seen.code, 'VIP never reached lb2 within 10 s').to.equal(0);
    const failoverMs = (Number(BigInt(seen.stdout.trim()) - BigInt(stopped.trim().split('\n')[0] ?? '0')) / 1e6);
    process.stderr.write(`      VRRP failover lb1 -> lb2: ${failoverMs.toFixed(0)} ms\n`);
    expect(failoverMs).to.be.lessThan(5000);
    expect(await hasVip('lb1')).to.equal(false);
    expect(await hasVip('lb2')).to.equal(true);
  });
});
