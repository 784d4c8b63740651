import { expect } from 'chai';
import { TaskError } from '../../../engine/errors.js';
import { apt } from '../../../engine/facts/apt.js';
import { packagesFact } from '../../../engine/facts/packages.js';
import { runSh } from '../ops/fake-context.js';

const DEBIAN = 'play-os-release debian||12|Debian GNU/Linux 12 (bookworm)';

describe('facts/packages (apt)', () => {
  it('queries dpkg for real on the controller (Debian): installed, version, not installed', async () => {
    const fact = packagesFact(['bash', 'coreutils', 'no-such-package-play']);
    const result = await runSh(fact.command);
    expect(result.code, 'dpkg-query exits 1 when a name is unknown').to.equal(1);
    const found = fact.parse(result);
    expect(found.manager, 'chosen from this Debian controller\'s /etc/os-release').to.equal('apt');
    expect(found.os.id).to.equal('debian');
    const states = found.states;
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
    expect(packagesFact(['haproxy', 'kube adm']).command.split('\n')[1]).to.equal(
      "dpkg-query -W -f='${Package}\\t${Architecture}\\t${db:Status-Abbrev}\\t${Version}\\n' -- haproxy 'kube adm'",
    );
    const none = packagesFact([]);
    expect(none.command).not.to.contain('dpkg-query');
    expect(none.parse({ code: 0, stdout: DEBIAN, stderr: '' }).states).to.deep.equal({});
  });

  it('says dnf is not yet supported when a check builds the fact for it', () => {
    expect(() => packagesFact(['haproxy'], 'dnf')).to.throw(TaskError, 'package manager dnf is not yet supported (only apt is)');
  });

  it('chooses the manager from os-release ID, then ID_LIKE; refuses dnf hosts and unknown ones naming the OS', () => {
    const fact = packagesFact(['docker.io']);
    const parse = (osLine: string) => fact.parse({ code: 1, stdout: `${osLine}\n`, stderr: '' });
    expect(parse(DEBIAN).manager).to.equal('apt');
    expect(parse('play-os-release ubuntu|debian|24.04|Ubuntu 24.04.1 LTS').manager).to.equal('apt');
    expect(parse('play-os-release linuxmint|ubuntu debian|22|Linux Mint 22').manager).to.equal('apt');
    expect(() => parse('play-os-release rocky|rhel centos fedora|9.3|Rocky Linux 9.3 (Blue Onyx)')).to.throw(TaskError, /^Rocky Linux 9\.3 \(Blue Onyx\) uses dnf, which play does not support yet/);
    expect(() => parse('play-os-release alpine||3.20|')).to.throw(TaskError, /^alpine 3\.20: no package manager play knows/);
    expect(() => parse('')).to.throw(TaskError, /an OS without \/etc\/os-release/);
  });

  it('asks for a package under every family\'s name and reports it under the role\'s (docker.io)', () => {
    const fact = packagesFact(['docker.io']);
    expect(fact.command).to.match(/ -- docker\.io moby-engine$/);
    const found = fact.parse({ code: 0, stdout: `${DEBIAN}\ndocker.io\tamd64\tii \t26.1.5\n`, stderr: '' });
    expect(found.names).to.deep.equal({ 'docker.io': 'docker.io' });
    expect(found.states['docker.io']).to.deep.equal({ installed: true, version: '26.1.5', held: false });
  });

  it('matches pinned versions exactly or by a trailing-* prefix', () => {
    expect(apt.versionMatches('1.30.2-1.1', '1.30.2-1.1')).to.equal(true);
    expect(apt.versionMatches('1.30.2-1.1', '1.30.*')).to.equal(true);
    expect(apt.versionMatches('1.31.0-1.1', '1.30.*')).to.equal(false);
    expect(apt.versionMatches('1.30.2-1.1', '1.30.2')).to.equal(false);
  });
});
