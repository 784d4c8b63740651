import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../../engine/connection/local.js';
import { batchScript, FactBatcher, parseBatchOutput } from '../../../engine/runner/fact-batcher.js';
import type { Fact, FactGroup } from '../../../engine/types.js';

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

  it('keeps output without a final newline, and text that looks like a marker of another batch', async () => {
    const batcher = new FactBatcher(local());
    const [x, y] = await Promise.all([
      batcher.get(echoFact('nl', "printf 'no newline'; printf 'warn' >&2")),
      batcher.get(echoFact('fake', "printf '\\nplay-000 0 0\\nstill mine\\n'")),
    ]);
    expect(x).to.equal('0:no newline');
    expect(y).to.equal('0:\nplay-000 0 0\nstill mine\n');
  });

  describe('facts read along with a command (issue 17 item 2)', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'play-along-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('runs the command first, keeps its stdout, stderr and exit code exactly, and reads the facts after it in the same exec', async () => {
      const conn = local();
      const batcher = new FactBatcher(conn);
      const file = join(dir, 'made');
      const { result, facts } = await batcher.runThenRead(`printf 'out, no newline'; printf 'err' >&2; echo made > ${file}; cat; exit 4`, [
        echoFact('after', `cat ${file}`),
        echoFact('other', 'echo other; exit 2'),
      ]);
      expect(result).to.deep.equal({ code: 4, stdout: 'out, no newline', stderr: 'err' });
      expect(facts.get('after')).to.deep.equal({ code: 0, stdout: 'made\n', stderr: '' });
      expect(facts.get('other')).to.deep.equal({ code: 2, stdout: 'other\n', stderr: '' });
      expect(conn.stats.execs).to.equal(1);
      batcher.seed(facts);
      expect(await batcher.get(echoFact('after', `cat ${file}`))).to.equal('0:made\n');
      expect(conn.stats.execs).to.equal(1);
    });

    it('shares one command among grouped facts, as a batch does', async () => {
      const batcher = new FactBatcher(local());
      const group = (arg: string): FactGroup => ({
        key: 'echo-group',
        arg,
        command: (args) => `echo ${args.join(' ')}`,
        split: (r, args) => args.map((_, i) => ({ code: r.code, stdout: r.stdout.trim().split(' ')[i]!, stderr: '' })),
      });
      const { facts } = await batcher.runThenRead('true', [
        { ...echoFact('g1', 'echo g1'), group: group('x') },
        { ...echoFact('g2', 'echo g2'), group: group('y') },
      ]);
      expect(facts.get('g1')?.stdout).to.equal('x');
      expect(facts.get('g2')?.stdout).to.equal('y');
    });

    it("answers exec's own result and no facts when the script did not run as written", async () => {
      const batcher = new FactBatcher(local());
      const { result, facts } = await batcher.runThenRead('echo partial; kill -9 $$', [echoFact('never', 'echo never')]);
      expect(result.code).to.not.equal(0);
      expect(result.stdout).to.equal('partial\n');
      expect(facts.size).to.equal(0);
      const cut = await batcher.runThenRead('echo done; exit 3', [echoFact('dies', 'kill -9 $$')]);
      expect(cut.result).to.deep.equal({ code: 3, stdout: 'done\n', stderr: '' });
      expect(cut.facts.size).to.equal(0);
    });
  });

  it('parses the batch format and refuses a truncated one', () => {
    const m = 'play-abc';
    const out = `hi\n${m} 0 0\n\n${m} 1 2\n`;
    const err = `\n${m} 0\nerr\n${m} 1\n`;
    expect(parseBatchOutput(out, err, 2, m)).to.deep.equal([
      { code: 0, stdout: 'hi', stderr: '' },
      { code: 2, stdout: '', stderr: 'err' },
    ]);
    expect(() => parseBatchOutput(out, err, 3, m)).to.throw(/missing result 2/);
    expect(batchScript(['true'], m)).not.to.match(/mktemp|base64|cat /);
  });

  it('answers facts of one group with one command, each member getting its own part', async () => {
    const conn = local();
    const batcher = new FactBatcher(conn);
    const commands: string[] = [];
    const group = (arg: string): FactGroup => ({
      key: 'echo-lines',
      arg,
      command(args) {
        commands.push(args.join(','));
        return `printf '%s\\n' ${args.join(' ')}; echo grouped >&2`;
      },
      split: (result, args) => result.stdout.trim().split('\n').slice(0, args.length).map((line) => ({ code: 0, stdout: line, stderr: result.stderr })),
    });
    const member = (arg: string): Fact<string> => ({ id: `g:${arg}`, command: `echo alone-${arg}`, parse: (r) => `${r.stdout}|${r.stderr.trim()}`, group: group(arg) });
    const [a, b, c, lone] = await Promise.all([
      batcher.get(member('a')),
      batcher.get(member('b')),
      batcher.get(member('c')),
      batcher.get(echoFact('lone', 'echo lone')),
    ]);
    expect([a, b, c]).to.deep.equal(['a|grouped', 'b|grouped', 'c|grouped']);
    expect(lone).to.equal('0:lone\n');
    expect(commands).to.deep.equal(['a,b,c']);
    expect(conn.stats.execs).to.equal(1);
    // A group of one runs the fact's own command.
    expect(await new FactBatcher(conn).get(member('z'))).to.equal('alone-z\n|');
  });

  it('a group whose output cannot be split fails its members, not the batch', async () => {
    const batcher = new FactBatcher(local());
    const broken = (arg: string): Fact<string> => ({
      id: `b:${arg}`,
      command: 'true',
      parse: (r) => (r.code === 0 ? 'ok' : r.stderr),
      group: { key: 'broken', arg, command: () => 'true', split: () => { throw new Error('cannot split'); } },
    });
    const [x, y, z] = await Promise.all([batcher.get(broken('x')), batcher.get(broken('y')), batcher.get(echoFact('fine', 'echo fine'))]);
    expect([x, y]).to.deep.equal(['grouped fact: cannot split', 'grouped fact: cannot split']);
    expect(z).to.equal('0:fine\n');
  });

  it('gives each command its own stderr', async () => {
    const conn = local();
    const batcher = new FactBatcher(conn);
    const both = (id: string, text: string): Fact<string> => ({ id, command: `echo ${text} >&2`, parse: (r) => r.stderr });
    const [a, b] = await Promise.all([batcher.get(both('ea', 'first')), batcher.get(both('eb', 'second'))]);
    expect([a, b]).to.deep.equal(['first\n', 'second\n']);
  });
});
