import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../../engine/errors.js';
import { command, commandTitle } from '../../../engine/ops/command.js';
import { FakeContext, converge } from './fake-context.js';

describe('ops/command (real, in a temp dir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-command-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every time without a guard and returns the result for register', async () => {
    const task = command('hello', () => ({ command: 'echo hello' }), { register: 'greeting' });
    expect(task.register).to.equal('greeting');
    const ctx = new FakeContext({ local: true });
    const change = await task.check(ctx);
    expect(change?.summary).to.equal('run: echo hello');
    expect(await task.apply(ctx, change!)).to.deep.equal({ code: 0, stdout: 'hello\n', stderr: '' });
  });

  it('creates: runs once, until the file it makes exists', async () => {
    const made = join(dir, 'joined');
    const task = command('join', () => ({ command: `touch '${made}'`, creates: made }));
    const first = new FakeContext({ local: true });
    expect(await converge(task, first)).not.to.equal(null);
    expect(existsSync(made)).to.equal(true);
    const again = new FakeContext({ local: true });
    expect(await converge(task, again)).to.equal(null);
    expect(again.ran).to.deep.equal([]);
  });

  it('removes: runs only while the path exists', async () => {
    const swap = join(dir, 'swapfile');
    const task = command('swapoff', () => ({ command: `rm '${swap}'`, removes: swap }));
    expect(await task.check(new FakeContext({ local: true }))).to.equal(null);
    writeFileSync(swap, '');
    expect(await converge(task, new FakeContext({ local: true }))).not.to.equal(null);
    expect(existsSync(swap)).to.equal(false);
  });

  it('unless: exit 0 means done; all guards go out in one fact batch', async () => {
    const state = join(dir, 'state');
    const task = command('mark', () => ({
      command: `echo done > '${state}'`,
      unless: `grep -q done '${state}'`,
      creates: join(dir, 'never'),
      removes: dir,
    }));
    const first = new FakeContext({ local: true });
    await converge(task, first);
    expect(readFileSync(state, 'utf8')).to.equal('done\n');
    expect(first.factBatches).to.have.length(1);
    expect(first.factBatches[0]).to.have.length(3);
    expect(await task.check(new FakeContext({ local: true }))).to.equal(null);
  });

  it('secret: the command text is in no summary, label or error', async () => {
    const task = command('token', () => ({ command: 'echo s3cr3t >/dev/null; exit 4', secret: true }));
    const ctx = new FakeContext({ local: true });
    const change = await task.check(ctx);
    expect(change?.summary).to.equal('run: command (hidden: secret)');
    let error: unknown;
    await task.apply(ctx, change!).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(TaskError);
    expect(JSON.stringify({ message: (error as TaskError).message, details: (error as TaskError).details })).not.to.contain('s3cr3t');
    expect((error as TaskError).details.exitCode).to.equal(4);
    expect(ctx.labels).to.deep.equal(['command (hidden: secret)']);
  });

  it('titles long or multi-line commands by their first line', () => {
    expect(commandTitle('kubeadm init \\\n  --config x')).to.equal('kubeadm init \\...');
    expect(commandTitle('x'.repeat(100), 10)).to.equal('xxxxxxxxxx...');
  });
});
