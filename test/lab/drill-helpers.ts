// Helpers of the HA drills (ha-drills.test.ts, ha-drills-stacked.test.ts): a host holding the VIP
// powered off while `kubectl get nodes` and a `kubectl apply` are tried through the control-plane
// endpoint every 250 ms from a host that stays, and the figures read from those samples.
//
// Timestamps: the samples carry the hosts' clocks, which are this machine's (lb-helpers.ts).
import { expect } from 'chai';
import { parseHealthy } from '../../roles/kubeadm/remove-node.js';
import { labCutHost, labStartHost, labStopHost } from './lab.js';
import { changedByHost, measure, playJson, playOutput, pollUntil, RemoteWatch, sh, vipHolders, waitSingleHolder, watchVip, type Sample, type TimedRun } from './lb-helpers.js';

/** How long a drill may take to answer again: generous, the figure is printed, never asserted. */
export const DRILL_BOUND_MS = 120_000;

/** One try through the kubeconfig's server (the endpoint), bounded: prints ok or fail. */
export const READ_PROBE = 'timeout 5 kubectl get nodes -o name >/dev/null 2>&1 && echo ok || echo fail';

/**
 * `kubectl apply` of a ConfigMap whose value changes on every call, bounded: through the endpoint,
 * or straight to one apiserver (`server`).
 */
export function applyConfigMap(timeoutSec: number, server?: string): string {
  return (
    "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: ha-drill\\n  namespace: default\\ndata:\\n  at: \"%s\"\\n' \"$(date +%s%N)\" | " +
    `timeout ${timeoutSec} kubectl${server ? ` --server ${server}` : ''} apply -f -`
  );
}

/** One write through the endpoint: prints ok or fail. */
export const WRITE_PROBE = `${applyConfigMap(5)} >/dev/null 2>&1 && echo ok || echo fail`;

export interface ProbeFigures {
  /** ms from the power-off to the first ok sample that ended after the VIP moved. */
  backMs: number;
  /** Failed tries seen after the power-off. */
  failures: number;
  /** The longest time between two ok samples after the power-off (what a client waited), ms. */
  longestGapMs: number;
}

/** Pure: the figures of one probe's samples, for a power-off at `t0` and the VIP moved at `vipAt`. */
export function probeFigures(samples: readonly Sample[], t0: number, vipAt: number): ProbeFigures | undefined {
  const after = samples.filter((s) => s.at >= t0);
  const back = after.find((s) => s.at >= vipAt && s.value === 'ok');
  if (!back) return undefined;
  let lastOk = t0;
  let longestGapMs = 0;
  for (const s of after) {
    if (s.value !== 'ok') continue;
    longestGapMs = Math.max(longestGapMs, s.at - lastOk);
    lastOk = s.at;
  }
  return { backMs: back.at - t0, failures: after.filter((s) => s.value !== 'ok').length, longestGapMs };
}

export interface FailoverDrill {
  how: PowerOff;
  /** Who held the VIP (and was powered off). */
  holder: string;
  /** Who holds it afterwards. */
  newHolder: string;
  vipMs: number;
  read: ProbeFigures;
  write: ProbeFigures;
}

/**
 * How the VIP's holder goes: `poweroff` as the lab's `stop` does it (a clean shutdown: keepalived
 * says goodbye with priority 0, so the backup takes over at once), `cut` as a power cut (every
 * process killed at once: the backup notices when the adverts stop, after 3 advert intervals).
 */
export type PowerOff = 'poweroff' | 'cut';

/**
 * Powers off the host of `lbHosts` that holds `vip` (`how`) while `prober` (a host that stays,
 * with a kubeconfig naming the endpoint) reads and writes through the endpoint; waits (up to
 * DRILL_BOUND_MS) until the VIP is on exactly one other host and a read and a write that ended
 * after it moved succeeded. The powered-off host stays off.
 */
