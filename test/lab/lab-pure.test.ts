// The lab machinery's pure parts: no root, no lab needed.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSimulatedInstalls, poolFileName, projectRoot, realKubectlRoot, releaseFile, standinMinors, standinRepoDirs } from './repo.js';
import { shellQuote } from './ssh.js';
import { nextFreeAddress } from './state.js';
import { DEFAULT_HOSTS, MIX_LAYOUT, REAL_KUBECTL_VERSION, RELEASES, debianRepoPath } from './constants.js';
import { parseUpFlags, UsageError, withReleases } from './releases.js';
import { baseHash, buildSources } from './base.js';
import { inCgroups } from './machine.js';
import { findSecrets } from './secret-forms.js';
import { parseMemberList } from './etcd-helpers.js';
import { probeFigures } from './drill-helpers.js';
import { allHosts, fetchedKubeconfig, groupHosts, noChangeProblems, parseRecap, type InventoryListing } from './demo-verify.js';

describe('lab machinery (pure parts)', () => {
  it('reads apt-get -s output: new installs, upgrades, arch all', () => {
    const out = [
      'NOTE: This is only a simulation!',
      'Inst libc6 [2.36-9+deb12u4] (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])',
      'Inst keepalived (1:2.2.7-1+b2 Debian:12.15/oldstable [amd64])',
      'Inst ufw (0.36.2-1 Debian:12.15/oldstable [all])',
      'Conf ufw (0.36.2-1 Debian:12.15/oldstable [all])',
    ].join('\n');
    expect(parseSimulatedInstalls(out)).to.deep.equal([
      { name: 'libc6', version: '2.36-9+deb12u14', arch: 'amd64' },
      { name: 'keepalived', version: '1:2.2.7-1+b2', arch: 'amd64' },
      { name: 'ufw', version: '0.36.2-1', arch: 'all' },
    ]);
  });

  it('names pool files as apt-get download does (epoch colon as %3a)', () => {
    expect(poolFileName({ name: 'keepalived', version: '1:2.2.7-1+b2', arch: 'amd64' })).to.equal('keepalived_1%3a2.2.7-1+b2_amd64.deb');
  });

  it("reads etcdctl's member list (as etcd 3.4.23 prints it on a lab master)", () => {
    const out = [
      '4a58cbe09fac28ca, started, master3, https://172.29.10.23:2380, https://172.29.10.23:2379, false',
      '7e3b4af3516c6733, unstarted, , https://172.29.10.21:2380, , true',
      '',
    ].join('\n');
    expect(parseMemberList(out)).to.deep.equal([
      { id: '4a58cbe09fac28ca', status: 'started', name: 'master3', peerUrls: 'https://172.29.10.23:2380', clientUrls: 'https://172.29.10.23:2379', isLearner: false },
      { id: '7e3b4af3516c6733', status: 'unstarted', name: '', peerUrls: 'https://172.29.10.21:2380', clientUrls: '', isLearner: true },
    ]);
  });

  it('puts stand-ins in the pkgs.k8s.io-like folders by name', () => {
    const minors = standinMinors(['kubeadm_1.31.14-1.1_amd64.deb', 'kubelet_1.30.2-1.1_amd64.deb', 'kubeadm_1.30.2-1.1_amd64.deb']);
    expect(minors).to.deep.equal(['1.30', '1.31']);
    expect(standinRepoDirs('kubeadm_1.30.2-1.1_amd64.deb', minors)).to.deep.equal(['kubernetes/v1.30/deb']);
    expect(standinRepoDirs('cri-tools_1.31.0-1.1_amd64.deb', minors)).to.deep.equal(['kubernetes/v1.31/deb']);
    expect(standinRepoDirs('cri-o_1.31.14-1.1_amd64.deb', minors)).to.deep.equal(['cri-o/v1.31/deb']);
    expect(standinRepoDirs('play-standin-lib_1.0.0_all.deb', minors)).to.deep.equal(['kubernetes/v1.30/deb', 'cri-o/v1.30/deb', 'kubernetes/v1.31/deb', 'cri-o/v1.31/deb']);
    expect(standinRepoDirs('kubernetes-cni_1.4.0-1.1_amd64.deb', minors)).to.include('kubernetes/v1.31/deb');
  });

  it("the real kubectl: a missing tree is an error naming the fetch script; the lab inventories run its version, which build.sh builds", () => {
    expect(() => realKubectlRoot('/nonexistent/real-kubectl/root')).to.throw(/\/nonexistent\/real-kubectl\/root\/usr\/bin\/kubectl is missing: run test\/standins\/fetch-real-kubectl\.sh/);
    const root = projectRoot();
    for (const file of ['inventories/lab/group_vars/all.yml', 'inventories/lab-stacked/group_vars/all.yml', 'inventories/lab-vault/group_vars/all/main.yml']) {
      expect(/^kubernetes_version: (\S+)$/m.exec(readFileSync(join(root, file), 'utf8'))?.[1], file).to.equal(REAL_KUBECTL_VERSION);
    }
    const build = readFileSync(join(root, 'test/lab/standins/build.sh'), 'utf8');
    expect(/^kube_versions=\$\{KUBE_VERSIONS:-([^}]*)\}$/m.exec(build)?.[1]?.split(' ')).to.include(REAL_KUBECTL_VERSION);
    expect(/^real_kubectl_version=\$\{REAL_KUBECTL_VERSION:-([^}]*)\}$/m.exec(build)?.[1]).to.equal(REAL_KUBECTL_VERSION);
  });

  it('writes a Release file with sizes and hashes apt checks', () => {
    const text = releaseFile([['Packages', Buffer.from('abc')]]);
    expect(text).to.contain('SHA256:\n ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad        3 Packages\n');
    expect(text).to.contain('MD5Sum:\n 900150983cd24fb0d6963f7d28e17f72        3 Packages\n');
  });

  it('quotes words for the remote shell', () => {
    expect(shellQuote('plain-word_1.2/x')).to.equal('plain-word_1.2/x');
    expect(shellQuote("it's $(x)")).to.equal(`'it'\\''s $(x)'`);
    expect(shellQuote('')).to.equal(`''`);
  });

  it('gives added hosts the next free address from .41', () => {
    const hosts = DEFAULT_HOSTS.map((h) => ({ ...h }));
    expect(nextFreeAddress({ hosts })).to.equal('172.29.10.41');
    hosts.push({ name: 'w3', group: 'workers', address: '172.29.10.41' });
    expect(nextFreeAddress({ hosts })).to.equal('172.29.10.42');
  });

  it('passes cgroup paths and arguments as positional parameters, never in the script', () => {
    const { cmd, args } = inCgroups(['/sys/fs/cgroup/x y'], 'prog', ['$(rm -rf /)']);
    expect(cmd).to.equal('sh');
    expect(args.slice(2)).to.deep.equal(['sh', '1', '/sys/fs/cgroup/x y', 'prog', '$(rm -rf /)']);
    expect(args[1]).to.not.contain('x y');
  });

  it('finds a secret printed as is, JSON-escaped, shell-quoted, base64-encoded or inside a base64 blob at any offset', () => {
    const secret = "s3cr'et\\x";
    const blob = (text: string): string => Buffer.from(text).toString('base64');
    expect(findSecrets('nothing here ******** cGFzc3dvcmQ=', [secret])).to.equal(undefined);
    expect(findSecrets(`a ${secret} b`, ['zzzz', secret])).to.deep.equal({ index: 1, form: 'plain' });
    expect(findSecrets(JSON.stringify({ v: secret }), [secret])?.form).to.equal('json');
    expect(findSecrets(`echo 's3cr'\\''et\\x'`, [secret])?.form).to.equal('shell');
    expect(findSecrets(`printf %s ${blob(secret)} | base64 -d`, [secret])?.form).to.equal('base64');
    for (const lead of ['x', 'p=', 'pwd=', 'pass=']) { // offsets 1 and 2 (mod 3): its own encoding is not in the blob
      expect(findSecrets(`printf %s '${blob(`${lead}${secret}\n`)}' | base64 -d > "$tmp"`, [secret])?.form, lead).to.equal('inside base64');
    }
  });

  describe("the demo's last check (demo-verify)", () => {
    const listing = {
      _meta: { hostvars: { lb1: {}, master1: { kubeconfig_fetch_dir: '~/.kube/x' }, worker1: {}, worker2: {} } },
      all: { children: ['ungrouped', 'lb', 'k8s'] },
      lb: { hosts: ['lb1'] },
      k8s: { children: ['masters', 'workers'] },
      masters: { hosts: ['master1'] },
      workers: { hosts: ['worker1', 'worker2'] },
    } as unknown as InventoryListing;
    const recap = (changed: Record<string, number>): string =>
      `ok: [lb1] x\n\nPLAY RECAP ****\n${Object.entries(changed).map(([h, c]) => `${h.padEnd(27)}: ok=3    changed=${c}    unreachable=0    failed=0    skipped=1`).join('\n')}\n`;

    it('takes hosts and groups from the listing, children included', () => {
      expect(groupHosts(listing, 'k8s')).to.deep.equal(['master1', 'worker1', 'worker2']);
      expect(allHosts(listing)).to.deep.equal(['lb1', 'master1', 'worker1', 'worker2']);
      expect(fetchedKubeconfig(listing, ['master1'])).to.match(/\/\.kube\/x\/admin\.conf$/);
    });

    it('passes a second run only when every host has changed=0 in the recap', () => {
      const hosts = allHosts(listing);
      expect(noChangeProblems(parseRecap(recap({ lb1: 0, master1: 0, worker1: 0, worker2: 0 })), hosts)).to.deep.equal([]);
      expect(noChangeProblems(parseRecap(recap({ lb1: 0, master1: 1, worker1: 0, worker2: 0 })), hosts)).to.deep.equal([
        'master1: changed=1 failed=0 unreachable=0',
      ]);
      expect(noChangeProblems(parseRecap(recap({ lb1: 0, master1: 0, worker1: 0 })), hosts)).to.deep.equal(['worker2: no PLAY RECAP line']);
      expect(noChangeProblems(parseRecap('ERROR! something\n'), ['lb1'])).to.deep.equal(['lb1: no PLAY RECAP line']);
    });
  });

  it('reads a drill\'s probe samples: back after the VIP moved, failures and the longest wait after the power-off', () => {
    const at = (ms: number, value: string) => ({ at: 1_000_000 + ms, value });
    const samples = [at(-500, 'ok'), at(100, 'ok'), at(400, 'fail'), at(900, 'fail'), at(1300, 'ok'), at(1600, 'ok')];
    // powered off at 0, the VIP moved at 1000: the ok at 100 was served by the old holder
    expect(probeFigures(samples, 1_000_000, 1_001_000)).to.deep.equal({ backMs: 1300, failures: 2, longestGapMs: 1200 });
    // an ok ended after the VIP moved even with no failure seen: back at once
    expect(probeFigures([at(100, 'ok'), at(350, 'ok')], 1_000_000, 1_000_200)).to.deep.equal({ backMs: 350, failures: 0, longestGapMs: 250 });
    expect(probeFigures([at(100, 'ok'), at(400, 'fail')], 1_000_000, 1_000_200), 'never back').to.equal(undefined);
  });

  describe('releases per host (lab up --mix, --release)', () => {
    const names = DEFAULT_HOSTS.map((h) => h.name);

    it('--mix puts every release in the cluster, masters on bookworm and trixie only (bullseye\'s etcd 3.3 cannot be kubeadm\'s)', () => {
      const layout = parseUpFlags(['--mix'], names);
      expect(layout).to.deep.equal(MIX_LAYOUT);
      expect(new Set(Object.values(MIX_LAYOUT))).to.deep.equal(new Set(RELEASES));
      expect(Object.keys(MIX_LAYOUT).sort()).to.deep.equal([...names].sort());
      expect(MIX_LAYOUT.master1, 'kubeadm init runs on the oldest etcd: a newer member may join an older cluster').to.equal('bookworm');
      for (const master of ['master1', 'master2', 'master3']) expect(MIX_LAYOUT[master]).not.to.equal('bullseye');
    });

    it('--release RELEASE sets every host, HOST=RELEASE one, later flags win; no flag keeps the recorded releases', () => {
      expect(parseUpFlags([], names)).to.equal(undefined);
      expect(Object.values(parseUpFlags(['--release', 'trixie'], names)!)).to.deep.equal(names.map(() => 'trixie'));
      expect(parseUpFlags(['--mix', '--release=worker1=bookworm'], names)).to.deep.equal({ ...MIX_LAYOUT, worker1: 'bookworm' });
      expect(parseUpFlags(['--release', 'bullseye', '--release', 'lb2=trixie'], names)?.lb2).to.equal('trixie');
    });

    it('refuses an unknown release, host or argument without echoing it (exit 2 in the CLI)', () => {
      for (const args of [['--release', 'sid-secret'], ['--release', 'nohost-secret=trixie'], ['--frobnicate-secret'], ['--release']]) {
        expect(() => parseUpFlags(args, names), args.join(' ')).to.throw(UsageError).that.satisfies((e: Error) => !e.message.includes('secret'));
      }
    });

    it('records no release for the default one, so a bookworm-only state file is as before', () => {
      const mixed = withReleases(DEFAULT_HOSTS, MIX_LAYOUT);
      expect(mixed.find((h) => h.name === 'lb1')).to.deep.equal({ name: 'lb1', group: 'lb', address: '172.29.10.11', release: 'bullseye' });
      expect(mixed.find((h) => h.name === 'master1')).to.deep.equal({ name: 'master1', group: 'masters', address: '172.29.10.21' });
      expect(withReleases(mixed, parseUpFlags(['--release', 'bookworm'], names))).to.deep.equal(DEFAULT_HOSTS);
      expect(withReleases(mixed, undefined)).to.deep.equal(mixed);
    });

    it('gives each release its own base (own hash) and its own Debian folder; bookworm keeps the lab\'s old path', () => {
      expect(new Set(RELEASES.map((r) => baseHash(r))).size).to.equal(3);
      expect(RELEASES.map(debianRepoPath)).to.deep.equal(['debian-bullseye', 'debian', 'debian-trixie']);
      expect(buildSources('trixie')).to.contain('deb http://deb.debian.org/debian-security trixie-security main');
    });
  });
});
