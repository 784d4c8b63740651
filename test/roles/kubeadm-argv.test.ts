// Issue 13 row 1: no bootstrap token or certificate key in any process's argv. The scripts the
// kubeadm role sends for a control-plane join and a worker join (and the first master's
// upload-certs, token create and token delete) are run here by /bin/sh with a kubeadm that records
// its argv and the config file it was given, so the test sees what `ps` would show.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kubeadm from '../../roles/kubeadm/index.js';
import { INITIALISED } from '../../roles/kube-shared/kube-paths.js';
import { converge } from './helpers/fake-cluster.js';
import { CA_HASH, clusterInventory, fakeCluster, freshKubeadmHost, NODES, resolvedVars, TOKEN } from './kubeadm-fixtures.js';

const RECORDER = `#!/bin/sh
# Records argv (one file per call) and, for --config, the file's mode and content.
n=$(ls "$LOG" | wc -l)
printf '%s\\n' "$@" > "$LOG/argv-$n"
prev=
for a in "$@"; do
  if [ "$prev" = --config ]; then stat -c %a "$a" > "$LOG/mode-$n"; cat "$a" > "$LOG/config-$n"; echo "$a" > "$LOG/path-$n"; fi
  prev=$a
done
`;

function runRecorded(script: string, dir: string): void {
  const result = spawnSync('/bin/sh', ['-c', 's=$(cat) && eval "$s"'], { input: script, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, LOG: join(dir, 'log') } });
  expect(result.status, result.stderr.toString()).to.equal(0);
}

describe('kubeadm secrets never reach a command line (issue 13 row 1)', () => {
  it('join, upload-certs, token create/delete: no token or certificate key in any argv; the config is 0600 and removed after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'play-argv-'));
    try {
      for (const d of ['bin', 'log']) mkdirSync(join(dir, d));
      writeFileSync(join(dir, 'bin/kubeadm'), RECORDER);
      chmodSync(join(dir, 'bin/kubeadm'), 0o755);
      const inventory = clusterInventory();
      const varsOf = resolvedVars(kubeadm, inventory);
      const cluster = fakeCluster(inventory, varsOf, Object.fromEntries(NODES.map((h) => [h, freshKubeadmHost(varsOf(h))])));
      cluster.ctx('master1').publish(INITIALISED, true);
      const joinTask = kubeadm.tasks.find((t) => t.name === 'Join the cluster')!;
      await converge(joinTask, cluster.ctx('master2'));
      await converge(joinTask, cluster.ctx('worker1'));
      const scripts = [...cluster.ran.values()].flat().filter((s) => /\bkubeadm\b/.test(s));
      expect(scripts.length).to.be.greaterThan(4);
      for (const script of scripts) runRecorded(script, dir);

      const log = join(dir, 'log');
      const calls = readdirSync(log).filter((f) => f.startsWith('argv-'));
      expect(calls).to.have.length(scripts.length);
      const key = cluster.secrets.find((s) => /^[0-9a-f]{64}$/.test(s))!;
      const secrets = [TOKEN, TOKEN.split('.')[1]!, key];
      for (const call of calls) {
        const argv = readFileSync(join(log, call), 'utf8');
        for (const secret of secrets) expect(argv, `${call}: ${argv}`).not.to.contain(secret);
      }
      // The secrets did reach kubeadm: in the config files, which were 0600 and are gone.
      const configs = readdirSync(log).filter((f) => f.startsWith('config-'));
      expect(configs).to.have.length(3); // upload-certs, master2's join, worker1's join
      const all = configs.map((c) => readFileSync(join(log, c), 'utf8')).join('\n');
      expect(all).to.contain(`token: "${TOKEN}"`).and.to.contain(`certificateKey: "${key}"`).and.to.contain(CA_HASH);
      for (const mode of readdirSync(log).filter((f) => f.startsWith('mode-'))) expect(readFileSync(join(log, mode), 'utf8').trim()).to.equal('600');
      for (const path of readdirSync(log).filter((f) => f.startsWith('path-'))) expect(existsSync(readFileSync(join(log, path), 'utf8').trim()), 'config removed').to.equal(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
