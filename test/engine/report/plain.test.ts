/** The plain reporter's task line: what a user reads in CI logs and in a pipe. */
import { expect } from 'chai';
import { Chalk } from 'chalk';
import { formatResult } from '../../../engine/report/plain.js';
import type { TaskResult } from '../../../engine/runner/events.js';

const c = new Chalk({ level: 0 });
const base: TaskResult = { host: 'm1', play: 'p', role: 'kubeadm', task: 'T', status: 'ok', durationMs: 3 };

describe('plain reporter task lines', () => {
  it('shows what a changed task did, and "would change" in --check', () => {
    expect(formatResult({ ...base, status: 'changed', summary: 'wrote /etc/x' }, c, 0)).to.equal('changed: [m1] kubeadm : T => wrote /etc/x');
    expect(formatResult({ ...base, status: 'changed', summary: 'wrote /etc/x', checkOnly: true }, c, 0))
      .to.equal('changed: [m1] kubeadm : T => would change: wrote /etc/x');
  });

  it('shows the verdict of an ok task that reports one (a preflight, a node allowed to leave), not of a plain ok', () => {
    expect(formatResult({ ...base, summary: 'upgrade 1.29.15 -> 1.30.5: preflight passed' }, c, 0))
      .to.equal('ok: [m1] kubeadm : T => upgrade 1.29.15 -> 1.30.5: preflight passed');
    expect(formatResult(base, c, 0)).to.equal('ok: [m1] kubeadm : T');
  });

  it('keeps a handler that found nothing to do quiet, and skipped tasks without their reason', () => {
    expect(formatResult({ ...base, handler: true, summary: 'ran' }, c, 0)).to.equal('ok: [m1] RUNNING HANDLER kubeadm : T');
    expect(formatResult({ ...base, status: 'skipped', summary: 'condition false' }, c, 0)).to.equal('skipped: [m1] kubeadm : T');
  });
});
