import { expect } from 'chai';
import { TaskError } from '../../../engine/errors.js';
import { notThereYet, runMust } from '../../../engine/ops/index.js';
import { FakeContext } from './fake-context.js';

describe('ops/must: runMust and notThereYet', () => {
  it('runMust returns the result of a command that succeeds', async () => {
    const ctx = new FakeContext({ runResult: () => ({ code: 0, stdout: 'fine\n', stderr: '' }) });
    const result = await runMust(ctx, 'true', { label: 'a check' });
    expect(result.stdout).to.equal('fine\n');
    expect(ctx.ran).to.deep.equal(['true']);
  });

  it('runMust throws what failed, the exit code, the output tail, the hint and the report details', async () => {
    const stderr = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    const ctx = new FakeContext({ runResult: () => ({ code: 3, stdout: '', stderr }) });
    const err = await runMust(ctx, 'kubeadm init --config x', { label: 'kubeadm init', tailLines: 2, hint: 'Then reset.' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TaskError);
    expect((err as TaskError).message).to.equal('kubeadm init failed (exit 3): line 11\nline 12\nThen reset.');
    expect((err as TaskError).details).to.deep.equal({ command: 'kubeadm init', exitCode: 3, stderr });
  });

  it('runMust quotes stdout when stderr is empty, and names `what` over the label', async () => {
    const ctx = new FakeContext({ runResult: () => ({ code: 1, stdout: 'only here\n', stderr: '' }) });
    const err = (await runMust(ctx, 'x', { label: 'kubectl apply calico', what: 'kubectl apply -f calico.yaml' }).catch((e: unknown) => e)) as TaskError;
    expect(err.message).to.equal('kubectl apply -f calico.yaml failed (exit 1): only here');
    expect(err.details.command).to.equal('kubectl apply calico');
  });

  it('notThereYet is the would-be change under --check and an error in a real run', () => {
    const wouldBe = { summary: 'apply it once written' };
    expect(notThereYet(new FakeContext({ checkMode: true }), wouldBe, 'it is missing')).to.equal(wouldBe);
    expect(() => notThereYet(new FakeContext({ checkMode: false }), wouldBe, 'it is missing')).to.throw(TaskError, /^it is missing$/);
  });
});
