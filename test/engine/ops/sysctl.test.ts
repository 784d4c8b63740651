import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSysctlRuntime, renderSysctlFile, sysctl } from '../../../engine/ops/sysctl.js';
import { OWNED_FILE_HEADER } from '../../../engine/ops/owned-file.js';
import { FakeContext, converge, runSh } from './fake-context.js';

describe('ops/sysctl', () => {
  it('renders the file with sorted keys, whatever the spec order', () => {
    expect(renderSysctlFile({ 'net.ipv4.ip_forward': 1, 'net.bridge.bridge-nf-call-iptables': '1' })).to.equal(
      `${OWNED_FILE_HEADER}net.bridge.bridge-nf-call-iptables = 1\nnet.ipv4.ip_forward = 1\n`,
    );
  });

  it('compares runtime values with whitespace normalized', () => {
    expect(planSysctlRuntime({ 'net.ipv4.ip_local_port_range': '32768   60999' }, { 'net.ipv4.ip_local_port_range': '32768 60999' }).summary).to.deep.equal([]);
    expect(planSysctlRuntime({ a: 1, b: 2 }, { a: '0' })).to.deep.equal({ set: { a: '1', b: '2' }, summary: ['a 0 -> 1', 'b (missing) -> 2'] });
  });

  it('writes the file and the runtime values that differ (canned)', async () => {
    const file = '/etc/sysctl.d/99-kubernetes.conf';
    const keys = ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables'];
    const content = renderSysctlFile({ 'net.ipv4.ip_forward': 1, 'net.bridge.bridge-nf-call-iptables': 1 });
    const facts = { [`file:${file}`]: 'missing\n', [`sysctl:${keys.join(',')}`]: '==> /proc/sys/net/ipv4/ip_forward <==\n0\n\n==> /proc/sys/net/bridge/bridge-nf-call-iptables <==\n1\n' };
    const ctx = new FakeContext({ facts });
    const task = sysctl('k8s', () => ({ file, values: { 'net.ipv4.ip_forward': 1, 'net.bridge.bridge-nf-call-iptables': 1 } }));
    const change = await converge(task, ctx);
    expect(change?.summary).to.equal(`${file}: create (3 lines), net.ipv4.ip_forward 0 -> 1`);
    expect(change?.diffs?.[0]?.after).to.equal(content);
    expect(ctx.ran).to.have.length(2);
    expect(ctx.ran[1]).to.equal("set -e\nprintf '%s\\n' 1 > /proc/sys/net/ipv4/ip_forward\n");
    expect(ctx.factBatches).to.have.length(1);
  });

  it('for real: converges the file when the runtime value already matches, then runs nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'play-sysctl-'));
    try {
      const current = (await runSh('cat /proc/sys/net/ipv4/ip_forward')).stdout.trim();
      const file = join(dir, '99-test.conf');
      const task = sysctl('t', () => ({ file, values: { 'net.ipv4.ip_forward': current } }));
      const ctx = new FakeContext({ local: true });
      const change = await converge(task, ctx);
      expect(change?.summary).to.equal(`${file}: create (2 lines)`);
      expect(ctx.ran).to.have.length(1);
      expect(readFileSync(file, 'utf8')).to.equal(`${OWNED_FILE_HEADER}net.ipv4.ip_forward = ${current}\n`);
      const again = new FakeContext({ local: true });
      expect(await converge(task, again)).to.equal(null);
      expect(again.ran).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
