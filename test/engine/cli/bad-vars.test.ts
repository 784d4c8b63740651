import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runPlay } from '../../helpers/run-play.js';

/**
 * The bad-input catalog for the real roles: every case exits 2 naming the file, line and key of
 * the bad value, and no ssh process is ever started (an `ssh` first on PATH records any call).
 * Addresses are documentation ranges: nothing connects to them.
 */
const HOSTS = `[lb]
lb1 ansible_host=192.0.2.11
lb2 ansible_host=192.0.2.12

[masters]
master1 ansible_host=192.0.2.21
master2 ansible_host=192.0.2.22
master3 ansible_host=192.0.2.23

[workers]
worker1 ansible_host=192.0.2.31
`;

const GOOD_VARS = `apiserver_vip: 192.0.2.10
apiserver_lb_port: 6443
apiserver_port: 6443
keepalived_router_id: 51
keepalived_auth_pass: secret12
keepalived_check: haproxy
haproxy_health_check: tcp
`;

interface Case {
  title: string;
  /** Appended to group_vars/all.yml: the bad key lands on a known line. */
  vars?: string;
  hosts?: string;
  args?: string[];
  playbook?: string;
  message: RegExp;
}

const VARS_LINE = GOOD_VARS.split('\n').length; // first appended line

const CASES: Case[] = [
  { title: 'missing VIP', vars: 'apiserver_vip: null\n', message: /apiserver_vip/ },
  { title: 'VIP not an address', vars: 'apiserver_vip: 192.0.2.300\n', message: new RegExp(`group_vars/all\\.yml:${VARS_LINE}: key 'apiserver_vip'`) },
  { title: 'VIP outside every LB subnet', vars: 'apiserver_vip: 198.51.100.10\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'apiserver_vip'.*does not contain lb1's address`) },
  { title: 'VIP equal to a host address', vars: 'apiserver_vip: 192.0.2.21\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'apiserver_vip'.*master1`) },
  { title: 'two hosts with one address', hosts: HOSTS.replace('192.0.2.22', '192.0.2.21'), message: /hosts\.ini:\d+: key 'ansible_host'.*192\.0\.2\.21/ },
  {
    title: 'two masters behind one forwarded loopback port',
    hosts: HOSTS.replace('master2 ansible_host=192.0.2.22', 'master2 ansible_host=127.0.0.1 ansible_port=2222').replace('master3 ansible_host=192.0.2.23', 'master3 ansible_host=127.0.0.1 ansible_port=2222'),
    message: /hosts\.ini:\d+: key 'ansible_host': hosts master2 and master3 are both reached at 127\.0\.0\.1:2222/,
  },
  { title: 'a template using an undefined variable', vars: 'keepalived_auth_pass: "{{ vault_keepalived_pass }}"\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'keepalived_auth_pass': its template uses 'vault_keepalived_pass', which is undefined`) },
  { title: 'a template rendering a bad value', vars: 'keepalived_router_id: "{{ 200 + 100 }}"\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'keepalived_router_id'`) },
  { title: 'router id 0', vars: 'keepalived_router_id: 0\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'keepalived_router_id'`) },
  { title: 'router id 256', vars: 'keepalived_router_id: 256\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'keepalived_router_id'`) },
  { title: 'auth_pass longer than 8', vars: 'keepalived_auth_pass: muchtoolongpass\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'keepalived_auth_pass'.*8`) },
  { title: 'lb port 0', vars: 'apiserver_lb_port: 0\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'apiserver_lb_port'`) },
  { title: 'backend port 70000', vars: 'apiserver_port: 70000\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'apiserver_port'`) },
  { title: 'port not a number', vars: 'apiserver_lb_port: https\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'apiserver_lb_port'`) },
  { title: 'unknown keepalived_check', vars: 'keepalived_check: ping\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'keepalived_check'`) },
  { title: 'unknown haproxy_health_check', vars: 'haproxy_health_check: icmp\n', message: new RegExp(`all\\.yml:${VARS_LINE}: key 'haproxy_health_check'`) },
  {
    title: 'haproxy on 6443 when stacked on masters',
    hosts: HOSTS.replace(/\[lb\][^[]*/, '[lb:children]\nmasters\n\n'),
    vars: 'apiserver_lb_port: 6443\n',
    message: /key 'apiserver_lb_port'.*6443/,
  },
  { title: 'a play whose group is empty', hosts: `${HOSTS}\n[empty]\n`, playbook: '- hosts: empty\n  roles: [common]\n', message: /p\.yml:1: .*'empty'.*(no host|empty)/ },
  { title: 'unknown group in a pattern', playbook: '- hosts: lbs\n  roles: [common]\n', message: /p\.yml:1.*lbs/ },
  { title: 'unknown role', playbook: '- hosts: lb\n  roles: [haproxi]\n', message: /p\.yml:2: key 'role': unknown role 'haproxi'/ },
  { title: 'YAML error in group_vars', vars: 'keepalived_vips: [a, b\n', message: /group_vars\/all\.yml:\d+(:\d+)?:.*YAML/ },
  { title: 'YAML error in the playbook', playbook: '- hosts: lb\n  roles: [common\n', message: /p\.yml:\d+:\d+: YAML syntax error/ },
  { title: 'bad -e', args: ['-e', 'keepalived_router_id'], message: /-e #1: word 1 is not key=value/ },
  { title: 'bad value through -e names -e', args: ['-e', 'keepalived_router_id=300'], message: /-e #1: key 'keepalived_router_id'/ },
  { title: 'INI syntax error', hosts: `${HOSTS}\n[broken\n`, message: /hosts\.ini:\d+/ },
  { title: 'bad ansible_port', hosts: HOSTS.replace('lb1 ansible_host=192.0.2.11', 'lb1 ansible_host=192.0.2.11 ansible_port=ssh'), message: /hosts\.ini:2: key 'ansible_port'/ },
  { title: 'unknown flag', args: ['--no-such-flag'], message: /Unknown argument/ },
  { title: 'bad serial', playbook: '- hosts: lb\n  serial: -1\n  roles: [common]\n', message: /p\.yml:2: key '0\.serial'/ },
  { title: 'tasks in a play', playbook: '- hosts: lb\n  tasks: []\n', message: /p\.yml:2: key '0\.tasks'.*not supported/ },
];

describe('bad-input catalog with the real roles', function () {
  this.timeout(30000);
  let dir: string;
  let marker: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-badvars-'));
    marker = join(dir, 'ssh-was-called');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\necho "$@" >> ${marker}\nexit 255\n`);
    chmodSync(join(dir, 'bin', 'ssh'), 0o755);
    env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}` };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => expect(existsSync(marker), 'an ssh process was started').to.equal(false));

  /** An inventory directory: hosts.ini and group_vars/all.yml; returns the hosts.ini path. */
  const inventory = (name: string, hosts: string, vars: string): string => {
    const inv = join(dir, name);
    mkdirSync(join(inv, 'group_vars'), { recursive: true });
    writeFileSync(join(inv, 'hosts.ini'), hosts);
    writeFileSync(join(inv, 'group_vars', 'all.yml'), vars);
    return join(inv, 'hosts.ini');
  };

  it(`holds at least 25 cases (${CASES.length})`, () => expect(CASES.length).to.be.at.least(25));

  CASES.forEach((c, i) => {
    it(`${c.title}: exit 2, names where`, async () => {
      const hosts = inventory(`inv${i}`, c.hosts ?? HOSTS, GOOD_VARS + (c.vars ?? ''));
      const playbook = join(dir, 'p.yml');
      writeFileSync(playbook, c.playbook ?? '- hosts: all\n  roles: [common]\n- hosts: lb\n  roles: [keepalived, haproxy]\n');
      const run = await runPlay(['p.yml', '-i', hosts, ...(c.args ?? [])], { cwd: dir, env });
      expect(run.code, run.stdout + run.stderr).to.equal(2);
      expect(run.stderr).to.match(c.message);
    });
  });

  it('the same inventory without a bad value passes --syntax-check (the catalog tests what it says)', async () => {
    const hosts = inventory('good', HOSTS, GOOD_VARS);
    writeFileSync(join(dir, 'good.yml'), '- hosts: all\n  roles: [common]\n- hosts: lb\n  roles: [keepalived, haproxy]\n');
    const run = await runPlay(['good.yml', '-i', hosts, '--syntax-check'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
  });

  it("an even number of masters is a warning, not an error: site.yml (kubeadm's play) prints it and exits 0", async () => {
    const site = join(REPO_ROOT, 'playbooks', 'site.yml');
    const warning = "[WARNING]: kubeadm: group 'masters' has 2 masters: etcd's quorum is 2, so 2 tolerate no more failures than 1; use an odd number";
    const even = inventory('even', HOSTS.replace('master3 ansible_host=192.0.2.23\n', ''), GOOD_VARS);
    const run = await runPlay([site, '-i', even, '--syntax-check'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr.split('\n').filter((l) => l.includes('masters'))).to.deep.equal([warning]);

    // Three masters: the same playbook says nothing (the warning is about the count).
    const quiet = await runPlay([site, '-i', inventory('odd', HOSTS, GOOD_VARS), '--syntax-check'], { cwd: dir, env });
    expect(quiet.code, quiet.stderr).to.equal(0);
    expect(quiet.stderr).not.to.include('WARNING');
  });
});
