import { expect } from 'chai';
import { LocalConnection } from '../../../engine/connection/local.js';
import { HostState } from '../../../engine/runner/host-state.js';
import type { ExecOptions, ExecResult, Fact } from '../../../engine/types.js';

/** A local connection that keeps every script it was given. */
class Recording extends LocalConnection {
  readonly scripts: string[] = [];
  override exec(script: string, options?: ExecOptions): Promise<ExecResult> {
    this.scripts.push(script);
    return super.exec(script, options);
  }
}

const fact = (id: string, command: string): Fact<string> => ({ id, command, parse: (r) => r.stdout });

describe('host state: commands and the facts read along', () => {
  const setup = (): { conn: Recording; state: HostState } => {
    const conn = new Recording({ kind: 'local', host: 'local', address: 'localhost', become: false, commonArgs: [] });
    const state = new HostState(conn, () => undefined);
    state.expect({ asked: new Map([['later', fact('later', 'echo later')]]) });
    return { conn, state };
  };

  it('reads the facts the waiting checks asked along with a command, answering them at the new epoch', async () => {
    const { conn, state } = setup();
    const result = await state.runCommand('echo cmd');
    expect(result.stdout).to.equal('cmd\n');
    expect(conn.scripts[0]).to.contain('echo later');
    expect(state.epoch).to.equal(1);
    expect(await state.batcher.get(fact('later', 'echo later'))).to.equal('later\n');
    expect(conn.stats.execs).to.equal(1);
  });

  it('reads nothing along with a poll, a command with a timeout, or when no check waits', async () => {
    const { conn, state } = setup();
    await state.runCommand('echo poll', { poll: true });
    await state.runCommand('echo timed', { timeoutMs: 5000 });
    expect(conn.scripts).to.deep.equal(['echo poll', 'echo timed']);
    const wishes = { asked: new Map([['x', fact('x', 'echo x')]]) };
    state.expect(wishes);
    state.forget(wishes);
    expect(state.expectedFacts().map((f) => f.id)).to.deep.equal(['later']);
  });
});
