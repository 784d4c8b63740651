// Fixed facts of the local lab: where things live on the controller, the hosts' addresses, and
// the recipes (base image, apt repository) whose hashes decide when a cache is rebuilt.

/** The Debian releases a lab host can run (all on LAB.mirror). */
export const RELEASES = ['bullseye', 'bookworm', 'trixie'] as const;
export type Release = (typeof RELEASES)[number];

export function isRelease(value: string): value is Release {
  return (RELEASES as readonly string[]).includes(value);
}

/** A lab host as the lab knows it. */
export interface LabHost {
  name: string;
  group: string;
  address: string;
  /** The Debian release it runs; absent means LAB.suite (state files from before releases). */
  release?: Release;
}

const STATE_DIR = '/var/lib/play-lab';
const CACHE_DIR = '/var/cache/play-lab';
const SUBNET_PREFIX = '172.29.10';

export const LAB = {
  stateDir: STATE_DIR,
  cacheDir: CACHE_DIR,
  stateFile: `${STATE_DIR}/state.json`,
  hostsDir: `${STATE_DIR}/hosts`,
  runDir: `${STATE_DIR}/run`,
  /**
   * Where the stand-ins kept a cluster's state in a folder shared by every host, before the
   * cluster lived in its etcd; still removed by `down` (labs made before).
   */
  clusterDir: `${STATE_DIR}/cluster`,
  /** The stand-ins' state folder on a host: its own, shared with no other host. */
  clusterMountPoint: '/var/lib/play-lab-cluster',
  /** Each host's own stand-in settings (playstandin/state.py HOST_SETTINGS). */
  standinSettingsPath: '/etc/play-standin/settings.json',
  sshDir: `${STATE_DIR}/ssh`,
  keyPath: `${STATE_DIR}/ssh/id_ed25519`,
  knownHostsPath: `${STATE_DIR}/ssh/known_hosts`,
  repoDir: `${CACHE_DIR}/repo`,
  bridge: 'playbr0',
  subnetPrefix: SUBNET_PREFIX,
  prefixLength: 24,
  controllerAddress: `${SUBNET_PREFIX}.1`,
  vip: `${SUBNET_PREFIX}.10`,
  stackedVip: `${SUBNET_PREFIX}.9`,
  repoPort: 8080,
  repoUrl: `http://${SUBNET_PREFIX}.1:8080`,
  /** The flat Debian repository every host's sources.list points at. */
  debianRepoUrl: `http://${SUBNET_PREFIX}.1:8080/debian`,
  /** A pkgs.k8s.io-like path (same flat repo) for the inventory var kube_package_repo. */
  kubeRepoUrl: `http://${SUBNET_PREFIX}.1:8080/kubernetes/v1.32/deb`,
  /** Same idea for cri-o (crio_package_repo). */
  crioRepoUrl: `http://${SUBNET_PREFIX}.1:8080/cri-o/v1.32/deb`,
  /**
   * Debian's real kubectl, unpacked (dpkg-deb -x) by test/standins/fetch-real-kubectl.sh (.ci/run
   * runs it): the repository's kubectl of REAL_KUBECTL_VERSION is this tree, repackaged.
   */
  realKubectlRoot: `${CACHE_DIR}/real-kubectl/root`,
  calicoManifestUrl: `http://${SUBNET_PREFIX}.1:8080/files/calico/calico-v3.28.0.yaml`,
  /** Added hosts take addresses from this last octet upward. */
  firstAddedOctet: 41,
  /** The default release: a host without one runs this. */
  suite: 'bookworm' as Release,
  mirror: 'http://deb.debian.org/debian',
  machinePrefix: 'lab-',
} as const;

/**
 * The Kubernetes version whose kubectl package in the lab repository is the real client (Debian
 * trixie's kubectl 1.32.3) and not the stand-in; the lab inventories' kubernetes_version.
 */
export const REAL_KUBECTL_VERSION = '1.32.3';

/**
 * What every lab host's stand-ins read from LAB.standinSettingsPath: the stand-in apiserver keeps
 * the cluster's objects in the stacked etcd, as the real one does (issue 16 item 1). A suite may
 * change a host's file for a while (cluster.test shortens the kubeadm-certs lifetime) and puts
 * this back.
 */
export const STANDIN_SETTINGS: Readonly<Record<string, string | number>> = { apiserver_storage: 'etcd' };

/**
 * `lab up --mix`: every release in the cluster, each role meeting at least two of them. The
 * masters are bookworm and trixie only: the stacked etcd is Debian's etcd-server of the host's
 * release (the stand-ins' etcd "image"), and bullseye's 3.3 lacks what kubeadm's etcd needs
 * (learner members, the flags of its static pod). master1 runs kubeadm init on bookworm's 3.4,
 * so trixie's 3.5 joins a 3.4 cluster (a newer member may join an older cluster, never the
 * reverse).
 */
export const MIX_LAYOUT: Readonly<Record<string, Release>> = {
  lb1: 'bullseye', lb2: 'trixie',
  master1: 'bookworm', master2: 'trixie', master3: 'bookworm',
  worker1: 'trixie', worker2: 'bullseye',
};

export function hostRelease(host: LabHost): Release {
  return host.release ?? LAB.suite;
}

/**
 * The flat Debian repository of a release on the lab's server: debian/ for the default release
 * (the path the lab had before it had releases, so its cached base stays valid), debian-RELEASE/
 * for the others.
 */
export function debianRepoPath(release: Release): string {
  return release === LAB.suite ? 'debian' : `debian-${release}`;
}

export const DEFAULT_HOSTS: readonly LabHost[] = [
  { name: 'lb1', group: 'lb', address: `${SUBNET_PREFIX}.11` },
  { name: 'lb2', group: 'lb', address: `${SUBNET_PREFIX}.12` },
  { name: 'master1', group: 'masters', address: `${SUBNET_PREFIX}.21` },
  { name: 'master2', group: 'masters', address: `${SUBNET_PREFIX}.22` },
  { name: 'master3', group: 'masters', address: `${SUBNET_PREFIX}.23` },
  { name: 'worker1', group: 'workers', address: `${SUBNET_PREFIX}.31` },
  { name: 'worker2', group: 'workers', address: `${SUBNET_PREFIX}.32` },
];

/**
 * Packages of the base image beyond debootstrap's minbase: what every lab host has before any
 * role runs. A change here changes the base's hash and so rebuilds it.
 */
export const BASE_PACKAGES: readonly string[] = [
  'systemd', 'systemd-sysv', 'dbus', 'libpam-systemd', 'openssh-server', 'iproute2', 'iputils-ping',
  'python3', 'python3-apt', 'procps', 'ca-certificates', 'openssl', 'curl', 'less', 'kmod', 'sudo',
  'netbase', 'apt-utils', 'lsb-release', 'tzdata',
];

/**
 * What the roles install: the lab repository holds these and every dependency the base lacks.
 * conntrack and iptables are the kubeadm role's (kubeadm's preflight needs them); they are not in
 * the base, so a cluster build on the lab shows that the role, not the base, brings them.
 */
export const REPO_PACKAGES: readonly string[] = [
  'keepalived', 'haproxy', 'containerd', 'docker.io', 'runc', 'iptables', 'ufw', 'socat', 'conntrack',
  'ebtables', 'ethtool', 'gnupg', 'apt-transport-https', 'jq', 'psmisc',
];
