/**
 * Canned hosts for the cluster roles' task tests: the dedicated-pair topology (VIP 10.0.0.10,
 * master1-3, worker1) resolved through the real role resolve, and fact answers for a fresh host
 * and for a converged one, so a test shows the commands apply would run.
 */
import { inventoryView } from '../../engine/runner/host-view.js';
import type { ExecResult, Inventory, Role, Vars } from '../../engine/types.js';
import { renderAptSource } from '../../engine/ops/index.js';
import { KUBE_PACKAGES } from '../../roles/kubeadm/index.js';
import { UPGRADE_MARKER } from '../../roles/kubeadm/upgrade-task.js';
import { expiryFact } from '../../roles/kubeadm/cert-renewal.js';
import { APISERVER_MANIFEST } from '../../roles/kube-shared/cluster-report.js';
import { ADMIN_CONF, KUBELET_CONF } from '../../roles/kube-shared/kube-paths.js';
import { preflightPackages } from '../../roles/kubeadm/preflight-requirements.js';
import { kubeadmConfigInput } from '../../roles/kubeadm/kubeadm-config-input.js';
import { KUBEADM_CONFIG, renderKubeadmConfig } from '../../roles/kubeadm/templates/kubeadm-config.js';
import type { KubeadmVars } from '../../roles/kubeadm/vars.js';
import { FakeCluster, MISSING_FILE, fileAnswer, type FakeHost } from './helpers/fake-cluster.js';
import { resolveRole, varsOf } from './helpers/resolve.js';
import { dedicatedPair } from './helpers/topologies.js';

export const NODES = ['master1', 'master2', 'master3', 'worker1'] as const;
export const K8S = 'masters:workers';

export const TOKEN = 'abcdef.0123456789abcdef';
export const CA_HASH = `sha256:${'c'.repeat(64)}`;
export const JOIN_LINE = `kubeadm join 10.0.0.10:6443 --token ${TOKEN} --discovery-token-ca-cert-hash ${CA_HASH} \n`;
export const CLIENT_KEY = 'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUZha2VLZXk=';
export const ADMIN_CONF_TEXT = [
  'apiVersion: v1',
  'clusters:',
  '- cluster:',
  '    certificate-authority-data: Q0E=',
  '    server: https://10.0.0.10:6443',
  '  name: kubernetes',
  'users:',
  '- name: kubernetes-admin',
  '  user:',
  '    client-certificate-data: Q0VSVA==',
  `    client-key-data: ${CLIENT_KEY}`,
  '',
].join('\n');

export function clusterInventory(all: Vars = {}): Inventory {
  return dedicatedPair({ kube_package_repo: 'http://172.29.10.1:8080/kubernetes/v1.30/deb/', kube_package_repo_unsigned: true, ...all });
}

export function resolvedVars<V>(role: Role<V>, inventory: Inventory, extra: Vars = {}): (host: string) => V {
  const resolved = resolveRole(role, inventory, K8S, extra);
  return (host) => varsOf(resolved, host);
}

const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });

/** dpkg-query's answer for installed (and held) packages at a version. */
export function dpkgAnswer(names: readonly string[], version: string, held = true): string {
  return names.map((n) => `${n}\tamd64\t${held ? 'hi ' : 'ii '}\t${version}\n`).join('');
}

export const SERVICE_RUNNING = 'LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\nNeedDaemonReload=no\n';
export const SERVICE_ENABLED_IDLE = 'LoadState=loaded\nActiveState=activating\nSubState=auto-restart\nUnitFileState=enabled\nNeedDaemonReload=no\n';

/** The part of kubeadm's kube-apiserver static pod manifest the upgrade reads. */
export function apiserverManifest(version: string): string {
  return `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v${version}\n    name: kube-apiserver\n`;
}

const EXPIRY_NOW = Date.UTC(2026, 11, 5, 9, 0) / 1000;
const CERT_ROWS = [
  ['admin.conf', 'ca'], ['apiserver', 'ca'], ['apiserver-etcd-client', 'etcd-ca'], ['apiserver-kubelet-client', 'ca'],
  ['controller-manager.conf', 'ca'], ['etcd-healthcheck-client', 'etcd-ca'], ['etcd-peer', 'etcd-ca'], ['etcd-server', 'etcd-ca'],
  ['front-proxy-client', 'front-proxy-ca'], ['scheduler.conf', 'ca'], ['super-admin.conf', 'ca'],
] as const;

/**
 * The host clock and `kubeadm certs check-expiration` as kubeadm 1.30 prints them, every leaf
 * ending `leafDays` days after 2026-12-05 09:00 UTC (and apiserver `apiserverDays`, if given).
 */