export async function powerOffVipHolder(lbHosts: readonly string[], vip: string, how: PowerOff, prober: (holder: string) => string): Promise<FailoverDrill> {
  const holders = await vipHolders(lbHosts, vip);
  expect(holders, `${vip} holders before the drill`).to.have.length(1);
  const holder = holders[0]!;
  const others = lbHosts.filter((h) => h !== holder);
  const from = prober(holder);
  expect(from, 'the prober is not the host powered off').to.not.equal(holder);
  const watches = await Promise.all(others.map((h) => watchVip(h, vip)));
  const reads = await RemoteWatch.start(from, 'kubectl get nodes', READ_PROBE, 250, 600);
  const writes = await RemoteWatch.start(from, 'kubectl apply', WRITE_PROBE, 250, 600);
  try {
    await reads.waitFor(Date.now(), (v) => v === 'ok', 30_000, 'a read before the drill');
    await writes.waitFor(Date.now(), (v) => v === 'ok', 30_000, 'a write before the drill');
    const t0 = Date.now();
    await (how === 'cut' ? labCutHost(holder) : labStopHost(holder));
    const { holder: newHolder } = await waitSingleHolder(others, vip, DRILL_BOUND_MS);
    const firstHeld = (): number | undefined => {
      const at = Math.min(...watches.map((w) => w.firstAfter(t0, (v) => v === '1')?.at ?? Infinity));
      return at < Infinity ? at : undefined;
    };
    const { value: vipAt } = await pollUntil(`a VIP sample on ${newHolder}`, async () => firstHeld(), { timeoutMs: 10_000, intervalMs: 50 });
    const figures = async (w: RemoteWatch): Promise<ProbeFigures> => {
      await w.waitFor(vipAt, (v) => v === 'ok', DRILL_BOUND_MS, `${w.what} through the endpoint after the VIP moved`);
      return probeFigures(w.samples, t0, vipAt)!;
    };
    return { how, holder, newHolder, vipMs: vipAt - t0, read: await figures(reads), write: await figures(writes) };
  } finally {
    for (const w of [...watches, reads, writes]) w.stop();
  }
}

/** The drill's [measure] lines. */
export function printFailover(topology: string, d: FailoverDrill): void {
  const label = `${topology}, ${d.how === 'cut' ? 'power cut' : 'clean poweroff'}`;
  measure(`${label}: VIP on ${d.newHolder} after ${d.holder} went`, d.vipMs / 1000, 's');
  measure(`${label}: kubectl get nodes through the VIP answers again`, d.read.backMs / 1000, 's');
  measure(`${label}: kubectl apply through the VIP succeeds again`, d.write.backMs / 1000, 's');
  measure(`${label}: longest wait between good reads / writes`, `${(d.read.longestGapMs / 1000).toFixed(2)} / ${(d.write.longestGapMs / 1000).toFixed(2)}`, 's');
  measure(`${label}: failed reads / writes (tries every 250 ms)`, `${d.read.failures} / ${d.write.failures}`);
}

/** Boots the host again and waits until the VIP is back home (preemption) on exactly that host. */
export async function powerOnAndWaitHome(host: string, lbHosts: readonly string[], vip: string, home: string): Promise<void> {
  await labStartHost(host);
  const { ms } = await waitSingleHolder(lbHosts, vip, DRILL_BOUND_MS, home);
  measure(`${host} booted again: VIP back on ${home} after`, ms / 1000, 's');
}

/** `etcdctl endpoint health --cluster` on `host`: the client URLs that answered healthy, and the text. */
export async function healthyEndpoints(host: string, etcdctl: string): Promise<{ healthy: string[]; text: string }> {
  const text = await sh(host, `${etcdctl} endpoint health --cluster 2>&1 || true`);
  return { healthy: [...parseHealthy(text)].sort(), text };
}

/** site.yml on `inventory`, which must succeed. */
export async function site(inventory: string, label: string): Promise<TimedRun> {
  const run = await playJson(label, ['site.yml', '-i', inventory]);
  expect(run.run.code, playOutput(run.run)).to.equal(0);
  return run;
}

/** site.yml on `inventory` changes nothing on any host. */
export async function expectNoChange(inventory: string, label: string): Promise<void> {
  const { doc, run } = await site(inventory, label);
  const changed = Object.entries(changedByHost(doc)).filter(([, tasks]) => tasks.length > 0);
  expect(Object.fromEntries(changed), playOutput(run)).to.deep.equal({});
}
