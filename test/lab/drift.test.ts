// Issue 6: the drift catalog. Each drift is made by hand on a lab host of a converged cluster;
// `--check` must report exactly the drifted task(s) and change nothing (hashes, modes and owners
// of the managed files, service states, holds and sysctls before and after), a re-apply must
// change exactly those tasks plus their handlers, the next run must report changed=0, and every
// host must then be as it was before the drift (its snapshot from before, not just changed=0).
//
// The drifts are made in rounds (CI time: three rounds of three runs instead of fourteen): a
// round holds at most one drift per host, so what a run reports per host is exactly one drift's
// tasks, and a drift another one's fix would mask shows as its missing tasks. The round with
// keepalived killed on lb1 (the VIP moves to lb2) leaves lb2's haproxy and keepalived alone.
//
// Issue 16 item 5: all of it on a lab mixing Debian releases. The suite makes its lab anew with
// the README's `npm run lab -- up --mix` (lb1 bullseye, lb2 trixie, master1 bookworm, master2
// trixie, master3 bookworm, worker1 trixie, worker2 bullseye), so site.yml builds the cluster from
// fresh hosts of three releases, the next run changes nothing, and every drift below is made and
// fixed on a host of the release it names. It ends with `npm run lab -- up --release bookworm`,
// the lab as the other suites know it (fresh bookworm hosts where the release changed).
import { expect } from 'chai';
import { describeLab } from './harness.js';
import { labDown, labSsh } from './lab.js';
import { runReadmeMixCommand } from './readme-lab.js';
import { measure, playJson, playOutput, sh, shAll } from './lb-helpers.js';
import type { JsonReportDoc } from '../helpers/run-play.js';

const INVENTORY = 'inventories/lab';
const SITE = 'site.yml';
const HOSTS = ['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1', 'worker2'];

/** What a drift should make play report: host -> "role : task" (handlers included), sorted. */
type Expected = Record<string, string[]>;

interface Drift {
  name: string;
  /** The round it is made in (see the head of this file): one drift per host in a round. */
  round: 1 | 2 | 3;
  make: () => Promise<unknown>;
  expect: Expected;
  /**
   * What the fix rightly leaves behind, and the command that takes exactly that away again:
   * with it undone the host must match its snapshot from before the drift.
   */
  residue?: { host: string; why: string; undo: string };
}

// authorized_keys and known_hosts are hashed sorted: their line order means nothing to ssh, and
// ssh-trust only appends, so a dropped line comes back at the end.
const SNAPSHOT = String.raw`
for f in /etc/hosts /etc/fstab /etc/haproxy/haproxy.cfg /etc/keepalived/keepalived.conf \
  /etc/modules-load.d/k8s.conf /etc/sysctl.d/99-kubernetes.conf /root/.ssh/authorized_keys \
  /root/.ssh/known_hosts /etc/containerd/config.toml /etc/kubernetes/kubeadm-config.yaml \
  /root/.kube/config /etc/kubernetes/calico.yaml; do
  if [ ! -e "$f" ]; then echo "absent $f"; continue; fi
  case "$f" in
    */authorized_keys|*/known_hosts) hash=$(sort "$f" | sha256sum | cut -d' ' -f1) ;;
    *) hash=$(sha256sum < "$f" | cut -d' ' -f1) ;;
  esac
  echo "$f $hash $(stat -c '%a %U:%G' "$f")"
done
for s in haproxy keepalived containerd kubelet; do
  echo "$s $(systemctl is-enabled $s 2>/dev/null) $(systemctl is-active $s 2>/dev/null)"
done
echo "holds $(apt-mark showhold | tr '\n' ' ')"
echo "ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"
`;

/** Per host, one line per file, service, hold list and sysctl. */
async function snapshot(): Promise<Record<string, string[]>> {
  const text = await shAll(HOSTS, SNAPSHOT);
  return Object.fromEntries(Object.entries(text).map(([host, out]) => [host, out.trim().split('\n')]));
}

function changedByHost(doc: JsonReportDoc): Expected {
  const out: Expected = {};
  for (const [host, report] of Object.entries(doc.hosts)) {
    const changed = report.tasks.filter((t) => t.changed).map((t) => `${t.role} : ${t.task}`);
    if (changed.length) out[host] = changed.sort();
  }
  return out;
}

function sorted(expected: Expected): Expected {
  return Object.fromEntries(Object.entries(expected).map(([h, tasks]) => [h, [...tasks].sort()]));
}

const ROUNDS = [1, 2, 3] as const;

