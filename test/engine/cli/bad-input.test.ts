import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, runPlay } from '../../helpers/run-play.js';

/**
 * Bad input is refused before any host is contacted: exit 2, a message naming file, line and key.
 * An `ssh` earlier on PATH records any call, so the test sees if one was ever started.
 */
describe('bad input is refused before any host is contacted', function () {
  this.timeout(30000);
  let dir: string;
  let marker: string;
  let env: NodeJS.ProcessEnv;

  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-bad-'));
    marker = join(dir, 'ssh-was-called');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\necho "$@" >> ${marker}\nexit 255\n`);
    chmodSync(join(bin, 'ssh'), 0o755);
    env = { PATH: `${bin}:${process.env.PATH}`, PLAY_ROLES_PATH: FIXTURE_ROLES };
    write('hosts.ini', '[web]\nweb1 ansible_host=198.51.100.7 demo_dir=/tmp/x demo_password=xxxxxxxx\n');
    write('good.yml', '- hosts: web\n  roles: [demo]\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => expect(existsSync(marker), 'an ssh process was started').to.equal(false));

  const cases: Array<{ title: string; files?: Record<string, string>; args: string[]; message: RegExp }> = [
    { title: 'YAML syntax error in a playbook', files: { 'p.yml': '- hosts: web\n  roles: [demo\n' }, args: ['p.yml', '-i', 'hosts.ini'], message: /p\.yml:\d+:\d+: YAML syntax error/ },
    { title: 'YAML syntax error in an inventory', files: { 'inv.yml': 'all:\n  hosts:\n    a: {x: [1}\n' }, args: ['good.yml', '-i', 'inv.yml', '--syntax-check'], message: /inv\.yml:3/ },
    { title: 'unknown role', files: { 'p.yml': '- hosts: web\n  roles:\n    - demo\n    - nosuchrole\n' }, args: ['p.yml', '-i', 'hosts.ini'], message: /p\.yml:4: key 'role': unknown role 'nosuchrole'/ },
    { title: 'unknown group in a pattern', files: { 'p.yml': '- hosts: webz\n  roles: [demo]\n' }, args: ['p.yml', '-i', 'hosts.ini'], message: /p\.yml:1.*webz/ },
    { title: 'unknown host in --limit', args: ['good.yml', '-i', 'hosts.ini', '-l', 'nohost'], message: /--limit.*nohost/ },
    { title: 'bad -e', args: ['good.yml', '-i', 'hosts.ini', '-e', '{"a": '], message: /-e #1:\d+:\d+: YAML syntax error/ },
    { title: 'unknown flag', args: ['good.yml', '-i', 'hosts.ini', '--frobnicate'], message: /Unknown argument: frobnicate/ },
    { title: 'unknown play key', files: { 'p.yml': '- hosts: web\n  rolez: [demo]\n' }, args: ['p.yml', '-i', 'hosts.ini'], message: /p\.yml:2: key '0\.rolez': unknown play key 'rolez'/ },
    { title: 'missing required role variable', files: { 'inv2.ini': '[web]\nweb1 ansible_host=198.51.100.7 demo_dir=/tmp/x\n' }, args: ['good.yml', '-i', 'inv2.ini'], message: /good\.yml:2: key 'demo_password': is required/ },
    { title: 'wrongly typed role variable names its inventory line', files: { 'inv3.ini': '[web]\nweb1 ansible_host=198.51.100.7 demo_dir=/tmp/x demo_password=xxxxxxxx\n\n[web:vars]\ndemo_enabled=perhaps\n' }, args: ['good.yml', '-i', 'inv3.ini'], message: /inv3\.ini:5: key 'demo_enabled': must be a boolean/ },
    { title: 'missing inventory', args: ['good.yml', '-i', 'nope.ini'], message: /nope\.ini/ },
    { title: 'missing playbook', args: ['nope.yml', '-i', 'hosts.ini'], message: /nope\.yml: playbook not found/ },
    { title: 'bad forks', args: ['good.yml', '-i', 'hosts.ini', '-f', '0'], message: /--forks must be a positive integer/ },
  ];

  for (const c of cases) {
    it(`${c.title}: exit 2 and names where`, async () => {
      for (const [name, text] of Object.entries(c.files ?? {})) write(name, text);
      const run = await runPlay(c.args, { cwd: dir, env });
      expect(run.code, run.stdout + run.stderr).to.equal(2);
      expect(run.stderr).to.match(/^ERROR! /);
      expect(run.stderr).to.match(c.message);
    });
  }

  it("an Ansible YAML role in the project's roles/ is refused, not skipped for play's own role of that name", async () => {
    // demo exists in PLAY_ROLES_PATH: without the check, that one would run.
    write('site-demo.yml', '- hosts: web\n  roles:\n    - demo\n');
    mkdirSync(join(dir, 'roles/demo/tasks'), { recursive: true });
    write('roles/demo/tasks/main.yml', '- name: An Ansible task\n  debug: { msg: hi }\n');
    try {
      for (const extra of [[], ['--syntax-check']]) {
        const run = await runPlay(['site-demo.yml', '-i', 'hosts.ini', ...extra], { cwd: dir, env });
        expect(run.code, run.stdout + run.stderr).to.equal(2);
        expect(run.stderr).to.match(/^ERROR! site-demo\.yml:3: key 'role': role 'demo': roles\/demo\/ is an Ansible role \(tasks\/main\.yml\), which play cannot run: play roles are JavaScript modules \(compiled TypeScript\), roles\/demo\/index\.js/);
      }
    } finally {
      rmSync(join(dir, 'roles'), { recursive: true, force: true });
    }
  });

  it('--version prints the package version and contacts nobody', async () => {
    const run = await runPlay(['--version'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
    const { version } = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const [first, second] = run.stdout.trim().split('\n');
    expect(first).to.equal(`play ${version} (node ${process.version})`);
    expect(second).to.match(/^ {2}config file = /);
    expect(existsSync(marker)).to.equal(false);
  });

  it('--syntax-check on a good playbook exits 0 and contacts nobody', async () => {
    const run = await runPlay(['good.yml', '-i', 'hosts.ini', '--syntax-check'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('playbook: good.yml');
  });

  it('--list-hosts, --list-tasks and --list-tags print the plan', async () => {
    const run = await runPlay(['good.yml', '-i', 'hosts.ini', '--list-hosts', '--list-tasks', '--list-tags'], { cwd: dir, env });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/hosts \(1\):\n\s+web1/);
    expect(run.stdout).to.match(/demo : Write config\tTAGS: \[config\]/);
    expect(run.stdout).to.match(/TASK TAGS: \[config, never, optional, secret, stamp\]/);
  });

  it('a tag that matches nothing is a warning, not an error', async () => {
    const run = await runPlay(['good.yml', '-i', 'hosts.ini', '--tags', 'nosuchtag', '--list-tasks'], { cwd: dir, env });
    expect(run.code).to.equal(0);
    expect(run.stderr).to.match(/\[WARNING\]: tag\(s\) nosuchtag match no task/);
  });
});
