import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { candidateSecrets, decryptVault, encryptVault, parseEnvelope, VaultFormatError, VaultPasswordError, type VaultSecret } from '../../../engine/vault/format.js';
import { encryptString, mustVault } from './helpers/ansible-vault.js';

const secret = (label: string, password: string): VaultSecret => ({ label, password: Buffer.from(password) });

/** The envelope of `NAME: !vault |` YAML, as a loader sees the scalar. */
function envelopeOf(yaml: string): string {
  return `${yaml.split('\n').slice(1).map((l) => l.trim()).filter(Boolean).join('\n')}\n`;
}

describe('vault format (against the real ansible-vault)', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-vault-format-'));
    writeFileSync(join(dir, 'pw-a'), 'first password\n');
    writeFileSync(join(dir, 'pw-b'), '  second password  \n\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a file ansible-vault encrypted (1.1), with the password file stripped as Ansible strips it', async () => {
    const text = 'keepalived_auth_pass: Vrrp-9x\nlist: [1, 2]\nunicode: "été ☃"\n';
    writeFileSync(join(dir, 'whole.yml'), text);
    await mustVault(['encrypt', '--vault-password-file', 'pw-b', 'whole.yml'], { cwd: dir });
    const envelope = readFileSync(join(dir, 'whole.yml'), 'utf8');
    expect(parseEnvelope(envelope)).to.include({ version: '1.1', cipher: 'AES256' });
    const opened = decryptVault(envelope, [secret('default', 'second password')]);
    expect(opened.plaintext.toString('utf8')).to.equal(text);
  });

  it('opens 1.2 values with a vault id, trying the matching label first, then every other secret', async () => {
    const yaml = await encryptString(dir, 'prod value\n', 'v', ['--vault-id', 'prod@pw-a']);
    const envelope = envelopeOf(yaml);
    expect(parseEnvelope(envelope)).to.include({ version: '1.2', label: 'prod' });
    // Both secrets hold the right password: the one labelled prod is tried (and used) first.
    const both = [secret('dev', 'first password'), secret('prod', 'first password')];
    expect(decryptVault(envelope, both).label).to.equal('prod');
    // The label is only a hint: a secret under another label still opens it, as in Ansible.
    const other = [secret('prod', 'wrong'), secret('dev', 'first password')];
    expect(decryptVault(envelope, other)).to.deep.include({ label: 'dev' });
    expect(decryptVault(envelope, other).plaintext.toString()).to.equal('prod value\n');
    expect(candidateSecrets(both, undefined).map((s) => s.label)).to.deep.equal(['dev', 'prod']);
  });

  it('opens encrypt_string values of format 1.1', async () => {
    const yaml = await encryptString(dir, 's3cr3t', 'token', ['--vault-password-file', 'pw-a']);
    expect(yaml).to.match(/^token: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n/);
    expect(decryptVault(envelopeOf(yaml), [secret('default', 'first password')]).plaintext.toString()).to.equal('s3cr3t');
  });

  it('what play encrypts, ansible-vault decrypts: 1.1 for the default id, 1.2 with a label', async () => {
    writeFileSync(join(dir, 'play-11.yml'), encryptVault('made: by play\n', secret('default', 'first password')));
    writeFileSync(join(dir, 'play-12.yml'), encryptVault(Buffer.from('labelled\n'), secret('ops', 'second password')));
    expect(readFileSync(join(dir, 'play-12.yml'), 'utf8')).to.match(/^\$ANSIBLE_VAULT;1\.2;AES256;ops\n(?:[0-9a-f]{80}\n)+[0-9a-f]{1,80}\n$/);
    expect(await mustVault(['view', '--vault-password-file', 'pw-a', 'play-11.yml'], { cwd: dir })).to.equal('made: by play\n');
    expect(await mustVault(['view', '--vault-id', 'ops@pw-b', 'play-12.yml'], { cwd: dir })).to.equal('labelled\n');
  });

  it('a wrong password fails the HMAC check; a damaged envelope is a format error', () => {
    const envelope = encryptVault('x', secret('default', 'right'));
    expect(() => decryptVault(envelope, [secret('default', 'wrong')])).to.throw(VaultPasswordError);
    expect(() => decryptVault(envelope, [])).to.throw(VaultPasswordError, /no vault password/);
    // One flipped hex digit of the payload: the HMAC no longer matches (no padding oracle, no garbage).
    const lines = envelope.split('\n');
    const flipped = lines[1]!.replace(/^./, (c) => (c === '3' ? '6' : '3'));
    expect(() => decryptVault([lines[0], flipped, ...lines.slice(2)].join('\n'), [secret('default', 'right')])).to.throw();
    expect(() => decryptVault('$ANSIBLE_VAULT;1.1;AES256\nzz\n', [secret('default', 'right')])).to.throw(VaultFormatError);
    expect(() => decryptVault('$ANSIBLE_VAULT;1.1;RC4\n00\n', [secret('default', 'right')])).to.throw(VaultFormatError, /cipher/);
  });
});
