import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFact } from '../../engine/facts/index.js';
import { inventoryView } from '../../engine/runner/host-view.js';
import type { Change, ExecResult, Task } from '../../engine/types.js';
import sshTrust from '../../roles/ssh-trust/index.js';
import { keyPairFact, PRIVATE_KEY } from '../../roles/ssh-trust/key-pair.js';
import { missingKnownHosts } from '../../roles/ssh-trust/known-hosts.js';
import { missingKeys, parsePublicKeyLine } from '../../roles/ssh-trust/public-keys.js';
import type { SshTrustVars } from '../../roles/ssh-trust/vars.js';
import { expectVarsError } from './helpers/expect-error.js';
import { FakeCluster, converge, fileAnswer, type FakeHost } from './helpers/fake-cluster.js';
import { ALL_FILE, HOSTS_FILE, buildInventory } from './helpers/inventory.js';
import { resolveRole, varsOf } from './helpers/resolve.js';

const KEY = (n: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'A'.repeat(40)}${n} root@master${n}`;
const HOST_KEY = (n: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOST${'B'.repeat(36)}${n} root@master${n}`;
const HOST_RSA = (n: number) => `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ${'C'.repeat(40)}${n} root@master${n}`;
const HOST_KEYS_ID = commandFact('cat /etc/ssh/ssh_host_*_key.pub 2>/dev/null || true').id;

function inventory(all: Record<string, unknown> = {}) {
  return buildInventory({
    hosts: {
      master1: { ansible_host: '10.0.0.21' },
      master2: { ansible_host: '10.0.0.22' },
      worker1: { ansible_host: '10.0.0.31' },
    },
    groups: { masters: ['master1', 'master2'], workers: ['worker1'] },
    all,
  });
}

function task(name: string): Task<SshTrustVars, Change> {
  const found = sshTrust.tasks.find((t) => t.name === name);
  if (!found) throw new Error(`no task ${name}`);
  return found;
}

interface HostState {
  privateMode?: number;
  publicKey?: string;
  authorizedKeys?: string;
  knownHosts?: string;
}

/** Fake masters whose .ssh state is given; ssh-keygen "creates" KEY(n) on the host that runs it. */
function cluster(states: Record<'master1' | 'master2', HostState>, all: Record<string, unknown> = {}) {
  const inv = inventory(all);
  const resolved = resolveRole(sshTrust, inv, 'masters');
  const host = (n: 1 | 2, s: HostState): FakeHost => ({
    facts: {
      [keyPairFact().id]: `${s.privateMode === undefined ? 'missing' : s.privateMode.toString(8)}\n${s.publicKey ? 'pub' : 'nopub'}\n`,
      'file:/root/.ssh/id_ed25519.pub': s.publicKey ? fileAnswer(`${s.publicKey}\n`) : 'missing\n',
      'file:/root/.ssh/authorized_keys': s.authorizedKeys !== undefined ? fileAnswer(s.authorizedKeys, 0o600) : 'missing\n',
      'file:/root/.ssh/known_hosts': s.knownHosts !== undefined ? fileAnswer(s.knownHosts) : 'missing\n',
      [HOST_KEYS_ID]: `${HOST_KEY(n)}\n${HOST_RSA(n)}\n`,
    },
    run: (script: string): ExecResult => ({ code: 0, stdout: script.startsWith('cat -- /root/.ssh/id_ed25519.pub') ? `${KEY(n)}\n` : '', stderr: '' }),
  });
  return new FakeCluster<SshTrustVars>(
    { master1: host(1, states.master1), master2: host(2, states.master2) },
    inventoryView(inv),
    (h) => resolved.vars.get(h)!,
  );
}

