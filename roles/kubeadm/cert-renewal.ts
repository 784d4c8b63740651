/**
 * kubeadm's leaf certificates (apiserver, etcd, front-proxy, the kubeconfigs' client certs) live
 * a year; a cluster nobody upgraded in that time stops answering. On every master the run reads
 * `kubeadm certs check-expiration` (the host's own clock decides, as it does for TLS) and, when
 * the soonest certificate has fewer than kube_cert_renew_days left, renews them the way kubeadm's
 * manual says (kubeadm-certs.md): `kubeadm certs renew all`, then the control-plane static pods
 * restarted so they load the new files (kubespray's `crictl rmp` of the four pods). One master at
 * a time: etcd keeps its quorum and the VIP keeps an apiserver behind it. The admin kubeconfig
 * tasks after this one then copy the renewed admin.conf (root's, the user's, the controller's).
 *
 * The CAs live ten years and kubeadm cannot renew them: one close to its end is a warning.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskError } from '../../engine/errors.js';
import { commandFact } from '../../engine/facts/index.js';
import { runMust } from '../../engine/ops/index.js';
import { raw, sh } from '../../engine/shell.js';
import type { Change, Task, TaskContext } from '../../engine/types.js';
import { APISERVER_MANIFEST } from '../kube-shared/cluster-report.js';
import { KUBECTL } from '../kube-shared/kube-paths.js';
import type { KubeadmVars } from './vars.js';

type Ctx = TaskContext<KubeadmVars>;

const RENEW_LOCK = 'kubeadm:certs:renew';
const APISERVER_CERT = '/etc/kubernetes/pki/apiserver.crt';
/** The static pods that read the renewed files (kubeadm's own list after `certs renew`). */
export const CONTROL_PLANE_PODS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
const DAY_MS = 86_400_000;
const POLL_MS = 2000;

export interface CertExpiry {
  readonly name: string;
  readonly expires: Date;
  readonly externallyManaged: boolean;
}

export interface ExpiryReport {
  /** The host's clock when kubeadm read the files. */
  readonly now: Date;
  readonly certificates: readonly CertExpiry[];
  readonly authorities: readonly CertExpiry[];
}

export interface CertRenewal extends Change {
  /** false: nothing is due, the change only reports the dates (waitOnly). */
  readonly due: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// kubeadm prints dates with Go's "Jan 02, 2006 15:04 MST" in UTC.
const ROW = /^(\S+)\s+([A-Z][a-z]{2}) (\d{2}), (\d{4}) (\d{2}):(\d{2}) UTC\s+\S+\s+(?:\S+\s+)?(yes|no)\s*$/;

/** Pure: the two tables of `kubeadm certs check-expiration`; rows marked !MISSING! are left out. */
export function parseCheckExpiration(text: string, now: Date): ExpiryReport {
  const certificates: CertExpiry[] = [];
  const authorities: CertExpiry[] = [];
  let table: CertExpiry[] | undefined;
  for (const line of text.split('\n')) {
    if (/^CERTIFICATE AUTHORITY\s+EXPIRES/.test(line)) table = authorities;
    else if (/^CERTIFICATE\s+EXPIRES/.test(line)) table = certificates;
    const m = ROW.exec(line);
    if (!table || !m || MONTHS.indexOf(m[2]!) < 0) continue;
    const expires = new Date(Date.UTC(Number(m[4]), MONTHS.indexOf(m[2]!), Number(m[3]), Number(m[5]), Number(m[6])));
    table.push({ name: m[1]!, expires, externallyManaged: m[7] === 'yes' });
  }
  if (certificates.length === 0) throw new Error('kubeadm certs check-expiration printed no certificate table');
  return { now, certificates, authorities };
}

export function formatExpiry(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())}, ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

const daysLeft = (report: ExpiryReport, cert: CertExpiry): number => Math.floor((cert.expires.getTime() - report.now.getTime()) / DAY_MS);

const soonest = (certs: readonly CertExpiry[]): CertExpiry | undefined =>
  certs.reduce<CertExpiry | undefined>((a, b) => (a === undefined || b.expires < a.expires ? b : a), undefined);

/** Pure: renew when the soonest certificate kubeadm manages has fewer than renewDays left. */
export function planRenewal(report: ExpiryReport, renewDays: number, node: string): CertRenewal {
  const managed = report.certificates.filter((c) => !c.externallyManaged);
  const first = soonest(managed);
  if (!first) return { summary: `${node}: every certificate is externally managed`, due: false };
  const left = daysLeft(report, first);
  const when = `${first.name} expires ${formatExpiry(first.expires)} (${left < 0 ? `${-left} days ago` : `in ${left} days`})`;
  if (left >= renewDays) {
    return { summary: `certificates valid: the first, ${when}; renewed under ${renewDays} days`, due: false };
  }
  return {
    summary: `${when}, under kube_cert_renew_days ${renewDays}: kubeadm certs renew all, restart ${CONTROL_PLANE_PODS.join(', ')}`,
    due: true,
  };
}

/** Pure: the CAs kubeadm cannot renew that end within renewDays. */
export function expiringAuthorities(report: ExpiryReport, renewDays: number): string[] {
  return report.authorities
    .filter((ca) => !ca.externallyManaged && daysLeft(report, ca) < renewDays)
    .map((ca) => `${ca.name} (${formatExpiry(ca.expires)})`);
}

