// play as a package, the way the README's "Install" and "In your own project folder" sections
// use it: `npm pack` the clone, install the tarball offline into a temp prefix (as -g does), then
// run the installed `play` in a project folder laid out as the README draws it (its own `hosts`,
// a compiled role and a playbook copied from the README's code blocks). Every README command the
// catalogue gives to this test runs here, literally; the rest are checks of the same flow.
//
// Nothing downloads: every npm command runs with --offline and an empty npm cache of its own, so
// the tarball must carry its dependencies (bundleDependencies). No host is contacted: an `ssh`
// first on PATH records any call, and the one playbook that runs uses ansible_connection=local on
// files inside the temp folder.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, type PlayRun } from '../helpers/run-play.js';
import { README_COMMANDS } from '../docs/readme-catalog.js';
import { expectOutcome, readmeCommands, readmeFile, readReadme, runReadmeCommand, type RunContext } from '../docs/readme.js';

const markdown = readReadme();
const TARBALL_BYTES_MAX = 3 * 1024 * 1024;

/** A compiled role with one task that changes nothing: which one ran shows in --list-tasks. */
function markerRole(name: string, task: string): string {
  return `export default {
  name: ${JSON.stringify(name)},
  defaults: {},
  resolve: () => ({}),
  tasks: [{ name: ${JSON.stringify(task)}, check: async () => null, apply: async () => undefined }],
};
`;
}

