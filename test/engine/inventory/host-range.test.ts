import { expect } from 'chai';
import { parseAddress } from '../../../engine/inventory/host-address.js';
import { expandHostRange, HostRangeError } from '../../../engine/inventory/host-range.js';

describe('inventory: host ranges', () => {
  it('keeps leading zeros to the width of begin', () => {
    expect(expandHostRange('node[01:03]')).to.deep.equal(['node01', 'node02', 'node03']);
    expect(expandHostRange('n[08:11].lab')).to.deep.equal(['n08.lab', 'n09.lab', 'n10.lab', 'n11.lab']);
  });
  it('counts without padding when begin has no leading zero', () => {
    expect(expandHostRange('h[8:10]')).to.deep.equal(['h8', 'h9', 'h10']);
  });
  it('expands alphabetic ranges', () => {
    expect(expandHostRange('web[a:c]')).to.deep.equal(['weba', 'webb', 'webc']);
    expect(expandHostRange('x[y:B]')).to.deep.equal(['xy', 'xz', 'xA', 'xB']);
  });
  it('takes a stride', () => {
    expect(expandHostRange('h[1:10:2]')).to.deep.equal(['h1', 'h3', 'h5', 'h7', 'h9']);
    expect(expandHostRange('h[a:e:2]')).to.deep.equal(['ha', 'hc', 'he']);
  });
  it('multiplies several ranges, an empty begin is 0', () => {
    expect(expandHostRange('r[1:2]-[a:b]')).to.deep.equal(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
    expect(expandHostRange('z[:1]')).to.deep.equal(['z0', 'z1']);
  });
  it('rejects bad ranges', () => {
    expect(() => expandHostRange('h[1]')).to.throw(HostRangeError, /begin:end/);
    expect(() => expandHostRange('h[1:]')).to.throw(HostRangeError, /end/);
    expect(() => expandHostRange('h[01:100]')).to.throw(HostRangeError, /same width/);
    expect(() => expandHostRange('h[c:a]')).to.throw(HostRangeError, /begin must be <= end/);
    expect(() => expandHostRange('h[1:a]')).to.throw(HostRangeError, /numbers or both single letters/);
    expect(() => expandHostRange('h[1:3:0]')).to.throw(HostRangeError, /zero/);
    expect(() => expandHostRange('h[1:3')).to.throw(HostRangeError);
  });
});

describe('inventory: host addresses', () => {
  it('splits host:port, keeps ranges and IPv6', () => {
    expect(parseAddress('web1:2222', false)).to.deep.equal({ host: 'web1', port: 2222 });
    expect(parseAddress('node[01:03]:22', true)).to.deep.equal({ host: 'node[01:03]', port: 22 });
    expect(parseAddress('node[01:03]', false)).to.equal(undefined);
    expect(parseAddress('10.0.0.1:22', false)).to.deep.equal({ host: '10.0.0.1', port: 22 });
    expect(parseAddress('fe80::1', false)).to.deep.equal({ host: 'fe80::1' });
    expect(parseAddress('[fe80::1]:2222', false)).to.deep.equal({ host: 'fe80::1', port: 2222 });
    expect(parseAddress('a:b', false)).to.equal(undefined);
    expect(parseAddress('bad_', false)).to.equal(undefined);
  });
});
