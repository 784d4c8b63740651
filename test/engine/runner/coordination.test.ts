import { expect } from 'chai';
import { Coordination } from '../../../engine/runner/coordination.js';

describe('cross-host coordination', () => {
  it('once computes a value one time for every caller', async () => {
    const c = new Coordination();
    let calls = 0;
    const compute = async (): Promise<number> => ++calls;
    const values = await Promise.all([c.once('k', compute), c.once('k', compute), c.once('k', compute)]);
    expect(values).to.deep.equal([1, 1, 1]);
    expect(calls).to.equal(1);
  });

  it('exclusive runs one holder at a time', async () => {
    const c = new Coordination();
    let inside = 0;
    let most = 0;
    const work = (): Promise<void> =>
      c.exclusive('join', async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      });
    await Promise.all([work(), work(), work()]);
    expect(most).to.equal(1);
  });

  it('waitFor resolves on publish, also when published before', async () => {
    const c = new Coordination();
    c.flowStarted();
    c.flowStarted();
    const waiting = c.waitFor<string>('init');
    c.publish('init', 'done');
    expect(await waiting).to.equal('done');
    expect(await c.waitFor<string>('init')).to.equal('done');
  });

  it('waitFor fails instead of hanging when every running flow waits', async () => {
    const c = new Coordination();
    c.flowStarted();
    c.flowStarted();
    const first = c.waitFor('never');
    c.flowEnded(); // the only other flow ends without publishing
    try {
      await first;
      expect.fail('no error');
    } catch (err) {
      expect((err as Error).message).to.match(/waited for 'never', which no running host will provide/);
    }
  });
});
