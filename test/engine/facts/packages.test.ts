import { expect } from 'chai';
import { TaskError } from '../../../engine/errors.js';
import { apt } from '../../../engine/facts/apt.js';
import { packagesFact } from '../../../engine/facts/packages.js';
import { runSh } from '../ops/fake-context.js';

describe('facts/packages (apt)', () => {
  it('queries dpkg for real on the controller (Debian): installed, version, not installed', async () => {
    const fact = packagesFact(['bash', 'coreutils', 'no-such-package-play'], 'apt');
    const result = await runSh(fact.command);
    expect(result.code, 'dpkg-query exits 1 when a name is unknown').to.equal(1);
    const states = fact.parse(result);
    expect(states['bash']?.installed).to.equal(true);
    expect(states['bash']?.version).to.match(/^5\./);
    expect(states['bash']?.held).to.equal(false);
    expect(states['no-such-package-play']).to.deep.equal({ installed: false, held: false });
  });

  // Captured from `dpkg-query -W -f='${Package}\t${Architecture}\t${db:Status-Abbrev}\t${Version}\n'`;
  // the held/removed/unknown lines follow dpkg-query(1)'s Status-Abbrev: want, status, error.
  it('parses held, removed-with-config, unknown and multi-arch packages', () => {
    const stdout = [
      'bash\tamd64\tii \t5.2.15-2+b8',
      'kubeadm\tamd64\thi \t1.30.2-1.1',
      'haproxy\tamd64\trc \t2.6.12-1+deb12u1',
      'keepalived\tamd64\tun \t',
      'libc6\tamd64\tii \t2.36-9+deb12u14',
      'libc6\ti386\tun \t',
      '',
    ].join('\n');
    const names = ['bash', 'kubeadm', 'haproxy', 'keepalived', 'libc6', 'libc6:i386', 'absent-one'];
    const states = apt.parseQuery(names, { code: 1, stdout, stderr: 'dpkg-query: no packages found matching absent-one\n' });
    expect(states).to.deep.equal({
      bash: { installed: true, version: '5.2.15-2+b8', held: false },
      kubeadm: { installed: true, version: '1.30.2-1.1', held: true },
      haproxy: { installed: false, held: false },
      keepalived: { installed: false, held: false },
      libc6: { installed: true, version: '2.36-9+deb12u14', held: false },
      'libc6:i386': { installed: false, held: false },
      'absent-one': { installed: false, held: false },
    });
  });

  it('fails on a dpkg-query error other than "not found"', () => {
    expect(() => apt.parseQuery(['x'], { code: 2, stdout: '', stderr: 'dpkg-query: error: parsing file' })).to.throw(TaskError, /dpkg-query failed/);
  });

  it('quotes names and never lists every package for an empty list', () => {
    expect(packagesFact(['haproxy', 'kube adm']).command).to.equal(
      "dpkg-query -W -f='${Package}\\t${Architecture}\\t${db:Status-Abbrev}\\t${Version}\\n' -- haproxy 'kube adm'",
    );
    const none = packagesFact([]);
    expect(none.command).to.equal(':');
    expect(none.parse({ code: 0, stdout: '', stderr: '' })).to.deep.equal({});
  });

  it('says dnf and yum are not yet supported when a check builds the fact', () => {
    expect(() => packagesFact(['haproxy'], 'dnf')).to.throw(TaskError, 'package manager dnf is not yet supported (only apt is)');
    expect(() => packagesFact(['haproxy'], 'yum')).to.throw(TaskError, /yum is not yet supported/);
  });

  it('matches pinned versions exactly or by a trailing-* prefix', () => {
    expect(apt.versionMatches('1.30.2-1.1', '1.30.2-1.1')).to.equal(true);
    expect(apt.versionMatches('1.30.2-1.1', '1.30.*')).to.equal(true);
    expect(apt.versionMatches('1.31.0-1.1', '1.30.*')).to.equal(false);
    expect(apt.versionMatches('1.30.2-1.1', '1.30.2')).to.equal(false);
  });
});
