// Issue 15 item 3 on the lab: with the clock knob making kubeadm's certificates expire in 10 days,
// `--check` reports the dates and changes nothing, a site.yml run renews them on every master
// (kubeadm certs renew all, the control-plane pods restarted one master at a time: each apiserver
// then serves its renewed certificate, etcd keeps its members), the controller's admin.conf is
// refreshed, and the run after that changes nothing.
//
// State: runs on the cluster upgrade.test leaves (or builds it with inventories/lab) and leaves
// it built, with renewed certificates.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { labAgeCerts } from './clock.js';
import { expectEtcdMembers } from './etcd-helpers.js';
import { describeLab } from './harness.js';
import { DEFAULT_HOSTS } from './constants.js';
import { changedByHost, measure, playJson, playOutput, playText, sh } from './lb-helpers.js';

const INVENTORY = 'inventories/lab';
const MASTERS = ['master1', 'master2', 'master3'];
const FETCHED = join(homedir(), '.kube/play-lab/admin.conf');
const DAY_MS = 86_400_000;

const addressOf = (host: string): string => DEFAULT_HOSTS.find((h) => h.name === host)!.address;

/** Days until a PEM certificate's notAfter, as openssl reads it. */
function daysLeft(pem: string): number {
  const end = execFileSync('openssl', ['x509', '-noout', '-enddate'], { input: pem, encoding: 'utf8' }).trim().replace(/^notAfter=/, '');
  return Math.floor((Date.parse(end) - Date.now()) / DAY_MS);
}

/** The certificate the apiserver on a master serves (from the controller, over the lab bridge). */
function servedDays(host: string): number {
  const chain = execFileSync('openssl', ['s_client', '-connect', `${addressOf(host)}:6443`, '-showcerts'], { input: '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'], timeout: 10_000 });
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(chain)?.[0];
  if (!pem) throw new Error(`no certificate served by ${host}:6443`);
  return daysLeft(pem);
}

const clientCertDays = (kubeconfig: string): number =>
  daysLeft(Buffer.from(/client-certificate-data:\s*(\S+)/.exec(kubeconfig)![1]!, 'base64').toString('utf8'));

/** The residual days kubeadm prints for one certificate on a master. */
async function kubeadmResidual(host: string, cert: string): Promise<string> {
  const out = await sh(host, 'kubeadm certs check-expiration');
  const row = out.split('\n').find((l) => l.startsWith(`${cert} `));
  if (!row) throw new Error(`no ${cert} row in kubeadm certs check-expiration on ${host}:\n${out}`);
  return row.trim().split(/\s{2,}/)[2]!;
}

describeLab('issue 15: certificates are renewed before they expire', function () {
  this.timeout(1_200_000);

  before(async function () {
    this.timeout(900_000);
    const { run } = await playJson('certs: the cluster to start from (site.yml)', ['site.yml', '-i', INVENTORY]);
    expect(run.code, playOutput(run)).to.equal(0);
    for (const m of MASTERS) expect(servedDays(m), m).to.be.above(300);
  });

  it('with the clock knob at 10 days, --check names each master\'s first expiry and changes nothing', async () => {
    const aged = await labAgeCerts(10);
    expect(aged.map((a) => a.host)).to.deep.equal(MASTERS);
    for (const m of MASTERS) expect(await kubeadmResidual(m, 'apiserver'), m).to.match(/^(9|10)d$/);
    const { run } = await playText('certs: --check with 10 days left', ['site.yml', '-i', INVENTORY, '--check']);
    expect(run.code, playOutput(run)).to.equal(0);
    for (const m of MASTERS) {
      expect(run.stdout).to.match(new RegExp(`changed: \\[${m}\\] kubeadm : Renew the control-plane certificates before they expire => would change: \\S+ expires \\w{3} \\d{2}, \\d{4} \\d{2}:\\d{2} UTC \\(in (9|10) days\\), under kube_cert_renew_days 30`));
    }
    for (const m of MASTERS) expect(await kubeadmResidual(m, 'apiserver'), m).to.match(/^(9|10)d$/);
  });

  it('a run renews them on every master, restarts the control planes (each serves its new certificate) and refreshes admin.conf', async () => {
    const fetchedBefore = readFileSync(FETCHED, 'utf8');
    const { run, doc, seconds } = await playJson('certs: site.yml renews', ['site.yml', '-i', INVENTORY]);
    expect(run.code, playOutput(run)).to.equal(0);
    measure('certs: renewal run on 3 masters', seconds, 's');
    const changed = changedByHost(doc);
    for (const m of MASTERS) expect(changed[m], m).to.include('kubeadm : Renew the control-plane certificates before they expire');
    const allowed = /^kubeadm : (Renew the control-plane certificates before they expire|Give root the admin kubeconfig|Give the connecting user the admin kubeconfig|Fetch admin\.conf to the controller)$/;
    const others = Object.entries(changed).flatMap(([h, tasks]) => tasks.filter((t) => !allowed.test(t)).map((t) => `${h}: ${t}`));
    expect(others, others.join('\n')).to.deep.equal([]);
    for (const m of MASTERS) {
      expect(await kubeadmResidual(m, 'apiserver'), m).to.match(/^36[45]d$/);
      expect(await kubeadmResidual(m, 'admin.conf'), m).to.match(/^36[45]d$/);
      expect(servedDays(m), `${m} serves the renewed certificate`).to.be.above(360);
      expect(clientCertDays(await sh(m, 'cat /root/.kube/config')), `${m} root kubeconfig`).to.be.above(360);
    }
    const fetched = readFileSync(FETCHED, 'utf8');
    // The controller's copy is master1's renewed admin.conf (the knob aged only the hosts' files).
    expect(fetched).not.to.equal(fetchedBefore);
    const certData = (text: string): string | undefined => /client-certificate-data:\s*(\S+)/.exec(text)?.[1];
    expect(certData(fetched)).to.equal(certData(await sh('master1', 'cat /etc/kubernetes/admin.conf')));
    expect(clientCertDays(fetched)).to.be.above(360);
    await expectEtcdMembers(MASTERS);
    expect(await sh('master1', 'kubectl get nodes -o name')).to.contain('node/worker1');
  });

  it('the run after the renewal changes nothing and reports the new dates', async () => {
    const { run } = await playText('certs: the next run', ['site.yml', '-i', INVENTORY]);
    expect(run.code, playOutput(run)).to.equal(0);
    expect(run.stdout).to.match(/ok: \[master1\] kubeadm : Renew the control-plane certificates before they expire => certificates valid: the first, \S+ expires .* \(in 36[45] days\)/);
    expect(run.stdout).not.to.match(/changed: \[|changed=[1-9]/);
  });
});
