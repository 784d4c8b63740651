import { expect } from 'chai';
import { VarsError } from '../../engine/errors.js';
import kubeadm from '../../roles/kubeadm/index.js';
import { judgeRemoval, parseHealthy, parseMembers } from '../../roles/kubeadm/remove-node.js';
import { clusterInventory, resolvedVars } from './kubeadm-fixtures.js';

// What Debian's etcdctl 3.4 prints (simple format), for three members and one down.
const MEMBERS = [
  '1f2e3d4c5b6a7988, started, master1, https://10.0.0.21:2380, https://10.0.0.21:2379, false',
  '2a3b4c5d6e7f8091, started, master2, https://10.0.0.22:2380, https://10.0.0.22:2379, false',
  '3b4c5d6e7f809102, started, master3, https://10.0.0.23:2380, https://10.0.0.23:2379, false',
].join('\n');
const ALL_HEALTHY = [
  'https://10.0.0.21:2379 is healthy: successfully committed proposal: took = 2.1ms',
  'https://10.0.0.22:2379 is healthy: successfully committed proposal: took = 2.9ms',
  'https://10.0.0.23:2379 is healthy: successfully committed proposal: took = 3.0ms',
].join('\n');
const TWO_DOWN = [
  'https://10.0.0.21:2379 is healthy: successfully committed proposal: took = 2.1ms',
  'https://10.0.0.22:2379 is unhealthy: failed to commit proposal: context deadline exceeded',
  'https://10.0.0.23:2379 is unhealthy: failed to commit proposal: context deadline exceeded',
  'Error: unhealthy cluster',
].join('\n');

describe('remove-node.yml: the decisions', () => {
  it('reads etcdctl member list and endpoint health', () => {
    expect(parseMembers(MEMBERS).map((m) => [m.id, m.name, m.clientUrls[0]])).to.deep.equal([
      ['1f2e3d4c5b6a7988', 'master1', 'https://10.0.0.21:2379'],
      ['2a3b4c5d6e7f8091', 'master2', 'https://10.0.0.22:2379'],
      ['3b4c5d6e7f809102', 'master3', 'https://10.0.0.23:2379'],
    ]);
    expect([...parseHealthy(TWO_DOWN)]).to.deep.equal(['https://10.0.0.21:2379']);
  });

  it('lets a healthy member of three go (two of two stay: quorum 2)', () => {
    expect(judgeRemoval(parseMembers(MEMBERS), parseHealthy(ALL_HEALTHY), 'master3')).to.equal(undefined);
  });

  it('refuses a removal that leaves etcd short of its quorum, naming the numbers', () => {
    const reason = judgeRemoval(parseMembers(MEMBERS), parseHealthy(TWO_DOWN), 'master2');
    expect(reason).to.match(/removing master2 would leave 1 healthy etcd member\(s\) of 2, short of the quorum of 2/);
  });

  it('refuses the last member; a node without a member (a worker, or already gone) is no etcd matter', () => {
    const one = parseMembers(MEMBERS).slice(0, 1);
    expect(judgeRemoval(one, parseHealthy(ALL_HEALTHY), 'master1')).to.match(/last etcd member/);
    expect(judgeRemoval(parseMembers(MEMBERS), parseHealthy(TWO_DOWN), 'worker1')).to.equal(undefined);
  });

  it('the leaving host is reset, the first master that stays does the cluster side, no host builds', () => {
    const varsOf = resolvedVars(kubeadm, clusterInventory({ kubeadm_remove_node: 'master1' }));
    expect(varsOf('master1').reset).to.equal(true);
    expect(varsOf('master1').role).to.equal('master');
    expect(varsOf('master2').reset).to.equal(false);
    expect(varsOf('worker1').firstMaster).to.equal('master2');
    expect(varsOf('master2').remove).to.deep.include({ host: 'master1', actor: 'master2', master: true });
  });

  it('refuses, before any host, a node that is not in the inventory or is the last control plane, without echoing it', () => {
    const refused = (extra: Record<string, unknown>): string => {
      try {
        resolvedVars(kubeadm, clusterInventory(extra))('master1');
      } catch (err) {
        expect(err).to.be.instanceOf(VarsError);
        return (err as Error).message;
      }
      return 'not refused';
    };
    expect(refused({ kubeadm_remove_node: 'nosuch-host' })).to.match(/key 'kubeadm_remove_node': names no host of the inventory/).and.not.match(/nosuch-host/);
    expect(refused({ kubeadm_remove_node: '' })).to.match(/pass -e node=NAME/);
  });
});
