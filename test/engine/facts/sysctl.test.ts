import { expect } from 'chai';
import { TaskError } from '../../../engine/errors.js';
import { parseSysctlFact, sysctlFact, sysctlPath } from '../../../engine/facts/sysctl.js';
import { runSh } from '../ops/fake-context.js';

describe('facts/sysctl', () => {
  it('maps keys to /proc/sys paths like sysctl(8)', () => {
    expect(sysctlPath('net.ipv4.ip_forward')).to.equal('/proc/sys/net/ipv4/ip_forward');
    expect(sysctlPath('net/ipv4/conf/eth0.100/rp_filter')).to.equal('/proc/sys/net/ipv4/conf/eth0.100/rp_filter');
    expect(() => sysctlPath('net/../../etc/shadow')).to.throw(TaskError, /invalid sysctl key/);
    expect(() => sysctlPath('net..ipv4')).to.throw(TaskError);
  });

  it('reads runtime values for real: a tab-separated value is normalized, a missing key is undefined', async () => {
    const keys = ['net.ipv4.ip_forward', 'net.ipv4.ip_local_port_range', 'net.no_such.key'];
    const fact = sysctlFact(keys);
    const values = fact.parse(await runSh(fact.command));
    expect(values['net.ipv4.ip_forward']).to.match(/^[01]$/);
    expect(values['net.ipv4.ip_local_port_range']).to.match(/^\d+ \d+$/);
    expect(values).to.have.property('net.no_such.key', undefined);
  });

  it("parses head's sections (captured): missing keys are undefined, an empty value is ''", () => {
    const out = '==> /proc/sys/a/b <==\n1\n\n==> /proc/sys/e/f <==\n32768\t60999\n\n==> /proc/sys/g/h <==\n';
    expect(parseSysctlFact(['a.b', 'c.d', 'e.f', 'g.h'], out)).to.deep.equal({
      'a.b': '1',
      'c.d': undefined,
      'e.f': '32768 60999',
      'g.h': '',
    });
  });

  it('reads the keys of several facts with one command, each fact getting its own keys', async () => {
    const one = sysctlFact(['net.ipv4.ip_forward']);
    const two = sysctlFact(['net.ipv4.ip_local_port_range', 'net.no_such.key']);
    const command = one.group!.command([one.group!.arg, two.group!.arg]);
    expect(command.match(/head/g)).to.have.length(1);
    const result = await runSh(command);
    expect(one.parse(result)['net.ipv4.ip_forward']).to.match(/^[01]$/);
    expect(two.parse(result)).to.deep.include({ 'net.no_such.key': undefined });
    expect(two.parse(result)['net.ipv4.ip_local_port_range']).to.match(/^\d+ \d+$/);
  });

  it('refuses a key with whitespace (it could forge head output)', () => {
    expect(() => sysctlPath('net.ipv4.ip_forward\n==> x')).to.throw(/invalid sysctl key/);
  });
});