export function expiryAnswer(leafDays: number, apiserverDays = leafDays): string {
  const date = (days: number): string => {
    const d = new Date((EXPIRY_NOW + days * 86400) * 1000);
    const m = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
    return `${m} ${String(d.getUTCDate()).padStart(2, '0')}, ${d.getUTCFullYear()} 09:00 UTC`;
  };
  const row = (name: string, days: number, ca?: string): string =>
    `${name.padEnd(27)}${date(days).padEnd(25)}${`${days}d`.padEnd(16)}${ca !== undefined ? ca.padEnd(24) : ''}no`;
  return [
    String(EXPIRY_NOW),
    '[check-expiration] Reading configuration from the cluster...',
    "[check-expiration] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'",
    '',
    'CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED',
    ...CERT_ROWS.map(([name, ca]) => row(name, name === 'apiserver' ? apiserverDays : leafDays, ca)),
    '',
    'CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED',
    ...['ca', 'etcd-ca', 'front-proxy-ca'].map((ca) => `${ca.padEnd(24)}${date(3649).padEnd(25)}9y              no`),
    '',
  ].join('\n');
}

/** The first master's answers to the commands joins need. */
export function firstMasterRun(script: string): ExecResult {
  if (script.startsWith('kubeadm token create')) return ok(JOIN_LINE);
  if (script.startsWith('kubeadm init phase upload-certs')) return ok('[upload-certs] Using certificate key:\n<key>\n');
  return ok();
}

/** A host where the kubeadm role has nothing to do (the cluster exists, this node is in it). */
export function convergedKubeadmHost(v: KubeadmVars): FakeHost {
  const facts: Record<string, string | ExecResult> = {
    [`file:${v.repo.listFile}`]: fileAnswer(renderAptSource(v.repo)),
    [`packages:${KUBE_PACKAGES.join(',')}`]: dpkgAnswer(KUBE_PACKAGES, v.packageVersion),
    [`packages:${preflightPackages(v.version.minor).join(',')}`]: dpkgAnswer(preflightPackages(v.version.minor), '1.0', false),
    'service:kubelet': SERVICE_RUNNING,
    [`exists:${ADMIN_CONF}`]: v.role === 'worker' ? 'no\n' : 'yes\n',
    [`exists:${KUBELET_CONF}`]: 'yes\n',
    [`file:${ADMIN_CONF}`]: v.role === 'worker' ? MISSING_FILE : fileAnswer(ADMIN_CONF_TEXT, 0o600),
    'file:/root/.kube/config': fileAnswer(ADMIN_CONF_TEXT, 0o600),
    'file:/root/.kube': 'stat 700 root root 4096 directory\n',
    [`file:${KUBEADM_CONFIG}`]: fileAnswer(
      renderKubeadmConfig(kubeadmConfigInput(v)),
    ),
    [`file:${APISERVER_MANIFEST}`]: v.role === 'worker' ? MISSING_FILE : fileAnswer(apiserverManifest(v.version.text)),
    [`exists:${UPGRADE_MARKER}`]: 'no\n',
    'packages:etcd-client': dpkgAnswer(['etcd-client'], '3.4.23-4+b6', false),
    [expiryFact.id]: v.role === 'worker' ? 'none\n' : expiryAnswer(364),
  };
  return { facts, ...(v.role === 'first-master' ? { run: firstMasterRun } : {}) };
}

/** A freshly booted host: no packages, no files, kubelet unknown. */
export function freshKubeadmHost(v: KubeadmVars): FakeHost {
  const facts: Record<string, string | ExecResult> = {
    [`file:${v.repo.listFile}`]: MISSING_FILE,
    [`packages:${KUBE_PACKAGES.join(',')}`]: { code: 1, stdout: '', stderr: 'dpkg-query: no packages found matching kubelet' },
    // A Debian minbase host: mount and util-linux are there, iproute2 too; conntrack and iptables are not.
    [`packages:${preflightPackages(v.version.minor).join(',')}`]: dpkgAnswer(['iproute2', 'mount', 'util-linux'], '1.0', false),
    'service:kubelet': 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\nNeedDaemonReload=no\n',
    [`exists:${ADMIN_CONF}`]: 'no\n',
    [`exists:${KUBELET_CONF}`]: 'no\n',
    [`file:${ADMIN_CONF}`]: MISSING_FILE,
    [`file:${KUBEADM_CONFIG}`]: MISSING_FILE,
    [`file:${APISERVER_MANIFEST}`]: MISSING_FILE,
    [`exists:${UPGRADE_MARKER}`]: 'no\n',
    'packages:etcd-client': { code: 1, stdout: '', stderr: 'dpkg-query: no packages found matching etcd-client' },
    [expiryFact.id]: 'none\n',
  };
  return { facts, ...(v.role === 'first-master' ? { run: firstMasterRun } : {}) };
}

export function fakeCluster<V>(inventory: Inventory, varsOf: (host: string) => V, hosts: Record<string, FakeHost>, checkMode = false): FakeCluster<V> {
  return new FakeCluster<V>(hosts, inventoryView(inventory), varsOf, checkMode);
}
