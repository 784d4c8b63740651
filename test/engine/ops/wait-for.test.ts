import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../../engine/errors.js';
import { pathExistsFact } from '../../../engine/facts/path-exists.js';
import { waitFor } from '../../../engine/ops/wait-for.js';
import { FakeContext } from './fake-context.js';

describe('ops/waitFor', () => {
  it('is converged when the probe is already true, and not prefetched by default', async () => {
    const task = waitFor('up', () => ({ probe: async () => true, retries: 3, delayMs: 1, failMessage: 'never' }));
    expect(task.prefetch).to.equal(false);
    expect(await task.check(new FakeContext())).to.equal(null);
    expect(waitFor('x', () => ({ probe: async () => true, retries: 1, delayMs: 1, failMessage: '' }), { prefetch: true }).prefetch).to.equal(true);
  });

  it('check probes once (what --check reports); apply retries until ready', async () => {
    let calls = 0;
    const probe = async () => ++calls >= 3;
    const task = waitFor('api', () => ({ probe, retries: 5, delayMs: 1, failMessage: 'apiserver never came up' }));
    const ctx = new FakeContext();
    const change = await task.check(ctx);
    expect(change?.summary).to.equal('not ready: wait up to 5 x 1 ms');
    expect(calls).to.equal(1);
    await task.apply(ctx, change!);
    expect(calls).to.equal(3);
  });

  it('fails with the message after the last retry', async () => {
    const task = waitFor('api', () => ({ probe: async () => false, retries: 2, delayMs: 1, failMessage: 'apiserver never came up' }));
    const ctx = new FakeContext();
    let error: unknown;
    await task.apply(ctx, (await task.check(ctx))!).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(TaskError);
    expect((error as Error).message).to.equal('apiserver never came up (not ready after 2 tries, 1 ms apart)');
  });

  it('a fact probe is read fresh in apply (through run), for real', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'play-wait-'));
    try {
      const ready = join(dir, 'ready');
      const task = waitFor('file', () => ({ probe: pathExistsFact(ready), retries: 50, delayMs: 10, failMessage: 'no file' }));
      const ctx = new FakeContext({ local: true });
      const change = await task.check(ctx);
      expect(change).not.to.equal(null);
      setTimeout(() => writeFileSync(ready, ''), 50);
      await task.apply(ctx, change!);
      expect(ctx.ran.length).to.be.greaterThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a reading names what is awaited, why it failed, and when waiting is hopeless', async () => {
    let n = 0;
    const probe = async () => ({ ready: false, waiting: 'waited for b', why: `b: NotReady #${++n}` });
    const task = waitFor('nodes', () => ({ probe, retries: 2, delayMs: 1, waitOnly: true, failMessage: (last) => `gave up: ${last.why}` }));
    const ctx = new FakeContext();
    const change = (await task.check(ctx))!;
    expect(change.summary).to.equal('waited for b');
    expect(change.waitOnly).to.equal(true);
    const error = await task.apply(ctx, change).catch((err: unknown) => err);
    expect((error as Error).message).to.equal('gave up: b: NotReady #3');

    const hopeless = waitFor('nodes', () => ({ probe: async () => ({ ready: false, hopeless: 'no cluster' }), retries: 9, delayMs: 1, failMessage: 'x', pending: 'wait once there is one' }));
    expect((await hopeless.check(new FakeContext({ checkMode: true })))?.summary).to.equal('wait once there is one');
    const real = await hopeless.check(new FakeContext()).catch((err: unknown) => err);
    expect(real).to.be.instanceOf(TaskError);
    expect((real as Error).message).to.equal('no cluster');
  });
});
