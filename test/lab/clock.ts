/**
 * The lab's clock knob for certificates: makes kubeadm's certificates on the masters expire in N
 * days, as if the cluster had lived most of a year, without moving any host's clock (a moved
 * clock would break TLS between the hosts and the controller). On each host it runs the
 * stand-ins' play-standin-age-certs, which re-signs the leaves with the cluster's own CAs.
 */
import { LabError, labHosts, labSsh } from './lab.js';

export interface AgedHost {
  readonly host: string;
  /** What the tool printed: one line per certificate aged. */
  readonly report: string;
}

export async function labAgeCerts(days: number, only: readonly string[] = []): Promise<AgedHost[]> {
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new LabError('age-certs: DAYS must be a whole number from 1 to 3650');
  const hosts = (await labHosts()).filter((h) => (only.length ? only.includes(h.name) : h.group === 'masters'));
  const missing = only.filter((name) => !hosts.some((h) => h.name === name));
  if (missing.length) throw new LabError(`age-certs: no lab host named ${missing.join(', ')}`);
  const aged: AgedHost[] = [];
  for (const h of hosts) {
    const r = await labSsh(h.name, `play-standin-age-certs ${days}`);
    if (r.code !== 0) throw new LabError(`age-certs on ${h.name} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    aged.push({ host: h.name, report: r.stdout.trim() });
  }
  return aged;
}
