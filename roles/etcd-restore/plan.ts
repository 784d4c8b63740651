/**
 * Pure parts of the etcd restore: what each master's probe says (its etcd member's health, its
 * control-plane manifests), the member each etcd static pod defines, the --initial-cluster every
 * member is restored with, the restore command, whether a restore may run at all (quorum), and
 * whether the control plane has stopped.
 */
import { sh } from '../../engine/shell.js';

/** Where the control-plane manifests wait while the restore runs (outside the kubelet's staticPodPath). */
export const MANIFESTS_DIR = '/etc/kubernetes/manifests';
export const STAGED_DIR = '/etc/kubernetes/manifests-etcd-restore';
/** etcd and the apiserver must be there; the other two are stopped with them when present. */
export const REQUIRED_PODS = ['etcd', 'kube-apiserver'] as const;
export const CONTROL_PLANE_PODS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type ControlPlanePod = (typeof CONTROL_PLANE_PODS)[number];

/** Where a manifest was found: in the kubelet's folder, set aside by an interrupted restore, or nowhere. */
export type ManifestPlace = 'in-place' | 'staged' | 'missing';

export interface MasterProbe {
  /** `etcdctl endpoint health` against the master's own member succeeded (a committed proposal: quorum). */
  readonly healthy: boolean;
  /** The last line etcdctl printed (or why the host could not be asked). */
  readonly healthDetail: string;
  /** etcdctl's exit code: 127, the shell found no etcdctl. */
  readonly healthExit: number;
  readonly manifests: Readonly<Record<ControlPlanePod, { readonly place: ManifestPlace; readonly text: string }>>;
}

const MARK = '==play-etcd-restore==';

/** One script per master: its member's health, then each control-plane manifest where it is. */
export function probeScript(etcdctl: string): string {
  const lines = [`echo '${MARK} health'`, `${etcdctl} endpoint health 2>&1; echo "${MARK} exit $?"`];
  for (const pod of CONTROL_PLANE_PODS) {
    const live = `${MANIFESTS_DIR}/${pod}.yaml`;
    const staged = `${STAGED_DIR}/${pod}.yaml`;
    lines.push(
      `if [ -f ${live} ]; then echo '${MARK} ${pod} in-place'; cat ${live}; ` +
        `elif [ -f ${staged} ]; then echo '${MARK} ${pod} staged'; cat ${staged}; else echo '${MARK} ${pod} missing'; fi`,
    );
  }
  return lines.join('\n');
}

export function parseProbe(text: string): MasterProbe {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  let exit = NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      const head = line.slice(MARK.length + 1).trim();
      const code = /^exit (\d+)$/.exec(head);
      if (code) {
        exit = Number(code[1]);
        current = undefined;
        continue;
      }
      current = [];
      sections.set(head, current);
    } else {
      current?.push(line);
    }
  }
  const health = (sections.get('health') ?? []).map((l) => l.trim()).filter(Boolean);
  if (!sections.has('health') || Number.isNaN(exit)) throw new Error('the probe of the master printed no health section');
  const manifests = {} as Record<ControlPlanePod, { place: ManifestPlace; text: string }>;
  for (const pod of CONTROL_PLANE_PODS) {
    const place = (['in-place', 'staged', 'missing'] as const).find((p) => sections.has(`${pod} ${p}`));
    if (!place) throw new Error(`the probe of the master printed nothing about ${pod}.yaml`);
    manifests[pod] = { place, text: (sections.get(`${pod} ${place}`) ?? []).join('\n') };
  }
  return { healthy: exit === 0, healthDetail: health.at(-1) ?? `exit ${exit}`, healthExit: exit, manifests };
}

/** The etcd member a kubeadm etcd static pod runs. */
export interface EtcdMemberSpec {
  readonly name: string;
  readonly peerUrl: string;
  readonly dataDir: string;
}

