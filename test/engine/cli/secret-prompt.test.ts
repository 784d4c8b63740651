// Password prompts on a real terminal: play runs in a pseudo-terminal (Python's pty module drives
// it like a user: waits for the prompt, types the answer); the answer must never be echoed back.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, PLAY_BIN } from '../../helpers/run-play.js';
import { mustVault } from '../vault/helpers/ansible-vault.js';

/** Runs argv in a pty; types each answer after its prompt shows. Returns the whole transcript. */
const DRIVER = String.raw`
import os, pty, sys, json, select
spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.environ.update(spec['env'])
    os.chdir(spec['cwd'])
    os.execvp(spec['argv'][0], spec['argv'])
out = b''
def read_some(timeout=30):
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        raise SystemExit('timed out; transcript so far: %r' % out)
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        chunk = b''
    out += chunk
    return chunk
for prompt, answer in spec['answers']:
    while prompt.encode() not in out:
        if not read_some():
            raise SystemExit('no prompt %r; transcript: %r' % (prompt, out))
    os.write(fd, (answer + '\r').encode())
while read_some():
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'transcript': out.decode('utf8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}))
`;

function inPty(cwd: string, argv: string[], answers: Array<[string, string]>, env: Record<string, string>): Promise<{ transcript: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', DRIVER, JSON.stringify({ cwd, argv, answers, env })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { transcript: string; code: number }) : reject(new Error(`pty driver: ${err}`))));
  });
}

describe('password prompts on a terminal', function () {
  this.timeout(60_000);
  let dir: string;
  const env = (): Record<string, string> => ({ CI: 'true', NO_COLOR: '1', PLAY_ROLES_PATH: FIXTURE_ROLES, ANSIBLE_CONFIG: join(dir, 'empty.cfg') });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'play-prompt-'));
    writeFileSync(join(dir, 'empty.cfg'), '');
    writeFileSync(join(dir, 'pw'), 'typed-vault-pass\n');
    writeFileSync(join(dir, 'secret.yml'), 'shown: after decryption\n');
    await mustVault(['encrypt', '--vault-password-file', 'pw', 'secret.yml'], { cwd: dir });
    writeFileSync(join(dir, 'hosts.ini'), `[box]\npromptbox ansible_connection=local demo_dir=${join(dir, 'target')} demo_password=x1234\n`);
    writeFileSync(join(dir, 'site.yml'), '- hosts: box\n  roles: [demo]\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--ask-vault-pass reads the password without echo', async () => {
    const run = await inPty(dir, [process.execPath, PLAY_BIN, 'vault', 'view', 'secret.yml', '--ask-vault-pass'], [['Vault password: ', 'typed-vault-pass']], env());
    expect(run.code, run.transcript).to.equal(0);
    expect(run.transcript).to.include('shown: after decryption');
    expect(run.transcript).not.to.include('typed-vault-pass');
  });

  it('-K asks the become password first, then the vault password, neither echoed', async () => {
    const answers: Array<[string, string]> = [
      ['BECOME password: ', 'typed-become-pass'],
      ['Vault password: ', 'typed-vault-pass'],
    ];
    const run = await inPty(dir, [process.execPath, PLAY_BIN, 'site.yml', '-i', 'hosts.ini', '-e', '@secret.yml', '-K', '-J', '--syntax-check'], answers, env());
    expect(run.code, run.transcript).to.equal(0);
    expect(run.transcript).to.include('playbook: site.yml');
    expect(run.transcript).not.to.include('typed-become-pass');
    expect(run.transcript).not.to.include('typed-vault-pass');
  });
});