describe('the package: npm pack, installed offline, run from a project folder', function () {
  this.timeout(120_000);
  let tmp: string;
  const folders: Record<'clone' | 'packdir' | 'project', string> = { clone: REPO_ROOT, packdir: '', project: '' };
  let prefix: string;
  let home: string;
  let marker: string;
  let env: NodeJS.ProcessEnv;
  let motdFile: string;

  const write = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };

  const context = (cwd: string, addArgs?: readonly string[]): RunContext => ({
    cwd,
    home,
    env,
    addArgs,
    fill: { packdir: folders.packdir, prefix },
    programs: { play: [join(prefix, 'bin', 'play')] },
  });

  const play = (args: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<PlayRun> =>
    runReadmeCommand(`play ${args}`, { ...context(folders.project), env: { ...env, ...extraEnv } });

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'play-package-'));
    folders.packdir = tmp;
    folders.project = join(tmp, 'my-cluster');
    prefix = join(tmp, 'prefix');
    home = join(tmp, 'home');
    marker = join(tmp, 'ssh-was-called');
    motdFile = join(folders.project, 'motd-of-lb1');
    write(join(tmp, 'bin', 'ssh'), `#!/bin/sh\necho "$@" >> ${marker}\nexit 255\n`);
    chmodSync(join(tmp, 'bin', 'ssh'), 0o755);
    env = {
      PATH: `${join(tmp, 'bin')}:${process.env.PATH}`,
      // An empty cache of its own, offline: what the tarball does not carry cannot be had.
      npm_config_cache: join(tmp, 'npm-cache'),
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
    };
    // my-cluster/ as the README draws it: hosts, group_vars/all.yml, roles/motd, playbooks/motd.yml.
    // Documentation addresses (192.0.2.0/24), never contacted; lb1 runs motd.yml locally.
    write(
      join(folders.project, 'hosts'),
      [
        '[lb]',
        `lb1 ansible_host=192.0.2.11 ansible_connection=local motd_path=${motdFile}`,
        'lb2 ansible_host=192.0.2.12',
        '[masters]',
        'master1 ansible_host=192.0.2.21',
        'master2 ansible_host=192.0.2.22',
        'master3 ansible_host=192.0.2.23',
        '[workers]',
        'worker1 ansible_host=192.0.2.31',
        '',
      ].join('\n'),
    );
    write(join(folders.project, 'group_vars', 'all.yml'), 'apiserver_vip: 192.0.2.10\ncontrol_plane_endpoint_name: k8s-api\nkeepalived_auth_pass: pkgtest1\n');
    write(join(folders.project, 'roles', 'motd', 'index.js'), readmeFile(markdown, 'roles/motd/index.js'));
    write(join(folders.project, 'playbooks', 'motd.yml'), readmeFile(markdown, 'playbooks/motd.yml'));
    // ~/shared-roles (PLAY_ROLES_PATH in the README): a haproxy that shadows play's, and a motd
    // that the project's own roles/motd must shadow.
    write(join(home, 'shared-roles', 'haproxy', 'index.js'), markerRole('haproxy', 'Shared haproxy, from PLAY_ROLES_PATH'));
    write(join(home, 'shared-roles', 'motd', 'index.js'), markerRole('motd', 'Shared motd, from PLAY_ROLES_PATH'));
  });

  after(() => rmSync(tmp, { recursive: true, force: true }));
  afterEach(() => expect(existsSync(marker), 'an ssh process was started').to.equal(false));

  for (const { command, line } of readmeCommands(markdown)) {
    const coverage = README_COMMANDS[command];
    if (coverage?.by !== 'package') continue;
    it(`README.md:${line}: \`${command}\``, async () => {
      const run = await runReadmeCommand(command, context(folders[coverage.cwd], coverage.addArgs));
      if (run.code !== 0 && /ENOTCACHED/.test(run.stderr)) {
        throw new Error(`\`${command}\` needs the registry: the tarball must bundle every dependency (bundleDependencies), nothing may download here:\n${run.stderr}`);
      }
      expectOutcome(command, run, coverage.expect);
    });
  }

  it('the tarball holds the compiled engine, every role, the playbooks and bundled dependencies; no tests, sources or lab', () => {
    const tarball = join(folders.packdir, 'play-0.1.0.tgz');
    expect(statSync(tarball).size, 'tarball bytes').to.be.lessThan(TARBALL_BYTES_MAX);
    const listing = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' });
    expect(listing.status, listing.stderr).to.equal(0);
    const files = listing.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    const own = files.filter((f) => !f.startsWith('node_modules/'));
    const roles = readdirSync(join(REPO_ROOT, 'roles')).filter((r) => existsSync(join(REPO_ROOT, 'roles', r, 'index.ts')));
    expect(roles.length).to.be.greaterThan(5);
    expect(own).to.include.members([
      'package.json',
      'README.md',
      'dist/engine/cli/main.js',
      'playbooks/site.yml',
      'playbooks/lb.yml',
      'playbooks/reset.yml',
      ...roles.map((r) => `dist/roles/${r}/index.js`),
    ]);
    expect(files, 'dependencies bundled').to.include.members(['node_modules/yargs/package.json', 'node_modules/zx/package.json']);
    const unwanted = own.filter((f) => /^(dist\/)?test\/|\.map$|\.ts$|^inventories\/lab|^\.ci\/|^scripts\/|package-lock\.json|^node_modules\/(mocha|chai|typescript)\//.test(f));
    expect(unwanted, 'files that must not ship').to.deep.equal([]);
    expect(files.filter((f) => /^node_modules\/(mocha|chai|typescript|@types)\//.test(f)), 'dev dependencies').to.deep.equal([]);
  });

  it('the installed play answers --help', async () => {
    const run = await play('--help');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/-i, --inventory/);
  });

  it("the project's motd role wrote the file, and a second run changes nothing", async () => {
    expect(readFileSync(motdFile, 'utf8')).to.equal('Managed by play\n');
    const again = await play('motd.yml -i hosts --limit lb1');
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    expect(again.stdout).to.match(/^lb1 +: ok=1 +changed=0 /m);
  });

  it("the project's roles/ come before PLAY_ROLES_PATH, which comes before play's own roles", async () => {
    const run = await play('motd.yml -i hosts --list-tasks', { PLAY_ROLES_PATH: join(home, 'shared-roles') });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('motd : Write the message of the day');
    expect(run.stdout).not.to.include('Shared motd');
    const bundled = await play('site.yml -i hosts --tags haproxy --list-tasks');
    expect(bundled.stdout, 'without PLAY_ROLES_PATH: play’s haproxy').to.include('haproxy : Write haproxy.cfg');
  });

  it("the project's playbooks/NAME comes before play's bundled one, and -v says so", async () => {
    write(join(folders.project, 'playbooks', 'lb.yml'), '- hosts: lb\n  roles: [motd]\n');
    try {
      const run = await play('lb.yml -i hosts --list-tasks -v');
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/playbook lb\.yml: .*\/my-cluster\/playbooks\/lb\.yml \(the project's/);
      expect(run.stdout).to.include('motd : Write the message of the day');
      expect(run.stdout).not.to.include('keepalived : ');
    } finally {
      rmSync(join(folders.project, 'playbooks', 'lb.yml'));
    }
  });

  it('a playbook found nowhere names the places it looked, exit 2', async () => {
    const run = await play('nosuch.yml -i hosts');
    expect(run.code).to.equal(2);
    // every playbook of the repository must be in the package, in this order
    const bundled = readdirSync(join(REPO_ROOT, 'playbooks')).filter((f) => f.endsWith('.yml')).sort();
    expect(bundled).to.include.members(['etcd-backup.yml', 'etcd-restore.yml', 'lb.yml', 'remove-node.yml', 'reset.yml', 'site.yml']);
    expect(run.stderr).to.include(`nosuch.yml: playbook not found (looked here, in playbooks/, and among play's bundled playbooks: ${bundled.join(', ')})`);
  });
});