const DRIFTS: Drift[] = [
  {
    name: 'haproxy.cfg edited',
    round: 1,
    make: () => sh('lb1', "echo '# edited by hand' >> /etc/haproxy/haproxy.cfg"),
    expect: { lb1: ['haproxy : Write haproxy.cfg', 'haproxy : reload haproxy'] },
  },
  {
    name: 'haproxy stopped and disabled',
    round: 1,
    make: () => sh('lb2', 'systemctl disable --now haproxy'),
    expect: { lb2: ['haproxy : Enable and start haproxy'] },
  },
  {
    name: 'keepalived.conf edited',
    round: 2,
    make: () => sh('lb2', "sed -i 's/advert_int .*/advert_int 3/' /etc/keepalived/keepalived.conf"),
    expect: { lb2: ['keepalived : Write keepalived.conf', 'keepalived : restart keepalived'] },
  },
  {
    name: 'keepalived killed',
    round: 3,
    make: () => sh('lb1', 'systemctl kill -s KILL keepalived; sleep 1; ! systemctl is-active keepalived'),
    expect: { lb1: ['keepalived : Enable and start keepalived'] },
  },
  {
    name: 'swap line in fstab',
    round: 1,
    make: () => sh('worker2', "echo '/swapfile none swap sw 0 0' >> /etc/fstab"),
    expect: { worker2: ['common : Comment out swap in /etc/fstab'] },
    // Only the commented-out line may remain; if play had not commented it, sed finds nothing.
    residue: { host: 'worker2', why: 'the swap line stays, commented out', undo: "sed -i '\\|^#/swapfile none swap sw 0 0$|d' /etc/fstab" },
  },
  {
    name: 'br_netfilter modules-load file removed',
    round: 1,
    make: () => sh('worker1', 'rm /etc/modules-load.d/k8s.conf'),
    expect: { worker1: ['common : Load overlay and br_netfilter'] },
  },
  {
    name: 'a sysctl changed at runtime',
    round: 1,
    make: () => sh('master2', 'echo 0 > /proc/sys/net/ipv4/ip_forward'),
    expect: { master2: ['common : Set the Kubernetes sysctls'] },
  },
  {
    name: 'an authorized_keys line dropped',
    round: 1,
    make: () => sh('master3', "sed -i '/root@master2$/d' /root/.ssh/authorized_keys && ! grep -q 'root@master2$' /root/.ssh/authorized_keys"),
    expect: { master3: ["ssh-trust : Authorize every master's key"] },
  },
  {
    // A master rebuilt with new host keys: play's own line for its old key must go, not stay trusted.
    name: "a master's old host key left in known_hosts",
    round: 3,
    make: () =>
      sh(
        'master1',
        "k=$(mktemp -u) && ssh-keygen -q -t ed25519 -N '' -f $k && echo \"master2,172.29.10.22 $(cut -d' ' -f1,2 $k.pub)\" >> /root/.ssh/known_hosts && rm $k $k.pub && test $(grep -c '^master2,172.29.10.22 ssh-ed25519 ' /root/.ssh/known_hosts) = 2",
      ),
    expect: { master1: ["ssh-trust : Know every master's host keys"] },
  },
  {
    name: 'an /etc/hosts line changed',
    round: 2,
    make: () => sh('worker2', "sed -i 's/^172\\.29\\.10\\.21\\(\\s\\)/172.29.10.99\\1/' /etc/hosts && grep -q '^172.29.10.99' /etc/hosts"),
    expect: { worker2: ['common : Name the cluster hosts in /etc/hosts'] },
  },
  {
    name: 'SystemdCgroup flipped',
    round: 2,
    make: () => sh('worker1', "sed -i 's/SystemdCgroup = true/SystemdCgroup = false/' /etc/containerd/config.toml && grep -q 'SystemdCgroup = false' /etc/containerd/config.toml"),
    expect: { worker1: ['crio-or-docker : Write /etc/containerd/config.toml for kubelet', 'crio-or-docker : restart containerd'] },
  },
  {
    name: 'kubelet unheld',
    round: 1,
    make: () => sh('master1', 'apt-mark unhold kubelet'),
    expect: { master1: ['kubeadm : Install kubelet, kubeadm and kubectl (pinned, held)'] },
  },
  {
    name: "root's kubeconfig removed",
    round: 2,
    make: () => sh('master2', 'rm /root/.kube/config'),
    expect: { master2: ['kubeadm : Give root the admin kubeconfig'] },
  },
  {
    // Issue 15 item 4: a stopped kubelet is drift (the node goes NotReady).
    name: 'kubelet stopped on a worker',
    round: 3,
    make: () => sh('worker2', 'systemctl stop kubelet && ! systemctl is-active --quiet kubelet'),
    expect: { worker2: ['kubeadm : Keep kubelet running'] },
  },
  {
    name: 'kubeadm config edited',
    round: 2,
    make: () => sh('master1', "echo '# edited' >> /etc/kubernetes/kubeadm-config.yaml"),
    expect: { master1: ['kubeadm : Write the kubeadm config'] },
  },
];

