import { expect } from 'chai';
import { parseServiceFact, serviceFact, splitShowOutput } from '../../../engine/facts/service.js';

// systemctl is present on the controller but systemd is not PID 1, so `systemctl show` cannot
// answer here. These outputs follow systemctl(1)'s show format: one Property=value per line, in
// systemd's property order (not the order asked), exit 0 even for a unit that does not exist.
const RUNNING = 'LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\nNeedDaemonReload=no\n';
const NOT_FOUND = 'NeedDaemonReload=no\nLoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n';
const MASKED = 'LoadState=masked\nActiveState=inactive\nSubState=dead\nUnitFileState=masked\nNeedDaemonReload=no\n';
const CHANGED = 'LoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=disabled\nNeedDaemonReload=yes\n';

const parse = (stdout: string, code = 0) => parseServiceFact('service:x', { code, stdout, stderr: '' });

describe('facts/service', () => {
  it('asks every property in one systemctl show', () => {
    expect(serviceFact('haproxy').command).to.equal(
      'systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- haproxy',
    );
  });

  it('asks several units in one systemctl show and splits its blocks back (format seen on a lab host)', () => {
    const group = serviceFact('ssh').group!;
    expect(group.command(['ssh', 'nosuch.service'])).to.equal(
      'systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- ssh nosuch.service',
    );
    const parts = splitShowOutput({ code: 0, stdout: `${RUNNING}\n${NOT_FOUND}`, stderr: '' }, ['ssh', 'nosuch.service']);
    expect(parts.map((p) => parse(p.stdout))).to.deep.equal([parse(RUNNING), parse(NOT_FOUND)]);
    expect(() => splitShowOutput({ code: 0, stdout: RUNNING, stderr: '' }, ['a', 'b'])).to.throw(/1 blocks for 2 units/);
    const failed = { code: 1, stdout: '', stderr: 'Failed to connect to bus' };
    expect(splitShowOutput(failed, ['a', 'b', 'c'])).to.deep.equal([failed, failed, failed]);
  });

  it('parses a running enabled unit', () => {
    expect(parse(RUNNING)).to.deep.equal({
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      unitFileState: 'enabled',
      needDaemonReload: false,
    });
  });

  it('parses a unit that does not exist, whatever the property order', () => {
    expect(parse(NOT_FOUND)).to.deep.include({ loadState: 'not-found', activeState: 'inactive', unitFileState: '' });
  });

  it('parses masked and changed-on-disk units', () => {
    expect(parse(MASKED)).to.deep.include({ loadState: 'masked', unitFileState: 'masked' });
    expect(parse(CHANGED)).to.deep.include({ activeState: 'failed', unitFileState: 'disabled', needDaemonReload: true });
  });

  it('fails clearly without systemd (output captured on the controller)', () => {
    const result = {
      code: 1,
      stdout: '',
      stderr: "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n",
    };
    expect(() => parseServiceFact('service:ssh', result)).to.throw(/service:ssh: systemctl show gave no unit state: .*Host is down/s);
  });
});