/** The value of `- --flag=value` in a static pod manifest's command, quotes taken off. */
export function manifestFlag(text: string, flag: string): string | undefined {
  const re = new RegExp(`^\\s*-\\s*["']?--${flag.replace(/[-]/g, '\\-')}=([^"'\\s]*)["']?\\s*$`, 'm');
  return re.exec(text)?.[1];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PEER_URL = /^https:\/\/(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** --name, --initial-advertise-peer-urls (one URL) and --data-dir of kubeadm's etcd.yaml. */
export function parseEtcdManifest(text: string): EtcdMemberSpec {
  const name = manifestFlag(text, 'name');
  const peer = manifestFlag(text, 'initial-advertise-peer-urls');
  const dataDir = manifestFlag(text, 'data-dir') ?? '/var/lib/etcd';
  if (!name || !NAME.test(name)) throw new Error('etcd.yaml has no usable --name');
  if (!peer || !PEER_URL.test(peer)) throw new Error('etcd.yaml has no single https --initial-advertise-peer-urls');
  if (!/^\/[A-Za-z0-9._/-]+$/.test(dataDir) || dataDir.split('/').includes('..') || dataDir.replace(/\/+$/, '') === '') {
    throw new Error('etcd.yaml has an unusable --data-dir');
  }
  return { name, peerUrl: peer, dataDir: dataDir.replace(/\/+$/, '') };
}

/** The apiserver's own endpoint (kubeadm's annotation on its static pod, "IP:port"), not the VIP. */
export function apiserverEndpoint(text: string): string | undefined {
  const found = /kubeadm\.kubernetes\.io\/kube-apiserver\.advertise-address\.endpoint:\s*["']?([^"'\s]+)["']?/.exec(text)?.[1];
  return found && /^[0-9a-fA-F.:[\]]+:\d{1,5}$/.test(found) ? found : undefined;
}

/** --secure-port of the kube-apiserver manifest (6443 when unset, as kubeadm's default). */
export function apiserverPort(text: string): number {
  const port = Number(manifestFlag(text, 'secure-port') ?? '6443');
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : 6443;
}

/** --initial-cluster: every member as name=peer URL, in inventory order; refuses duplicates. */
export function initialCluster(members: readonly EtcdMemberSpec[]): string {
  const names = new Set<string>();
  const urls = new Set<string>();
  for (const m of members) {
    if (names.has(m.name)) throw new Error(`two masters run an etcd member named ${m.name}`);
    if (urls.has(m.peerUrl)) throw new Error(`two masters advertise the etcd peer URL ${m.peerUrl}`);
    names.add(m.name);
    urls.add(m.peerUrl);
  }
  return members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
}

/**
 * A shell function calling etcdutl where it exists (etcd 3.5+, where `etcdctl snapshot` is
 * deprecated, and 3.6, where it is gone), else `ETCDCTL_API=3 etcdctl` (etcd 3.4).
 */
export const ETCD_SNAPSHOT_TOOL =
  'etcd_snapshot() { if command -v etcdutl >/dev/null 2>&1; then etcdutl snapshot "$@"; else ETCDCTL_API=3 etcdctl snapshot "$@"; fi; }';

/** The documented restore of one member into a fresh data dir (which must not exist). */
export function restoreCommand(snapshot: string, member: EtcdMemberSpec, cluster: string, token: string, dataDir: string): string {
  return (
    `${ETCD_SNAPSHOT_TOOL}; etcd_snapshot restore ` +
    sh`${snapshot} --name ${member.name} --initial-cluster ${cluster} --initial-cluster-token ${token} --initial-advertise-peer-urls ${member.peerUrl} --data-dir ${dataDir}`
  );
}

/** `snapshot status -w json` of a file on the host (the JSON on stdout). */
export function statusCommand(snapshot: string): string {
  return `${ETCD_SNAPSHOT_TOOL}; ${sh`etcd_snapshot status ${snapshot} -w json`}`;
}

export interface MemberHealth {
  readonly host: string;
  readonly healthy: boolean;
  readonly detail: string;
}

export interface RestoreVerdict {
  readonly restore: boolean;
  readonly why: string;
}

/**
 * A member that answers `endpoint health` committed a proposal, so its cluster has quorum: a
 * restore would throw away everything written since the snapshot. Refused then, unless forced.
 */
export function judgeRestore(health: readonly MemberHealth[], force: boolean): RestoreVerdict {
  const healthy = health.filter((h) => h.healthy).map((h) => h.host);
  if (healthy.length > 0) {
    const seen = `etcd has quorum (${healthy.length} of ${health.length} members healthy: ${healthy.join(', ')})`;
    if (force) return { restore: true, why: `${seen}, restored all the same (etcd_restore_force): everything written since the snapshot is lost` };
    return {
      restore: false,
      why: `${seen}: not restored, a restore would throw away everything written since the snapshot (-e etcd_restore_force=true restores over it)`,
    };
  }
  return { restore: true, why: `etcd has lost its quorum (${health.map((h) => `${h.host}: ${h.detail}`).join('; ')})` };
}

/**
 * The control plane of a master has stopped when the container runtime lists no ready sandbox
 * of its pods and nothing listens on etcd's ports nor the apiserver's. The probe prints the
 * ready sandbox ids, a separator, then `ss -Hltn`'s lines.
 */
export function stoppedProbeScript(crictl: string, nodeName: string): string {
  const names = `^(${CONTROL_PLANE_PODS.join('|')})-${nodeName}$`;
  return `${crictl} pods --namespace kube-system --name ${sh`${names}`} --state ready -q 2>/dev/null; echo '${MARK} ports'; ss -Hltn`;
}

/** What still runs (for the wait's message); empty: stopped. */
export function stillRunning(text: string, ports: readonly number[]): string[] {
  const [pods = '', listening = ''] = text.split(`${MARK} ports`);
  const ids = pods.split('\n').map((l) => l.trim()).filter(Boolean);
  const open = new Set<number>();
  for (const line of listening.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    const port = Number(local?.slice(local.lastIndexOf(':') + 1));
    if (Number.isInteger(port)) open.add(port);
  }
  const left = ids.length ? [`${ids.length} control-plane pod(s) ready`] : [];
  return [...left, ...ports.filter((p) => open.has(p)).map((p) => `port ${p} listening`)];
}

/** `etcdctl member list` (simple format): the member names. */
export function memberNames(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^[0-9a-f]+, /.test(line.trim()))
    .map((line) => line.split(',')[2]?.trim() ?? '');
}
