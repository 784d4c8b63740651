/** Issue 15 item 3: kubeadm's certificates are renewed before they expire, one master at a time. */
import { expect } from 'chai';
import type { ExecResult } from '../../engine/types.js';
import { VarsError } from '../../engine/errors.js';
import kubeadm from '../../roles/kubeadm/index.js';
import { certRenewalTask, expiringAuthorities, expiryFact, formatExpiry, parseCheckExpiration, planRenewal } from '../../roles/kubeadm/cert-renewal.js';
import type { KubeadmVars } from '../../roles/kubeadm/vars.js';
import { converge } from './helpers/fake-cluster.js';
import { clusterInventory, convergedKubeadmHost, expiryAnswer, fakeCluster, NODES, resolvedVars } from './kubeadm-fixtures.js';

const NOW = new Date(Date.UTC(2026, 11, 5, 9, 0));
const report = (leafDays: number, apiserverDays = leafDays) => {
  const [clock, ...table] = expiryAnswer(leafDays, apiserverDays).split('\n');
  return parseCheckExpiration(table.join('\n'), new Date(Number(clock) * 1000));
};

describe('certificate renewal: the decisions', () => {
  it('reads both tables of kubeadm certs check-expiration, leaving out a !MISSING! row', () => {
    const text = `${expiryAnswer(364).split('\n').slice(1).join('\n')}`.replace(/^super-admin\.conf .*$/m, '!MISSING! super-admin.conf');
    const r = parseCheckExpiration(text, NOW);
    expect(r.certificates.map((c) => c.name)).to.deep.equal([
      'admin.conf', 'apiserver', 'apiserver-etcd-client', 'apiserver-kubelet-client', 'controller-manager.conf',
      'etcd-healthcheck-client', 'etcd-peer', 'etcd-server', 'front-proxy-client', 'scheduler.conf',
    ]);
    expect(r.authorities.map((c) => c.name)).to.deep.equal(['ca', 'etcd-ca', 'front-proxy-ca']);
    expect(formatExpiry(r.certificates[1]!.expires)).to.equal('Dec 04, 2027 09:00 UTC');
    expect(() => parseCheckExpiration('error execution phase', NOW)).to.throw(/no certificate table/);
  });

  it('renews when the soonest certificate has fewer days left than kube_cert_renew_days, naming it and its date', () => {
    expect(planRenewal(report(364), 30, 'master1')).to.deep.include({ due: false });
    expect(planRenewal(report(364), 30, 'master1').summary).to.equal('certificates valid: the first, admin.conf expires Dec 04, 2027 09:00 UTC (in 364 days); renewed under 30 days');
    const due = planRenewal(report(364, 9), 30, 'master1');
    expect(due.due).to.equal(true);
    expect(due.summary).to.equal('apiserver expires Dec 14, 2026 09:00 UTC (in 9 days), under kube_cert_renew_days 30: kubeadm certs renew all, restart etcd, kube-apiserver, kube-controller-manager, kube-scheduler');
    expect(planRenewal(report(30), 30, 'm').due).to.equal(false);
    expect(planRenewal(report(29), 30, 'm').due).to.equal(true);
    expect(planRenewal(report(-3), 30, 'm').summary).to.match(/3 days ago/);
  });

  it('leaves externally managed certificates to their owner, and warns about a CA it cannot renew', () => {
    const r = report(364, 5);
    const external = { ...r, certificates: r.certificates.map((c) => (c.name === 'apiserver' ? { ...c, externallyManaged: true } : c)) };
    expect(planRenewal(external, 30, 'm').due).to.equal(false);
    expect(expiringAuthorities(r, 30)).to.deep.equal([]);
    expect(expiringAuthorities(r, 3650)).to.deep.equal(['ca (Dec 01, 2036 09:00 UTC)', 'etcd-ca (Dec 01, 2036 09:00 UTC)', 'front-proxy-ca (Dec 01, 2036 09:00 UTC)']);
  });

  it('kube_cert_renew_days: 30 by default; a value that would renew on every run is refused, naming the key', () => {
    expect(resolvedVars(kubeadm, clusterInventory())('master1').certRenewDays).to.equal(30);
    expect(resolvedVars(kubeadm, clusterInventory({ kube_cert_renew_days: 60 }))('master1').certRenewDays).to.equal(60);
    expect(() => resolvedVars(kubeadm, clusterInventory({ kube_cert_renew_days: 400 }))('master1')).to.throw(VarsError, /kube_cert_renew_days/);
  });
});

