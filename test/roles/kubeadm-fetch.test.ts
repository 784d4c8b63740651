/**
 * Issue 13 row 16: admin.conf on the controller. Written for real in a temp dir: exclusive
 * create in a private folder (a file or link planted at a guessable temp name changes nothing),
 * a folder play makes is 0700, an existing one that others can write is refused, and artifacts/
 * (the default kubeconfig_fetch_dir) is git-ignored.
 */
import { expect } from 'chai';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../engine/errors.js';
import { REPO_ROOT } from '../helpers/run-play.js';
import { writeControllerFile as writeLocalSecretFile } from '../../engine/ops/index.js';

const KUBECONFIG = 'apiVersion: v1\nclusters: []\nusers:\n- user:\n    client-key-data: c2VjcmV0\n';

describe('kubeadm: admin.conf fetched to the controller', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'play-fetch-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a missing folder 0700 and the file 0600, leaving nothing else behind', () => {
    const target = join(dir, 'artifacts', 'admin.conf');
    writeLocalSecretFile(target, KUBECONFIG);
    expect(readFileSync(target, 'utf8')).to.equal(KUBECONFIG);
    expect(statSync(target).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'artifacts')).mode & 0o777).to.equal(0o700);
    expect(readdirSync(join(dir, 'artifacts'))).to.deep.equal(['admin.conf']);
  });

  it('never opens a guessable temp name: a link planted there is not written through', () => {
    const folder = join(dir, 'out');
    mkdirSync(folder, { mode: 0o700 });
    const target = join(folder, 'admin.conf');
    const elsewhere = join(dir, 'stolen');
    symlinkSync(elsewhere, `${target}.play-${process.pid}.tmp`);
    writeLocalSecretFile(target, KUBECONFIG);
    expect(existsSync(elsewhere), 'the credential went through the planted link').to.equal(false);
    expect(lstatSync(target).isFile()).to.equal(true);
    expect(readFileSync(target, 'utf8')).to.equal(KUBECONFIG);
  });

  it('refuses an existing folder that group or others can write, and writes nothing there', () => {
    const folder = join(dir, 'shared');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    expect(() => writeLocalSecretFile(join(folder, 'admin.conf'), KUBECONFIG))
      .to.throw(TaskError, /shared on the controller is writable by every user \(mode 777\)/);
    chmodSync(folder, 0o775);
    expect(() => writeLocalSecretFile(join(folder, 'admin.conf'), KUBECONFIG)).to.throw(TaskError, /writable by its group/);
    expect(readdirSync(folder)).to.deep.equal([]);
    // Readable by others is fine: the file itself is 0600.
    chmodSync(folder, 0o755);
    writeLocalSecretFile(join(folder, 'admin.conf'), KUBECONFIG);
    expect(statSync(join(folder, 'admin.conf')).mode & 0o777).to.equal(0o600);
  });

  it('keeps artifacts/ (the default kubeconfig_fetch_dir) out of git', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.gitignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).to.include('artifacts/');
  });
});
