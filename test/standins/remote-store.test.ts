// The stand-in kubeadm's Node patch through the API (playstandin/remotestore.py update_node), as
// kubeadm's apiclient.PatchNode polls PatchNodeOnce: the Get is tried again on any error (an
// apiserver answering 504 while its etcd elects a leader, a load balancer with no backend up), the
// Patch on a conflict or a timeout, never on a refusal; at the end the last error is the message.
// A control-plane join marks its Node this way. Python with a scripted client only.
import { expect } from 'chai';
import { runStandinDriver } from '../helpers/standin-driver.js';

interface Outcome {
  calls: string[];
  labels?: Record<string, string>;
  error?: string;
}

function patchNode(answers: (number | 'refused')[], nodeWait = 5): Outcome {
  return runStandinDriver<Outcome>('remote_store_driver.py', [JSON.stringify(answers), String(nodeWait)]);
}

describe('stand-in kubeadm: a Node patched through the API tries transient errors again, as apiclient.PatchNode does', function () {
  this.timeout(30_000);

  it('gets the Node again after a 504, no answer and a 404, patches again after a conflict', () => {
    const out = patchNode([504, 'refused', 404, 200, 409, 200, 200]);
    expect(out.error, JSON.stringify(out)).to.equal(undefined);
    expect(out.calls).to.deep.equal(['GET', 'GET', 'GET', 'GET', 'PATCH', 'GET', 'PATCH']);
    expect(out.labels).to.include({ 'node-role.kubernetes.io/control-plane': '' });
  });

  it('fails at once when the Patch is refused (403), without trying again', () => {
    const out = patchNode([200, 403]);
    expect(out.calls).to.deep.equal(['GET', 'PATCH']);
    expect(out.error).to.match(/^nodes "master3" is forbidden/);
  });

  it('after node_wait, names the last error: the timeout when the apiserver never answered in time', () => {
    const out = patchNode([504], 0.3);
    expect(out.calls.length).to.be.greaterThan(1);
    expect(out.error).to.equal('Timeout: request did not complete within requested timeout - context deadline exceeded');
  });

  it('after node_wait, a Node never registered: kubeadm\'s "not found" words', () => {
    const out = patchNode([404], 0.3);
    expect(out.error).to.equal('timed out waiting for the condition: nodes "master3" not found');
  });
});
