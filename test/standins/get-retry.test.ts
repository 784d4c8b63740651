// The stand-ins' API client retries a GET whose connection was closed before any answer, as
// client-go does (rest/request.go: "Connection reset by peer" or EOF on a GET gets an artificial
// Retry-After: 1, about ten times; writes are never retried). The CI run of 2026-12-06 failed the
// lab's upgrade on exactly that: master2's `kubeadm upgrade node` read its Node through the load
// balancer while an apiserver restarted, haproxy closed the connection, and the stand-in failed
// on the first EOF where the real kubeadm would have tried again. Python and loopback only.
import { expect } from 'chai';
import { runStandinDriver } from '../helpers/standin-driver.js';

interface Outcome {
  status: number | null;
  error: string | null;
  connections: number;
}

function call(method: string, closes: number): Outcome {
  return runStandinDriver<Outcome>('get_retry_driver.py', [method, String(closes)]);
}

describe('stand-in API client: a GET closed before its answer is tried again, as client-go does', function () {
  this.timeout(30_000);

  it('answers a GET whose first three connections were closed, on the fourth', () => {
    expect(call('GET', 3)).to.deep.equal({ status: 200, error: null, connections: 4 });
  });

  it('gives up after ten retries with Go\'s EOF error', () => {
    const outcome = call('GET', 50);
    expect(outcome.connections).to.equal(11);
    expect(outcome.status).to.equal(null);
    expect(outcome.error).to.match(/^Get "https:\/\/127\.0\.0\.1:\d+\/api\/v1\/nodes\/master2": EOF$/);
  });

  it('never retries a write: a PATCH closed before its answer fails at once', () => {
    const outcome = call('PATCH', 1);
    expect(outcome.connections).to.equal(1);
    expect(outcome.error).to.match(/^Patch "https:\/\/127\.0\.0\.1:\d+\/api\/v1\/nodes\/master2": EOF$/);
  });
});
