// The cluster's API as a user on the controller reaches it: with the admin.conf the kubeadm role
// fetched, through the load balancer's VIP. Used by cluster.test and by the demo's last check.
import { request } from 'node:https';
import { load } from 'js-yaml';

export interface ApiNode {
  name: string;
  ready: boolean;
}

export interface NodesAnswer {
  status: number;
  /** The kubeconfig's server URL (a name the controller may not resolve). */
  server: string;
  nodes: ApiNode[];
}

interface Kubeconfig {
  clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
  users: Array<{ user: { 'client-certificate-data': string; 'client-key-data': string } }>;
}

interface NodeList {
  items?: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
}

function readyOf(item: NonNullable<NodeList['items']>[number]): boolean {
  return (item.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * GET /api/v1/nodes with the kubeconfig's client certificate, connecting to `address` (the VIP)
 * and verifying the server certificate against the kubeconfig's server name: that name (e.g.
 * k8s-lb) lives in the lab hosts' /etc/hosts, not in the controller's.
 */
export function nodesThroughVip(kubeconfig: string, address: string): Promise<NodesAnswer> {
  const doc = load(kubeconfig) as Kubeconfig;
  const cluster = doc.clusters[0]!.cluster;
  const user = doc.users[0]!.user;
  const server = new URL(cluster.server);
  const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port: Number(server.port || 443),
        servername: server.hostname,
        path: '/api/v1/nodes',
        ca: b64(cluster['certificate-authority-data']),
        cert: b64(user['client-certificate-data']),
        key: b64(user['client-key-data']),
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          const items = (JSON.parse(body) as NodeList).items ?? [];
          resolve({ status: res.statusCode ?? 0, server: server.href, nodes: items.map((i) => ({ name: i.metadata.name, ready: readyOf(i) })) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${address}:${server.port} in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}
