// The stacked etcd as the real etcdctl (Debian's etcd-client, ETCDCTL_API=3) sees it on a master.
import { expect } from 'chai';
import { shAll } from './lb-helpers.js';

/** etcdctl against the master's own member, with kubeadm's healthcheck-client certificate. */
export const ETCDCTL = 'ETCDCTL_API=3 etcdctl --endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt'
  + ' --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt --key /etc/kubernetes/pki/etcd/healthcheck-client.key';

export interface EtcdMember {
  id: string;
  status: string;
  name: string;
  peerUrls: string;
  clientUrls: string;
  isLearner: boolean;
}

/** `etcdctl member list` (simple format: "id, started, name, peer urls, client urls, is learner"). */
export function parseMemberList(text: string): EtcdMember[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [id = '', status = '', name = '', peerUrls = '', clientUrls = '', learner = ''] = line.split(',').map((f) => f.trim());
    return { id, status, name, peerUrls, clientUrls, isLearner: learner === 'true' };
  });
}

/** On every master: the member list names exactly the masters, all started voters. */
export async function expectEtcdMembers(masters: readonly string[]): Promise<void> {
  const listed = await shAll(masters, `${ETCDCTL} member list`);
  for (const master of masters) {
    const members = parseMemberList(listed[master] ?? '');
    expect(members.map((m) => m.name).sort(), `etcd members seen from ${master}`).to.deep.equal([...masters].sort());
    expect(members.every((m) => m.status === 'started' && !m.isLearner), `${master}: ${listed[master]}`).to.equal(true);
  }
}
