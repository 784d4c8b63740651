/**
 * inventories/lab-vault is the lab's site written with Jinja2 and Vault; the README runs it on
 * the cluster inventories/lab built and promises no change. So every variable inventories/lab
 * sets must render to the same value from lab-vault, for every host (secrets compare masked):
 * a version or a repository bumped in one and not the other fails here, before any lab run.
 */
import { expect } from 'chai';
import { runPlay } from '../../helpers/run-play.js';

const HOSTS = ['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1', 'worker2'];

async function renderedVars(host: string, args: string[]): Promise<Record<string, unknown>> {
  const run = await runPlay(['vars', host, ...args]);
  expect(run.code, run.stderr).to.equal(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** A repository URL's {minor} is play's own marker (roles/kube-shared/apt-repos.ts): compare what it stands for. */
function withMinor(vars: Record<string, unknown>): Record<string, unknown> {
  const minor = String(vars['kubernetes_version']).split('.').slice(0, 2).join('.');
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' && k.endsWith('_package_repo') ? v.replaceAll('{minor}', minor) : v]));
}

describe('inventories/lab-vault renders the same site as inventories/lab', function () {
  this.timeout(60000);

  for (const host of HOSTS) {
    it(`${host}: every variable of inventories/lab has the same value`, async () => {
      const plain = await renderedVars(host, ['-i', 'inventories/lab']);
      const vaulted = await renderedVars(host, ['-i', 'inventories/lab-vault', '--vault-password-file', 'inventories/lab-vault.pass']);
      expect(Object.keys(plain).length, 'variables read from inventories/lab').to.be.greaterThan(10);
      const picked = Object.fromEntries(Object.keys(plain).map((key) => [key, vaulted[key]]));
      expect(picked).to.deep.equal(withMinor(plain));
    });
  }
});
