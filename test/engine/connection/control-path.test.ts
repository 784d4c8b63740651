// Issue 13 row 5: the control socket of a host is named after everything that selects the
// destination, so two hosts at one private address behind different bastions never share a
// master (one host's scripts and secrets would go to the other), in one run or across runs.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshConnection, defaultSshSettings, type SshSettings } from '../../../engine/connection/ssh.js';
import type { ConnectionSpec } from '../../../engine/types.js';
import { FIXTURE_ROLES, runPlay } from '../../helpers/run-play.js';
import { installStandIns } from './helpers/stand-ins.js';

const BASE: ConnectionSpec = { kind: 'ssh', host: 'db', address: '10.0.0.5', user: 'root', become: false, commonArgs: [] };
const SETTINGS: SshSettings = { ...defaultSshSettings(), controlDir: '/nonexistent/cp' };

function controlPath(spec: Partial<ConnectionSpec>, settings: Partial<SshSettings> = {}): string {
  const args = new SshConnection({ ...BASE, ...spec }, { ...SETTINGS, ...settings }).sshArgs();
  const option = args.find((a) => a.startsWith('ControlPath='));
  if (!option) throw new Error('no ControlPath in the ssh arguments');
  return option;
}

describe('connection/ssh: the control socket identity', () => {
  it('is the same for the same destination, in a new connection (the next run finds the master)', () => {
    expect(controlPath({ commonArgs: ['-J', 'bastion-a'] })).to.equal(controlPath({ host: 'other-name', commonArgs: ['-J', 'bastion-a'] }));
  });

  it('differs with anything that selects the destination or how it is verified', () => {
    const variants: Array<[string, string]> = [
      ['plain', controlPath({})],
      ['ProxyJump a', controlPath({ commonArgs: ['-o', 'ProxyJump=bastion-a'] })],
      ['ProxyJump b', controlPath({ commonArgs: ['-o', 'ProxyJump=bastion-b'] })],
      ['-J b', controlPath({ commonArgs: ['-J', 'bastion-b'] })],
      ['ProxyCommand', controlPath({ commonArgs: ['-o', 'ProxyCommand=ssh -W %h:%p bastion-a'] })],
      ['extra args', controlPath({ commonArgs: ['-o', 'UserKnownHostsFile=/etc/site/known_hosts'] })],
      ['-F', controlPath({ commonArgs: ['-F', '/etc/site/ssh_config'] })],
      ['key', controlPath({ privateKeyFile: '/keys/site-b' })],
      ['port', controlPath({ port: 2222 })],
      ['user', controlPath({ user: 'deploy' })],
      ['ansible.cfg ssh_args', controlPath({}, { extraArgs: ['-o', 'ProxyJump=bastion-a'] })],
      ['host key policy', controlPath({}, { hostKeyChecking: 'yes' })],
    ];
    const seen = new Map<string, string>();
    for (const [what, path] of variants) {
      expect(seen.get(path), `${what} shares a socket with ${seen.get(path)}`).to.equal(undefined);
      seen.set(path, what);
    }
  });

  it('through the CLI: two hosts at one address behind two bastions get two masters', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'play-controlpath-'));
    try {
      const standIns = installStandIns(dir, 'unused');
      writeFileSync(join(dir, 'empty.cfg'), '');
      writeFileSync(join(dir, 'site.yml'), '- hosts: box\n  roles: [demo]\n');
      const line = (name: string, bastion: string): string =>
        `${name} ansible_host=10.0.0.5 ansible_user=root ansible_ssh_common_args='-J ${bastion}' demo_dir=${join(dir, name)} demo_password=demo1234`;
      writeFileSync(join(dir, 'hosts.ini'), `[box]\n${line('site-a-db', 'bastion-a')}\n${line('site-b-db', 'bastion-b')}\n`);
      const env = { ...standIns.env('nopasswd'), PLAY_ROLES_PATH: FIXTURE_ROLES, ANSIBLE_CONFIG: join(dir, 'empty.cfg') };
      const run = await runPlay(['site.yml', '-i', 'hosts.ini'], { cwd: dir, env });
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      const byBastion = new Map<string, Set<string>>();
      for (const argv of standIns.argvs()) {
        const bastion = argv[argv.indexOf('-J') + 1] ?? '';
        const socket = argv.find((a) => a.startsWith('ControlPath=')) ?? '';
        byBastion.set(bastion, (byBastion.get(bastion) ?? new Set()).add(socket));
      }
      const a = [...(byBastion.get('bastion-a') ?? [])];
      const b = [...(byBastion.get('bastion-b') ?? [])];
      expect(a, 'one socket per host').to.have.length(1);
      expect(b, 'one socket per host').to.have.length(1);
      expect(a[0]).not.to.equal(b[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
