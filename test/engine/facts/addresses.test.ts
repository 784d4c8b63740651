import { expect } from 'chai';
import { addressesFact, interfaceWithAddress, parseAddresses } from '../../../engine/facts/addresses.js';
import { runSh } from '../ops/fake-context.js';

// Captured with `ip -o -4 addr show` (iproute2 6.1) in a scratch network namespace: a labeled
// /32 VIP, a secondary address, a point-to-point peer, and the controller's own eth0.
const CAPTURED = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '1: lo    inet 10.10.0.5/24 scope global lo\\       valid_lft forever preferred_lft forever',
  '1: lo    inet 10.10.0.100/32 scope global lo:vip\\       valid_lft forever preferred_lft forever',
  '1: lo    inet 10.10.0.6/24 scope global secondary lo\\       valid_lft forever preferred_lft forever',
  '2: veth-b    inet 172.16.2.1 peer 172.16.2.2/32 scope global veth-b\\       valid_lft forever preferred_lft forever',
  '4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever',
  '',
].join('\n');

describe('facts/addresses', () => {
  it('groups addresses by interface with prefix, scope, secondary and label', () => {
    const ifaces = parseAddresses({ code: 0, stdout: CAPTURED, stderr: '' });
    expect(ifaces.map((i) => i.name)).to.deep.equal(['lo', 'veth-b', 'eth0']);
    expect(ifaces[0]?.addresses).to.deep.equal([
      { address: '127.0.0.1', prefix: 8, scope: 'host', secondary: false, label: 'lo' },
      { address: '10.10.0.5', prefix: 24, scope: 'global', secondary: false, label: 'lo' },
      { address: '10.10.0.100', prefix: 32, scope: 'global', secondary: false, label: 'lo:vip' },
      { address: '10.10.0.6', prefix: 24, scope: 'global', secondary: true, label: 'lo' },
    ]);
    expect(ifaces[1]?.addresses[0]).to.deep.equal({
      address: '172.16.2.1',
      prefix: 32,
      peer: '172.16.2.2',
      scope: 'global',
      secondary: false,
      label: 'veth-b',
    });
    expect(ifaces[2]).to.deep.include({ index: 4, name: 'eth0' });
  });

  it('finds the interface carrying an address', () => {
    const ifaces = parseAddresses({ code: 0, stdout: CAPTURED, stderr: '' });
    expect(interfaceWithAddress(ifaces, '192.0.2.2')?.name).to.equal('eth0');
    expect(interfaceWithAddress(ifaces, '10.10.0.100')?.name).to.equal('lo');
    expect(interfaceWithAddress(ifaces, '10.9.9.9')).to.equal(undefined);
  });

  it('parses the controller for real (loopback is always there)', async () => {
    const fact = addressesFact();
    const ifaces = fact.parse(await runSh(fact.command));
    expect(interfaceWithAddress(ifaces, '127.0.0.1')?.name).to.equal('lo');
  });

  it('rejects output it does not understand', () => {
    expect(() => parseAddresses({ code: 0, stdout: 'garbage\n', stderr: '' })).to.throw(/unexpected line/);
    expect(() => parseAddresses({ code: 1, stdout: '', stderr: 'ip: not found' })).to.throw(/ip addr failed/);
  });
});
