// kubeadm's etcd endpoint discovery in the stand-in (playstandin/kubeadm/etcd.py endpoints_from_pods):
// the real kubeadm polls the etcd pods' advertise-client-urls annotations (every 500 ms, one
// minute) because a kubelet that just started etcd may not have mirrored the static pod yet. The
// CI run of 2026-12-06 failed a stacked join on exactly that: master2 looked once, found no
// annotation, and failed with "no etcd endpoints found". It tries an error answer again too: the CI
// run of 2026-12-06 (second one) failed a control-plane join when the etcd pods' list got one 504
// "Timeout" (the stand-in printed a Python traceback). Python and a temp cluster state only.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runStandinDriver } from '../helpers/standin-driver.js';

interface Found {
  endpoints?: string[];
  error?: string;
  seconds: number;
}

/** endpoints_from_pods with master1's etcd pod mirrored after `delay` s (never when < 0), the first `fails` looks answered 504 (all when < 0). */
function discover(delay: number, timeout: number, fails = 0): Found {
  const state = mkdtempSync(path.join(tmpdir(), 'play-etcd-endpoints-'));
  try {
    return runStandinDriver<Found>('etcd_endpoints_driver.py', [String(delay), String(timeout), String(fails)], { PLAY_CLUSTER_STATE: state });
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

describe('stand-in kubeadm: etcd endpoints from the etcd pods, polled as the real kubeadm does', function () {
  this.timeout(30_000);

  it('waits for a static pod mirrored after the first look, and returns its advertise-client-urls', () => {
    const found = discover(1.0, 10);
    expect(found.endpoints).to.deep.equal(['https://172.29.10.21:2379']);
    expect(found.seconds).to.be.at.least(0.9);
  });

  it('gives up after its timeout with no endpoint when no etcd pod is ever mirrored', () => {
    const found = discover(-1, 1.5);
    expect(found.endpoints).to.deep.equal([]);
    expect(found.seconds).to.be.at.least(1.4);
  });

  it('tries again after an apiserver answers 504 "Timeout" (its etcd electing a leader), and returns the endpoints once the list answers', () => {
    const found = discover(0, 10, 3);
    expect(found, JSON.stringify(found)).to.deep.include({ endpoints: ['https://172.29.10.21:2379'] });
    expect(found.seconds).to.be.at.least(0.25);
  });

  it('at its timeout, fails with the last error as kubeadm words it, no traceback', () => {
    const found = discover(0, 1.0, -1);
    expect(found.error).to.equal('could not retrieve the list of etcd endpoints: Timeout: request did not complete within requested timeout - context deadline exceeded');
    expect(found.seconds).to.be.at.least(0.9);
  });
});