describe('ssh-trust', () => {
  describe('vars', () => {
    it('trusts every host of the masters group', () => {
      expect(varsOf(resolveRole(sshTrust, inventory(), 'masters'), 'master1').masters).to.deep.equal([
        { name: 'master1', address: '10.0.0.21' },
        { name: 'master2', address: '10.0.0.22' },
      ]);
    });

    it('refuses a host outside the masters group', () => {
      expectVarsError(() => resolveRole(sshTrust, inventory(), 'workers'), 'masters_group', 'roles/ssh-trust/defaults.ts', /not in group 'masters'/);
    });

    it('takes the controller key as a string or a path, and refuses a private key or junk', () => {
      const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB me@laptop';
      expect(varsOf(resolveRole(sshTrust, inventory({ ssh_trust_controller_key: key }), 'masters'), 'master1').controllerKey).to.equal(key);
      const dir = mkdtempSync(join(tmpdir(), 'play-ssh-trust-'));
      writeFileSync(join(dir, 'id.pub'), `${key}\n`);
      writeFileSync(join(dir, 'id'), '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n');
      expect(varsOf(resolveRole(sshTrust, inventory({ ssh_trust_controller_key: join(dir, 'id.pub') }), 'masters'), 'master2').controllerKey).to.equal(key);
      expectVarsError(
        () => resolveRole(sshTrust, inventory({ ssh_trust_controller_key: join(dir, 'id') }), 'masters'),
        'ssh_trust_controller_key',
        `${ALL_FILE}:1`,
        /PRIVATE key/,
      );
      expectVarsError(
        () => resolveRole(sshTrust, inventory({ ssh_trust_controller_key: join(dir, 'nope.pub') }), 'masters'),
        'ssh_trust_controller_key',
        `${ALL_FILE}:1`,
        /ENOENT/,
      );
      const inv = buildInventory({ hosts: { master1: { ssh_trust_controller_key: 'ssh-rsa not-base64!' } }, groups: { masters: ['master1'] } });
      expectVarsError(() => resolveRole(sshTrust, inv, 'masters'), 'ssh_trust_controller_key', `${HOSTS_FILE}:1`, /one OpenSSH public key/);
      rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('key pair', () => {
    it('generates the pair on the host itself, never reading the private key', async () => {
      const c = cluster({ master1: {}, master2: {} });
      const change = await converge(task("Generate root's SSH key pair on the host"), c.ctx('master1'));
      expect(change?.summary).to.match(/generate/);
      const [script = ''] = c.scripts('master1');
      expect(script).to.contain("ssh-keygen -q -t ed25519 -N '' -C root@master1 -f /root/.ssh/id_ed25519");
      expect(script).to.match(/if \[ ! -e \/root\/.ssh\/id_ed25519 \]; then ssh-keygen/);
      expect(c.scripts('master2')).to.deep.equal([]);
      // The probe stats the private key; nothing play sends ever reads it.
      expect(keyPairFact().command).to.contain(`stat -c %a -- ${PRIVATE_KEY}`);
      for (const s of c.scripts('master1')) expect(s).not.to.match(/cat[^\n]*id_ed25519(?!\.pub)/);
    });

    it('is converged with a 0600 key and its .pub; fixes a loose mode', async () => {
      const ok = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1) }, master2: {} });
      expect(await converge(task("Generate root's SSH key pair on the host"), ok.ctx('master1'))).to.equal(null);
      const loose = cluster({ master1: { privateMode: 0o644, publicKey: KEY(1) }, master2: {} });
      expect((await converge(task("Generate root's SSH key pair on the host"), loose.ctx('master1')))?.summary).to.equal('mode 0644 -> 0600');
      expect(loose.scripts('master1')[0]).to.contain('chmod 600 -- /root/.ssh/id_ed25519');
    });
  });

  describe('authorized_keys', () => {
    it("appends every master's key; a master without one gets it generated on it, once for all hosts", async () => {
      const c = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1), authorizedKeys: 'ssh-rsa AAAAB3Nza existing@admin\n' }, master2: { authorizedKeys: '' } });
      const t = task("Authorize every master's key");
      const [one, two] = await Promise.all([converge(t, c.ctx('master1')), converge(t, c.ctx('master2'))]);
      expect(one?.summary).to.match(/generate and add the key of master2/);
      expect(two?.summary).to.match(/generate and add the key of master2/);
      // master2's key pair was made once, on master2, whichever host asked first.
      const keygens = c.scripts('master2').filter((s) => s.includes('ssh-keygen -q'));
      expect(keygens).to.have.length(1);
      expect(c.scripts('master1').some((s) => s.includes('ssh-keygen'))).to.equal(false);
      const append = c.scripts('master1').find((s) => s.includes('authorized_keys'))!;
      expect(append).to.contain(`printf '%s\\n' '${KEY(1)}' '${KEY(2)}' >> /root/.ssh/authorized_keys`);
      expect(append).to.contain('chmod 600 -- /root/.ssh/authorized_keys');
      // Only appends: never truncates or rewrites the file.
      expect(append).not.to.match(/[^>]> \/root\/.ssh\/authorized_keys/);
    });

    it('is converged when every key is there, whatever the options and comments', async () => {
      const both = `from="10.0.0.0/8" ${KEY(1).replace('root@master1', 'old-comment')}\n${KEY(2)}\n`;
      const c = cluster({
        master1: { privateMode: 0o600, publicKey: KEY(1), authorizedKeys: both },
        master2: { privateMode: 0o600, publicKey: KEY(2), authorizedKeys: both },
      });
      expect(await converge(task("Authorize every master's key"), c.ctx('master1'))).to.equal(null);
      expect(c.scripts('master1')).to.deep.equal([]);
    });

    it("adds the controller's key too", async () => {
      const controller = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB me@laptop';
      const c = cluster(
        { master1: { privateMode: 0o600, publicKey: KEY(1), authorizedKeys: `${KEY(1)}\n${KEY(2)}\n` }, master2: { privateMode: 0o600, publicKey: KEY(2) } },
        { ssh_trust_controller_key: controller },
      );
      const change = await converge(task("Authorize every master's key"), c.ctx('master1'));
      expect(change?.summary).to.equal('add 1 key(s): me@laptop');
      expect(c.scripts('master1')[0]).to.contain(`'${controller}' >> /root/.ssh/authorized_keys`);
    });

    it('compares keys by type and body only', () => {
      const wanted = [parsePublicKeyLine(KEY(1))!, parsePublicKeyLine(KEY(2))!];
      expect(missingKeys(`command="x" ${KEY(2)}\n`, wanted).map((k) => k.comment)).to.deep.equal(['root@master1']);
    });
  });

  describe('known_hosts', () => {
    it("adds each master's real host keys under its name and address, reading each master once", async () => {
      const c = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1) }, master2: { privateMode: 0o600, publicKey: KEY(2) } });
      const t = task("Know every master's host keys");
      await Promise.all([converge(t, c.ctx('master1')), converge(t, c.ctx('master2'))]);
      expect(c.onceComputed.filter((k) => k.startsWith('ssh-trust:host-keys:'))).to.deep.equal(['ssh-trust:host-keys:master1', 'ssh-trust:host-keys:master2']);
      const append = c.scripts('master2')[0]!;
      const [type1, body1] = HOST_KEY(1).split(' ');
      const [rsa2, rsaBody2] = HOST_RSA(2).split(' ');
      expect(append).to.contain(`'master1,10.0.0.21 ${type1} ${body1}'`);
      expect(append).to.contain(`'master2,10.0.0.22 ${rsa2} ${rsaBody2}'`);
      expect(append).to.contain('>> /root/.ssh/known_hosts');
    });

    it('recognises hashed entries (HashKnownHosts) and does not add them again', () => {
      const key = parsePublicKeyLine(HOST_KEY(1))!;
      const salt = Buffer.from('0123456789abcdef0123');
      const hashed = (name: string) => `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
      const current = `${hashed('master1')} ${key.type} ${key.body}\n${hashed('10.0.0.21')} ${key.type} ${key.body}\n`;
      expect(missingKnownHosts(current, [{ name: 'master1', address: '10.0.0.21', keys: [key] }])).to.deep.equal([]);
      expect(missingKnownHosts(`${hashed('master1')} ${key.type} ${key.body}\n`, [{ name: 'master1', address: '10.0.0.21', keys: [key] }])).to.deep.equal([
        `master1,10.0.0.21 ${key.type} ${key.body}`,
      ]);
    });
  });
});
