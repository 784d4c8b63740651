import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFact } from '../../engine/facts/index.js';
import { inventoryView } from '../../engine/runner/host-view.js';
import type { Change, ExecResult, Task } from '../../engine/types.js';
import sshTrust from '../../roles/ssh-trust/index.js';
import { keyPairFact, PRIVATE_KEY } from '../../roles/ssh-trust/key-pair.js';
import { missingKnownHosts, staleKnownHosts } from '../../roles/ssh-trust/known-hosts.js';
import { rewriteLinesScript } from '../../roles/ssh-trust/append-lines.js';
import { parsePublicKeyLine } from '../../roles/ssh-trust/public-keys.js';
import { AUTHORIZED_KEYS_MARKER, authorizedLine, wantedKeys } from '../../roles/ssh-trust/authorized-keys.js';
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
        { name: 'master1', address: '10.0.0.21', from: '10.0.0.21' },
        { name: 'master2', address: '10.0.0.22', from: '10.0.0.22' },
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
      const inv = buildInventory({ hosts: { master1: { ansible_host: '10.0.0.21', ssh_trust_controller_key: 'ssh-rsa not-base64!' } }, groups: { masters: ['master1'] } });
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

  describe('authorized_keys (issue 13 row 3: marked, restricted, converged)', () => {
    const t = () => task("Authorize every master's key");
    const HAND = 'ssh-rsa AAAAB3NzaHAND admin@laptop';
    const CONTROLLER = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBB me@laptop';
    const ROTATED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICCCC me@laptop';
    const BEGIN = AUTHORIZED_KEYS_MARKER.replace('{mark}', 'BEGIN');
    const END = AUTHORIZED_KEYS_MARKER.replace('{mark}', 'END');
    const block = (...lines: string[]) => [BEGIN, ...lines, END].join('\n') + '\n';
    const m1 = `from="10.0.0.21" ${KEY(1)}`;
    const m2 = `from="10.0.0.22" ${KEY(2)}`;
    const afterOf = (change: Change | null) => change?.diffs?.[0]?.after;

    it("writes every master's key in play's block, each only from its master's address; a missing key is generated once", async () => {
      const c = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1), authorizedKeys: `${HAND}\n` }, master2: { authorizedKeys: '' } });
      const [one, two] = await Promise.all([converge(t(), c.ctx('master1')), converge(t(), c.ctx('master2'))]);
      expect(one?.summary).to.match(/generate and add the key of master2/);
      expect(two?.summary).to.match(/generate and add the key of master2/);
      // master2's key pair was made once, on master2, whichever host asked first.
      expect(c.scripts('master2').filter((s) => s.includes('ssh-keygen -q'))).to.have.length(1);
      expect(c.scripts('master1').some((s) => s.includes('ssh-keygen'))).to.equal(false);
      const write = c.scripts('master1').find((s) => s.includes('authorized_keys'))!;
      expect(write).to.contain(`chmod 0600 -- "$tmp"`).and.to.contain('mv -f -- "$tmp" "$dst"');
      const content = Buffer.from(/printf %s (\S+) \| base64 -d/.exec(write)![1]!, 'base64').toString();
      expect(content).to.equal(`${HAND}\n${block(m1, m2)}`);
    });

    it('is converged when the block is as wanted, whatever else the file holds', async () => {
      const file = `${HAND}\n${block(m1, m2)}command="uptime" ${KEY(1).replace('root@master1', 'monitoring')}\n`;
      const c = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1), authorizedKeys: file }, master2: { privateMode: 0o600, publicKey: KEY(2) } });
      expect(await converge(t(), c.ctx('master1'))).to.equal(null);
      expect(c.scripts('master1')).to.deep.equal([]);
    });

    it('takes back the key of a master that left the group, and only that line', async () => {
      const master3 = `from="10.0.0.23" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'A'.repeat(40)}3 root@master3`;
      const file = `${HAND}\n${block(m1, m2, master3)}# my note\n`;
      const c = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1), authorizedKeys: file }, master2: { privateMode: 0o600, publicKey: KEY(2) } });
      const change = await converge(t(), c.ctx('master1'));
      expect(change?.summary).to.equal('remove 1 key(s): root@master3');
      expect(afterOf(change)).to.equal(`${HAND}\n${block(m1, m2)}# my note\n`);
    });

    it('authorizes the controller key (from ssh_trust_controller_from when set) and takes back a rotated one', async () => {
      const states = { master1: { privateMode: 0o600, publicKey: KEY(1) }, master2: { privateMode: 0o600, publicKey: KEY(2) } };
      const first = cluster({ ...states, master1: { ...states.master1, authorizedKeys: `${HAND}\n${block(m1, m2)}` } }, { ssh_trust_controller_key: CONTROLLER, ssh_trust_controller_from: ['192.0.2.0/24'] });
      const added = await converge(t(), first.ctx('master1'));
      expect(added?.summary).to.equal('add the key of controller');
      const withController = afterOf(added)!;
      expect(withController).to.equal(`${HAND}\n${block(m1, m2, `from="192.0.2.0/24" ${CONTROLLER}`)}`);
      const rotated = cluster({ ...states, master1: { ...states.master1, authorizedKeys: withController } }, { ssh_trust_controller_key: ROTATED });
      const change = await converge(t(), rotated.ctx('master1'));
      expect(change?.summary).to.equal('add the key of controller, remove 1 key(s): me@laptop');
      expect(afterOf(change)).to.equal(`${HAND}\n${block(m1, m2, ROTATED)}`);
    });

    it('moves the bare lines an older play appended into the block, and warns about an unrestricted copy it did not write', async () => {
      const file = `${HAND}\n${KEY(1)}\n${KEY(2)}\nno-pty ${KEY(2).replace('root@master2', 'copied by hand')}\n`;
      const c = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1), authorizedKeys: file }, master2: { privateMode: 0o600, publicKey: KEY(2) } });
      const change = await converge(t(), c.ctx('master1'));
      expect(change?.summary).to.equal('add the key of master1, master2, move 2 line(s) an older play appended into the block');
      expect(afterOf(change)).to.equal(`${HAND}\nno-pty ${KEY(2).replace('root@master2', 'copied by hand')}\n${block(m1, m2)}`);
      expect(c.warnings).to.have.length(1);
      expect(c.warnings[0]).to.match(/key of master2 outside play's block without from=/);
    });

    it('gives one line to a key two masters share (cloned hosts), from both addresses', () => {
      const key = parsePublicKeyLine(KEY(1))!;
      const wanted = wantedKeys([{ name: 'master1', from: '10.0.0.21', key }, { name: 'master2', from: '10.0.0.22', key }]);
      expect(wanted.map(authorizedLine)).to.deep.equal([`from="10.0.0.21,10.0.0.22" ${KEY(1)}`]);
    });

    it('needs an IP address for from=: ssh_trust_address when ansible_host is a DNS name', () => {
      const inv = buildInventory({ hosts: { master1: { ansible_host: 'm1.example.test' }, master2: { ansible_host: '10.0.0.22' } }, groups: { masters: ['master1', 'master2'] } });
      expectVarsError(() => resolveRole(sshTrust, inv, 'masters'), 'ansible_host', `${HOSTS_FILE}:1`, /set ssh_trust_address/);
      const fixed = buildInventory({
        hosts: { master1: { ansible_host: 'm1.example.test', ssh_trust_address: '10.1.0.21' }, master2: { ansible_host: '10.0.0.22' } },
        groups: { masters: ['master1', 'master2'] },
      });
      expect(varsOf(resolveRole(sshTrust, fixed, 'masters'), 'master2').masters.map((m) => m.from)).to.deep.equal(['10.1.0.21', '10.0.0.22']);
      const bad = buildInventory({ hosts: { master1: { ansible_host: '10.0.0.21' } }, groups: { masters: ['master1'] }, all: { ssh_trust_controller_from: ['10.0.0.0/8', 'laptop"'] } });
      expectVarsError(() => resolveRole(sshTrust, bad, 'masters'), 'ssh_trust_controller_from', `${ALL_FILE}:1`, /item 2 must be an IP address or CIDR/);
    });

    it('refuses master names that are not DNS names (they go to known_hosts)', () => {
      const inv = buildInventory({ hosts: { master1: { ansible_host: '10.0.0.21' }, master_2: { ansible_host: '10.0.0.22' } }, groups: { masters: ['master1', 'master_2'] } });
      expectVarsError(() => resolveRole(sshTrust, inv, 'masters'), 'inventory_hostname', `${HOSTS_FILE}:2`, /known_hosts/);
    });
  });

  describe('known_hosts', () => {
    it("adds each master's real host keys under its name and address, read as facts of the masters (a check that may run ahead)", async () => {
      const c = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1) }, master2: { privateMode: 0o600, publicKey: KEY(2) } });
      const t = task("Know every master's host keys");
      await Promise.all([converge(t, c.ctx('master1')), converge(t, c.ctx('master2'))]);
      expect(c.onceComputed, 'nothing only a turn can give').to.deep.equal([]);
      expect(c.scripts('master1'), 'nothing run to read them').to.have.length(1);
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

    it("takes back play's own line for a host key a master no longer has (rebuilt), and only that line", () => {
      const now = parsePublicKeyLine(HOST_KEY(2))!;
      const old = parsePublicKeyLine(HOST_KEY(9))!;
      const playOld = `master2,10.0.0.22 ${old.type} ${old.body}`;
      const current = [
        `master2,10.0.0.22 ${now.type} ${now.body}`,
        playOld,
        `master2 ${old.type} ${old.body}`, // a user's own entry: not play's form
        `master2,10.0.0.22 ${old.type} ${old.body} a comment`, // not exactly play's form either
        `# master2,10.0.0.22 ${old.type} ${old.body}`,
        `master9,10.0.0.29 ${old.type} ${old.body}`, // a host that is not a master of the inventory
      ].join('\n');
      expect(staleKnownHosts(current, [{ name: 'master2', address: '10.0.0.22', keys: [now] }])).to.deep.equal([playOld]);
      expect(staleKnownHosts(current, [{ name: 'master2', address: '10.0.0.22', keys: [now, old] }])).to.deep.equal([]);
      expect(staleKnownHosts(null, [{ name: 'master2', address: '10.0.0.22', keys: [now] }])).to.deep.equal([]);
    });

    it('a rebuilt master: the check says which old keys go, the apply rewrites the file without them', async () => {
      const line = (n: number, key: string, k = parsePublicKeyLine(key)!) => `master${n},10.0.0.2${n} ${k.type} ${k.body}`;
      const known = [line(1, HOST_KEY(1)), line(1, HOST_RSA(1)), line(2, HOST_KEY(9)), line(2, HOST_RSA(2))].join('\n') + '\n';
      const c = cluster({ master1: { privateMode: 0o600, publicKey: KEY(1), knownHosts: known }, master2: { privateMode: 0o600, publicKey: KEY(2), knownHosts: known } });
      const change = await converge(task("Know every master's host keys"), c.ctx('master1'));
      expect(change?.summary).to.equal('add 1 host key(s), remove 1 old host key(s) of master2');
      const [script = ''] = c.scripts('master1');
      expect(script).to.contain('grep -vxF -f');
      expect(script).to.contain(`'${line(2, HOST_KEY(9))}'`);
      expect(script).to.contain(`'${line(2, HOST_KEY(2))}'`);
    });

    it('the rewrite, run by a real shell: exactly the stale lines go, the others stay in order, new ones come last, mode set, nothing left beside it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'play-known-hosts-'));
      try {
        const path = join(dir, 'known_hosts');
        writeFileSync(path, 'user1 ssh-ed25519 AAAA1\nmaster2,10.0.0.22 ssh-ed25519 OLD\n|1|x|y ssh-rsa AAAA2\nlast ssh-ed25519 AAAA3', { mode: 0o600 });
        const script = rewriteLinesScript(path, ['master2,10.0.0.22 ssh-ed25519 OLD'], ['master2,10.0.0.22 ssh-ed25519 NEW'], '644', dir);
        const ran = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
        expect(ran.status, ran.stderr).to.equal(0);
        expect(readFileSync(path, 'utf8')).to.equal('user1 ssh-ed25519 AAAA1\n|1|x|y ssh-rsa AAAA2\nlast ssh-ed25519 AAAA3\nmaster2,10.0.0.22 ssh-ed25519 NEW\n');
        expect(statSync(path).mode & 0o777).to.equal(0o644);
        expect(readdirSync(dir)).to.deep.equal(['known_hosts']);
        // every line dropped, nothing added: an empty file, not a failure
        const all = spawnSync('sh', ['-c', rewriteLinesScript(path, readFileSync(path, 'utf8').trim().split('\n'), [], '644', dir)], { encoding: 'utf8' });
        expect(all.status, all.stderr).to.equal(0);
        expect(readFileSync(path, 'utf8')).to.equal('');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
