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

  it('parses one line per key in order (captured)', () => {
    expect(parseSysctlFact(['a.b', 'c.d', 'e.f'], '=1\n!\n=32768 60999\n')).to.deep.equal({
      'a.b': '1',
      'c.d': undefined,
      'e.f': '32768 60999',
    });
  });
});
