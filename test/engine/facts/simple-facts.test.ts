import { expect } from 'chai';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFact } from '../../../engine/facts/command.js';
import { hostnameFact } from '../../../engine/facts/hostname.js';
import { pathExistsFact } from '../../../engine/facts/path-exists.js';
import type { Fact } from '../../../engine/types.js';
import { runSh } from '../ops/fake-context.js';

const read = async <T>(fact: Fact<T>): Promise<T> => fact.parse(await runSh(fact.command));

describe('facts: command, path exists, hostname', () => {
  it('commandFact returns code and output, and an exit inside cannot end the batch', async () => {
    const fact = commandFact('echo out; echo err >&2; exit 3');
    const batch = `${fact.command}\necho after`;
    const result = await runSh(batch);
    expect(result.stdout).to.equal('out\nafter\n');
    expect(await read(fact)).to.deep.equal({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('pathExistsFact sees files, directories and dangling symlinks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'play-exists-'));
    try {
      symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
      expect(await read(pathExistsFact(dir))).to.equal(true);
      expect(await read(pathExistsFact(join(dir, 'dangling')))).to.equal(true);
      expect(await read(pathExistsFact(join(dir, "no 'such'")))).to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hostnameFact reads uname -n', async () => {
    expect(await read(hostnameFact())).to.match(/^\S+$/);
    expect(() => hostnameFact().parse({ code: 0, stdout: '\n', stderr: '' })).to.throw(/no host name/);
  });
});
