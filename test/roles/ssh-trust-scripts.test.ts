/** ssh-trust's shell scripts run for real with /bin/sh, in a temp dir instead of /root/.ssh. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLinesScript } from '../../roles/ssh-trust/append-lines.js';
import { keyPairScript, parseKeyPairState } from '../../roles/ssh-trust/key-pair.js';
import { requirePrerequisite } from '../helpers/skip.js';

function sh(script: string): void {
  const r = spawnSync('/bin/sh', ['-s'], { input: script, encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('ssh-trust scripts (for real, in a temp dir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'play-ssh-')), '.ssh');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('generates a key pair once, never replacing it, and re-derives a lost .pub', function () {
    requirePrerequisite(this, spawnSync('ssh-keygen', ['-?']).error ? 'ssh-keygen is not installed (apt-get install openssh-client)' : undefined);
    sh(keyPairScript('root@master1', dir));
    const pub = readFileSync(join(dir, 'id_ed25519.pub'), 'utf8');
    expect(pub).to.match(/^ssh-ed25519 \S+ root@master1\n$/);
    expect(mode(join(dir, 'id_ed25519'))).to.equal(0o600);
    expect(mode(dir)).to.equal(0o700);
    const privateBefore = readFileSync(join(dir, 'id_ed25519'), 'utf8');
    sh(keyPairScript('root@master1', dir));
    expect(readFileSync(join(dir, 'id_ed25519'), 'utf8')).to.equal(privateBefore);
    rmSync(join(dir, 'id_ed25519.pub'));
    sh(keyPairScript('root@master1', dir));
    expect(readFileSync(join(dir, 'id_ed25519.pub'), 'utf8').split(' ').slice(0, 2)).to.deep.equal(pub.split(' ').slice(0, 2));
  });

  it('appends after a last line without newline, keeps what was there, sets the mode', () => {
    sh(`mkdir -p ${dir}`);
    const file = join(dir, 'authorized_keys');
    writeFileSync(file, 'ssh-rsa AAAA admin@old', { mode: 0o644 });
    sh(appendLinesScript(file, ["ssh-ed25519 BBBB root@master1", "ssh-ed25519 CCCC it's-quoted"], '600', dir));
    expect(readFileSync(file, 'utf8')).to.equal("ssh-rsa AAAA admin@old\nssh-ed25519 BBBB root@master1\nssh-ed25519 CCCC it's-quoted\n");
    expect(mode(file)).to.equal(0o600);
    sh(appendLinesScript(join(dir, 'known_hosts'), [], '644', dir));
    expect(readFileSync(join(dir, 'known_hosts'), 'utf8')).to.equal('');
  });

  it('reads the key pair probe output', () => {
    expect(parseKeyPairState('600\npub\n')).to.deep.equal({ privateMode: 0o600, publicExists: true });
    expect(parseKeyPairState('missing\nnopub\n')).to.deep.equal({ privateMode: null, publicExists: false });
  });
});
