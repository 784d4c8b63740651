// ssh is spawned by its absolute path, found on PATH once: by name, each spawn tried every PATH
// entry before ssh's (eight failed execs per host here, the run waiting on each spawn).
import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshConnection, defaultSshSettings, sshProgram } from '../../../engine/connection/ssh.js';

describe('connection/ssh: the ssh program', () => {
  let dir: string;
  const savedPath = process.env['PATH'];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-sshprog-'));
    for (const sub of ['empty', 'first', 'second', 'notexec']) mkdirSync(join(dir, sub));
    for (const sub of ['first', 'second']) {
      writeFileSync(join(dir, sub, 'ssh'), '#!/bin/sh\n');
      chmodSync(join(dir, sub, 'ssh'), 0o755);
    }
    writeFileSync(join(dir, 'notexec', 'ssh'), '');
    mkdirSync(join(dir, 'empty', 'ssh')); // a directory named ssh is not the program
  });
  after(() => {
    process.env['PATH'] = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the first executable ssh on PATH, looked up again when PATH changes', () => {
    process.env['PATH'] = ['empty', 'notexec', 'first', 'second'].map((d) => join(dir, d)).join(':');
    expect(sshProgram()).to.equal(join(dir, 'first', 'ssh'));
    process.env['PATH'] = [join(dir, 'second'), join(dir, 'first')].join(':');
    expect(sshProgram()).to.equal(join(dir, 'second', 'ssh'));
    const session = new SshConnection({ kind: 'ssh', host: 'h', address: '10.0.0.5', user: 'root', become: false, commonArgs: [] }, defaultSshSettings())
      .sessionArgv('true');
    expect(session[0]).to.equal(join(dir, 'second', 'ssh'));
  });

  it('is left to the spawn when PATH has no ssh, or a relative entry comes first', () => {
    process.env['PATH'] = join(dir, 'empty');
    expect(sshProgram()).to.equal('ssh');
    process.env['PATH'] = ['bin', join(dir, 'first')].join(':');
    expect(sshProgram()).to.equal('ssh');
  });
});