/** Each host's Debian release and the versions of what the roles meet there, as the host says. */
const VERSIONS = String.raw`
. /etc/os-release; printf '%s ' "$VERSION_CODENAME"
for p in containerd haproxy keepalived openssh-server systemd etcd-server python3; do
  printf '%s=%s ' "$p" "$(dpkg-query -W -f '${'$'}{Version}' "$p" 2>/dev/null || echo -)"
done
`;

describeLab('issue 6 + 16: drift catalog on a lab cluster mixing bullseye, bookworm and trixie', function () {
  this.timeout(1_800_000);
  let caught = 0;
  let corrected = 0;

  before(async function () {
    this.timeout(3_600_000);
    await labDown();
    await runReadmeMixCommand('npm run lab -- up --mix');
    const releases = await Promise.all(HOSTS.map(async (h) => `${h}: ${(await labSsh(h, '. /etc/os-release; echo $VERSION_CODENAME')).stdout.trim()}`));
    expect(releases).to.deep.equal(['lb1: bullseye', 'lb2: trixie', 'master1: bookworm', 'master2: trixie', 'master3: bookworm', 'worker1: trixie', 'worker2: bullseye']);
    const build = await playJson('drift: build site.yml on the mixed lab', [SITE, '-i', INVENTORY]);
    expect(build.run.code, playOutput(build.run)).to.equal(0);
    const steady = await playJson('drift: steady-state run', [SITE, '-i', INVENTORY]);
    expect(steady.run.code, playOutput(steady.run)).to.equal(0);
    expect(changedByHost(steady.doc), 'a converged cluster changes nothing').to.deep.equal({});
    for (const [host, line] of Object.entries(await shAll(HOSTS, VERSIONS))) measure(`mixed lab: ${host}`, line.trim());
  });

  after(async function () {
    this.timeout(600_000);
    measure('drifts caught by --check / corrected by a re-run', `${caught} / ${corrected} of ${DRIFTS.length}`);
    await runReadmeMixCommand('npm run lab -- up --release bookworm');
  });

  it(`has at least 12 drifts across all roles (${DRIFTS.length})`, () => {
    expect(DRIFTS.length).to.be.at.least(12);
    const roles = new Set(DRIFTS.flatMap((d) => Object.values(d.expect).flat().map((t) => t.split(' : ')[0])));
    expect([...roles].sort()).to.deep.equal(['common', 'crio-or-docker', 'haproxy', 'keepalived', 'kubeadm', 'ssh-trust']);
  });

  it('makes each round of at most one drift per host', () => {
    for (const round of ROUNDS) {
      const hosts = DRIFTS.filter((d) => d.round === round).flatMap((d) => Object.keys(d.expect));
      expect(hosts, `round ${round}`).to.deep.equal([...new Set(hosts)]);
    }
  });

  for (const round of ROUNDS) {
    const drifts = DRIFTS.filter((d) => d.round === round);
    it(`round ${round} (${drifts.map((d) => d.name).join('; ')}): --check reports exactly them and changes nothing; a re-run restores the hosts as they were`, async () => {
      const expected = sorted(Object.assign({}, ...drifts.map((d) => d.expect)) as Expected);
      const label = `drift round ${round}`;
      const pristine = await snapshot();
      let drifted = pristine;
      for (const drift of drifts) {
        await drift.make();
        const after = await snapshot();
        expect(after, `${drift.name}: the snapshot does not see this drift: it could not tell a fix from none`).not.to.deep.equal(drifted);
        drifted = after;
      }
      const check = await playJson(`${label}: --check`, [SITE, '-i', INVENTORY, '--check']);
      expect(check.run.code, playOutput(check.run)).to.equal(0);
      expect(changedByHost(check.doc), '--check reports').to.deep.equal(expected);
      expect(await snapshot(), '--check changed something on a host').to.deep.equal(drifted);
      caught += drifts.length;

      const fix = await playJson(`${label}: re-apply`, [SITE, '-i', INVENTORY]);
      expect(fix.run.code, playOutput(fix.run)).to.equal(0);
      expect(changedByHost(fix.doc), 're-apply changed').to.deep.equal(expected);

      const again = await playJson(`${label}: next run`, [SITE, '-i', INVENTORY]);
      expect(again.run.code, playOutput(again.run)).to.equal(0);
      expect(changedByHost(again.doc), 'the run after the fix').to.deep.equal({});
      const residues = drifts.flatMap((d) => (d.residue ? [d.residue] : []));
      for (const residue of residues) await sh(residue.host, residue.undo);
      const why = residues.map((r) => ` (${r.why}, undone)`).join('');
      expect(await snapshot(), `the hosts after the fix differ from before the drifts${why}`).to.deep.equal(pristine);
      corrected += drifts.length;
    });
  }
});
