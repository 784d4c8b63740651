import { expect } from 'chai';
import { TaskError } from '../../../engine/errors.js';
import { DEFAULT_CACHE_VALID_SEC, packages } from '../../../engine/ops/packages.js';
import { FINISH_INTERRUPTED_DPKG, refreshStaleIndex } from '../../../engine/ops/apt-scripts.js';
import { FakeContext, converge } from './fake-context.js';

// dpkg-query lines as the apt fact asks for them (see test/engine/facts/packages.test.ts).
const dpkg = (...lines: string[]) => ({ code: lines.length ? 0 : 1, stdout: lines.map((l) => `${l}\n`).join(''), stderr: '' });
const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

describe('ops/packages (apt, canned facts)', () => {
  it('installs what is missing, holding it after, with the cache refreshed first', async () => {
    const ctx = new FakeContext({ facts: { 'packages:haproxy,keepalived': dpkg('keepalived\tamd64\tii \t1:2.2.7-1') } });
    const change = await converge(packages('lb', () => ({ names: ['haproxy', 'keepalived'], hold: true, updateCache: true })), ctx);
    expect(change?.summary).to.equal('not installed: haproxy, not held: keepalived');
    expect(ctx.ran).to.deep.equal([
      [
        'set -e',
        // an install first finishes what an interrupted dpkg left (a host that lost power mid-install)
        FINISH_INTERRUPTED_DPKG,
        refreshStaleIndex(DEFAULT_CACHE_VALID_SEC),
        `${APT} install --no-install-recommends -- haproxy`,
        'apt-mark hold -- haproxy keepalived',
        '',
      ].join('\n'),
    ]);
    expect(ctx.factBatches).to.deep.equal([['packages:haproxy,keepalived']]);
  });

  it('moves a held package to its pinned version, allowing the held change and a downgrade', async () => {
    const facts = { 'packages:kubeadm,kubelet': dpkg('kubeadm\tamd64\thi \t1.30.1-1.1', 'kubelet\tamd64\thi \t1.30.2-1.1') };
    const ctx = new FakeContext({ facts });
    const task = packages('k8s', () => ({
      names: ['kubeadm', 'kubelet'],
      versions: { kubeadm: '1.30.2-1.1', kubelet: '1.30.2-1.1' },
      hold: true,
      updateCache: true,
    }));
    const change = await converge(task, ctx);
    expect(change?.summary).to.equal('version kubeadm 1.30.1-1.1 -> 1.30.2-1.1');
    expect(ctx.ran[0]).to.contain(
      `${APT} install --no-install-recommends --allow-downgrades --allow-change-held-packages -- kubeadm=1.30.2-1.1\n`,
    );
    // apt-get install of a held package at another version sets it back to install (seen on the
    // lab: no hold after an upgrade): the moved package is held again, the other one is left alone.
    expect(ctx.ran[0]).to.contain('apt-mark hold -- kubeadm\n');
    expect(ctx.ran[0]).not.to.contain('kubelet\n');
  });

  it('is converged when installed (and held if asked): runs nothing, not even apt-get update', async () => {
    const ctx = new FakeContext({ facts: { 'packages:kubeadm': dpkg('kubeadm\tamd64\thi \t1.30.2-1.1') } });
    const task = packages('k8s', () => ({ names: ['kubeadm'], versions: { kubeadm: '1.30.*' }, hold: true, updateCache: true }));
    expect(await converge(task, ctx)).to.equal(null);
    expect(ctx.ran).to.deep.equal([]);
  });

  it('does not unhold a held package when hold is false or unset', async () => {
    const ctx = new FakeContext({ facts: { 'packages:kubeadm': dpkg('kubeadm\tamd64\thi \t1.30.2-1.1') } });
    expect(await converge(packages('k8s', () => ({ names: ['kubeadm'], hold: false })), ctx)).to.equal(null);
    expect(ctx.ran).to.deep.equal([]);
  });

  it('removes installed packages for state absent, and leaves removed ones alone', async () => {
    const facts = { 'packages:docker.io,podman': dpkg('docker.io\tamd64\thi \t20.10', 'podman\tamd64\trc \t4.3') };
    const ctx = new FakeContext({ facts });
    const change = await converge(packages('rm', () => ({ names: ['docker.io', 'podman'], state: 'absent', updateCache: true })), ctx);
    expect(change?.summary).to.equal('installed: docker.io');
    expect(ctx.ran).to.deep.equal([`set -e\n${APT} remove --allow-change-held-packages -- docker.io\n`]);
  });

  it('refuses versions for packages it was not asked to install', async () => {
    const ctx = new FakeContext({ facts: { 'packages:a': dpkg() } });
    const task = packages('x', () => ({ names: ['a'], versions: { b: '1' } }));
    let error: unknown;
    await task.check(ctx).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(TaskError);
    expect((error as Error).message).to.equal('versions name packages not in names: b');
  });

  it('fails at check time for dnf, before asking the host anything', async () => {
    const ctx = new FakeContext();
    let error: unknown;
    await packages('x', () => ({ names: ['haproxy'], manager: 'dnf' as const }))
      .check(ctx)
      .catch((err: unknown) => (error = err));
    expect((error as Error).message).to.equal('package manager dnf is not yet supported (only apt is)');
    expect(ctx.factBatches).to.deep.equal([]);
  });
});
