import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostLock, lockScript } from '../../engine/connection/host-lock.js';
import { TaskError } from '../../engine/errors.js';

describe('per-host run lock', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'play-lock-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a second run is refused with the owner named while the first holds the lock, and gets it after', async () => {
    const file = join(dir, 'host.lock');
    const argv = (owner: string): string[] => ['/bin/sh', '-c', lockScript(owner, file)];
    const first = await HostLock.acquire('box', argv('run one'));
    try {
      await HostLock.acquire('box', argv('run two'));
      expect.fail('second lock taken');
    } catch (err) {
      expect(err).to.be.instanceOf(TaskError);
      expect((err as Error).message).to.match(/box is locked by another play run \(run one\)/);
    }
    first.release();
    await new Promise((r) => setTimeout(r, 100));
    const again = await HostLock.acquire('box', argv('run three'));
    again.release();
  });
});