/** The host's clock and kubeadm's table in one exec; "none" on a master not built yet. */
export const expiryFact = commandFact(`if [ -e ${APISERVER_CERT} ]; then date -u +%s && kubeadm certs check-expiration; else echo none; fi`);

async function readExpiry(ctx: Ctx): Promise<ExpiryReport | undefined> {
  const result = await ctx.fact(expiryFact);
  if (result.code !== 0) {
    throw new TaskError(`kubeadm certs check-expiration failed on ${ctx.vars.host} (exit ${result.code}): ${lastLine(result.stderr || result.stdout)}`);
  }
  const [first, ...rest] = result.stdout.split('\n');
  if (first?.trim() === 'none') return undefined;
  const epoch = Number(first?.trim() || NaN);
  if (!Number.isFinite(epoch)) throw new TaskError(`could not read the clock of ${ctx.vars.host}`);
  try {
    return parseCheckExpiration(rest.join('\n'), new Date(epoch * 1000));
  } catch (e) {
    throw new TaskError(`${(e as Error).message} on ${ctx.vars.host}`);
  }
}

const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';

const crictl = (ctx: Ctx): string => sh`crictl --runtime-endpoint ${ctx.vars.criSocket}`;
const podFilter = (ctx: Ctx): string => sh`--namespace kube-system --name ${`^(${CONTROL_PLANE_PODS.join('|')})-${ctx.vars.nodeName}$`}`;

async function controlPlanePodIds(ctx: Ctx, readyOnly: boolean): Promise<string[]> {
  const state = readyOnly ? ' --state ready' : '';
  const out = await runMust(ctx, `${crictl(ctx)} pods ${podFilter(ctx)}${state} -q`, { label: 'crictl pods (control plane)', poll: readyOnly });
  return out.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

/** The local apiserver's own endpoint (kubeadm's annotation on its static pod), not the VIP. */
async function localApiserver(ctx: Ctx): Promise<string> {
  const out = await runMust(ctx, `grep -o 'advertise-address.endpoint: *[^ ]*' ${APISERVER_MANIFEST}`, { label: `read ${APISERVER_MANIFEST}` });
  const endpoint = out.stdout.split(':').slice(1).join(':').trim();
  if (!endpoint) throw new TaskError(`${APISERVER_MANIFEST} on ${ctx.vars.host} names no advertise-address endpoint`);
  return endpoint;
}

/**
 * Restarted means: a new sandbox for every pod that was removed, and this master's apiserver
 * answering on its own endpoint (with the certificates it loaded at its start).
 */
async function waitRestarted(ctx: Ctx, removed: readonly string[], endpoint: string): Promise<void> {
  const deadline = Date.now() + ctx.vars.timeoutMs;
  let last = '';
  for (;;) {
    const ready = await controlPlanePodIds(ctx, true);
    const fresh = ready.filter((id) => !removed.includes(id));
    if (fresh.length >= removed.length) {
      const probe = await ctx.run(sh`${raw(KUBECTL)} --server ${`https://${endpoint}`} get node ${ctx.vars.nodeName} -o name`, { allowFail: true, poll: true, label: `kubectl get node via ${endpoint}` });
      if (probe.code === 0) return;
      last = `the apiserver at ${endpoint} does not answer yet: ${lastLine(probe.stderr)}`;
    } else {
      last = `${fresh.length} of ${removed.length} control-plane pods are back`;
    }
    if (Date.now() > deadline) throw new TaskError(`the control plane of ${ctx.vars.host} did not come back within ${ctx.vars.timeoutMs / 1000}s after the certificate renewal (${last})`);
    await sleep(POLL_MS);
  }
}

async function renewAndRestart(ctx: Ctx): Promise<void> {
  await runMust(ctx, 'kubeadm certs renew all', { label: 'kubeadm certs renew all', timeoutMs: ctx.vars.timeoutMs, tailLines: 6 });
  const endpoint = await localApiserver(ctx);
  const ids = await controlPlanePodIds(ctx, false);
  if (ids.length === 0) throw new TaskError(`no control-plane pod of ${ctx.vars.nodeName} found by crictl on ${ctx.vars.host}: restart them by hand to load the renewed certificates`);
  await runMust(ctx, `${crictl(ctx)} rmp --force ${ids.map((id) => sh`${id}`).join(' ')}`, { label: 'crictl rmp (control plane)' });
  await waitRestarted(ctx, ids, endpoint);
}

export function certRenewalTask(name: string, when: (ctx: Ctx) => boolean): Task<KubeadmVars, CertRenewal> {
  return {
    name,
    when,
    async check(ctx) {
      const report = await readExpiry(ctx);
      if (!report) return null;
      const cas = expiringAuthorities(report, ctx.vars.certRenewDays);
      if (cas.length) ctx.warn(`${ctx.vars.host}: certificate authorities ending within ${ctx.vars.certRenewDays} days, which kubeadm cannot renew: ${cas.join(', ')}`);
      const plan = planRenewal(report, ctx.vars.certRenewDays, ctx.vars.nodeName);
      return plan.due ? plan : { ...plan, waitOnly: true };
    },
    async apply(ctx, change) {
      if (!change.due) return;
      await ctx.exclusive(RENEW_LOCK, () => renewAndRestart(ctx));
    },
  };
}