/** A master's crictl and kubectl as the renewal sees them: pods come back with new ids after rmp. */
function renewingHost(host: string, log: string[]): (script: string) => ExecResult {
  let generation = 0;
  const ids = (): string => ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((p) => `${p}-${host}-${generation}`).join('\n');
  const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
  return (script) => {
    if (script === 'kubeadm certs renew all') log.push(`${host}: renew`);
    if (script.startsWith('grep -o')) return ok(`advertise-address.endpoint: 10.0.0.${host.slice(-1)}:6443\n`);
    if (/ pods .* -q$/.test(script)) return ok(`${ids()}\n`);
    if (/ rmp --force /.test(script)) {
      log.push(`${host}: rmp`);
      generation++;
    }
    if (/ get node /.test(script)) log.push(`${host}: answers`);
    return ok();
  };
}

describe('certificate renewal on the masters', () => {
  const varsOf = resolvedVars(kubeadm, clusterInventory());
  const task = certRenewalTask('Renew', (ctx) => ctx.vars.role !== 'worker');

  function cluster(leafDays: number, log: string[], checkMode = false) {
    const hosts = Object.fromEntries(NODES.map((h) => {
      const base = convergedKubeadmHost(varsOf(h));
      const facts = h.startsWith('master') ? { ...base.facts, [expiryFact.id]: expiryAnswer(leafDays) } : base.facts;
      return [h, { facts, run: renewingHost(h, log) }];
    }));
    return fakeCluster<KubeadmVars>(clusterInventory(), varsOf, hosts, checkMode);
  }

  it('renews, restarts the four control-plane pods and waits for the apiserver on its own endpoint, one master at a time', async () => {
    const log: string[] = [];
    const c = cluster(9, log);
    await Promise.all(NODES.map((h) => converge(task, c.ctx(h))));
    for (let i = 0; i < log.length; i += 3) {
      const host = log[i]!.split(':')[0];
      expect(log.slice(i, i + 3), log.join(', ')).to.deep.equal([`${host}: renew`, `${host}: rmp`, `${host}: answers`]);
    }
    expect(log.filter((l) => l.endsWith('renew')).map((l) => l.split(':')[0]).sort()).to.deep.equal(['master1', 'master2', 'master3']);
    const m2 = c.scripts('master2');
    expect(m2.find((s) => / rmp /.test(s))).to.equal(
      "crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock rmp --force etcd-master2-0 kube-apiserver-master2-0 kube-controller-manager-master2-0 kube-scheduler-master2-0",
    );
    expect(m2.find((s) => / pods /.test(s))).to.contain("--name '^(etcd|kube-apiserver|kube-controller-manager|kube-scheduler)-master2$'");
    expect(m2.find((s) => / get node /.test(s))).to.contain('--server https://10.0.0.2:6443 get node master2');
    expect(c.scripts('worker1')).to.deep.equal([]);
  });

  it('with time left it only reports the first expiry (ok, nothing run); under --check a due renewal changes nothing', async () => {
    const log: string[] = [];
    const quiet = cluster(364, log);
    const changes = await Promise.all(NODES.map((h) => converge(task, quiet.ctx(h))));
    expect(changes[0]).to.deep.include({ due: false, waitOnly: true });
    expect(log).to.deep.equal([]);
    const due = await task.check(cluster(9, log, true).ctx('master1'));
    expect(due).to.deep.include({ due: true });
    expect(due!.waitOnly).to.equal(undefined);
    expect(log).to.deep.equal([]);
  });

  it('a master not built yet has nothing to renew; a failing check-expiration fails naming the host', async () => {
    const base = convergedKubeadmHost(varsOf('master1'));
    const fresh = fakeCluster<KubeadmVars>(clusterInventory(), varsOf, { master1: { facts: { ...base.facts, [expiryFact.id]: 'none\n' } } });
    expect(await task.check(fresh.ctx('master1'))).to.equal(null);
    const failing = fakeCluster<KubeadmVars>(clusterInventory(), varsOf, {
      master1: { facts: { ...base.facts, [expiryFact.id]: { code: 1, stdout: '', stderr: 'error execution phase: unable to read config' } } },
    });
    const error = await task.check(failing.ctx('master1')).then(() => undefined, (e: Error) => e);
    expect(error?.message).to.match(/check-expiration failed on master1 \(exit 1\): error execution phase/);
  });
});
