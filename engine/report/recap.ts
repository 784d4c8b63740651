import type { HostStats } from '../runner/events.js';

/** The PLAY RECAP line of ansible-playbook, column for column. */
export function recapLine(host: string, s: HostStats): string {
  const field = (name: string, n: number): string => `${name}=${String(n).padEnd(4)}`;
  return `${host.padEnd(26)} : ${field('ok', s.ok)} ${field('changed', s.changed)} ${field('unreachable', s.unreachable)} ${field('failed', s.failed)} ${field('skipped', s.skipped)}`.trimEnd();
}

export function banner(title: string, width = 80): string {
  return `${title} ${'*'.repeat(Math.max(3, width - title.length - 1))}`;
}
