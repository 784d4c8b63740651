import { expect } from 'chai';
import { LocalConnection } from '../../../engine/connection/local.js';
import { batchScript, FactBatcher, parseBatchOutput } from '../../../engine/runner/fact-batcher.js';
import type { Fact } from '../../../engine/types.js';

const local = (): LocalConnection =>
  new LocalConnection({ kind: 'local', host: 'local', address: 'localhost', become: false, commonArgs: [] });

const echoFact = (id: string, command: string): Fact<string> => ({ id, command, parse: (r) => `${r.code}:${r.stdout}` });

describe('fact batcher', () => {
  it('sends every fact asked in one tick in a single exec, each with its own output and code', async () => {
    const conn = local();
    const batcher = new FactBatcher(conn);
    const [a, b, c] = await Promise.all([
      batcher.get(echoFact('a', "printf 'one\\ntwo\\n'")),
      batcher.get(echoFact('b', 'echo "quote\' $(echo x)"; exit 3')),
      batcher.get(echoFact('c', 'printf ""')),
    ]);
    expect(a).to.equal('0:one\ntwo\n');
    expect(b).to.equal("3:quote' x\n");
    expect(c).to.equal('0:');
    expect(conn.stats.execs).to.equal(1);
  });

  it('caches a fact until invalidated', async () => {
    const conn = local();
    const batcher = new FactBatcher(conn);
    await batcher.get(echoFact('d', 'date +%N'));
    await batcher.get(echoFact('d', 'date +%N'));
    expect(conn.stats.execs).to.equal(1);
    batcher.invalidate();
    await batcher.get(echoFact('d', 'date +%N'));
    expect(conn.stats.execs).to.equal(2);
  });

  it('stdin of a fact command is /dev/null, never the rest of the script', async () => {
    const batcher = new FactBatcher(local());
    const [x, y] = await Promise.all([batcher.get(echoFact('x', 'cat')), batcher.get(echoFact('y', 'echo after'))]);
    expect(x).to.equal('0:');
    expect(y).to.equal('0:after\n');
  });

  it('parses the batch format and refuses a truncated one', () => {
    const out = `F 0 0 :${Buffer.from('hi').toString('base64')} :\nF 1 2 : :${Buffer.from('err').toString('base64')}\n`;
    expect(parseBatchOutput(out, 2)).to.deep.equal([
      { code: 0, stdout: 'hi', stderr: '' },
      { code: 2, stdout: '', stderr: 'err' },
    ]);
    expect(() => parseBatchOutput(out, 3)).to.throw(/missing result 2/);
    expect(batchScript(['true'])).to.include('mktemp -d');
  });
});
