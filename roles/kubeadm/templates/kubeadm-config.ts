/**
 * /etc/kubernetes/kubeadm-config.yaml on the first master: what seeds 002/004 passed as long
 * `kubeadm init` flags, as InitConfiguration + ClusterConfiguration + KubeletConfiguration.
 * Pure and deterministic (golden-tested). Values are quoted JSON strings, so no inventory value
 * can change the YAML's structure.
 */
export const KUBEADM_CONFIG = '/etc/kubernetes/kubeadm-config.yaml';

export interface KubeadmConfigInput {
  /** kubeadm.k8s.io/v1beta3 (up to 1.30) or v1beta4 (1.31+). */
  readonly apiVersion: string;
  readonly nodeName: string;
  readonly criSocket: string;
  /** The first master's own address for its apiserver; undefined: kubeadm picks the default route's. */
  readonly advertiseAddress?: string;
  readonly apiserverPort: number;
  /** v1.30.2 */
  readonly kubernetesVersion: string;
  /** host:port of the load balancer (VIP or name): every kubeconfig points there. */
  readonly controlPlaneEndpoint: string;
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  /** Extra names/addresses in the apiserver certificate (VIP and endpoint name). */
  readonly certSans: readonly string[];
  /** Lifetime of init's own bootstrap token (kubeadm_token_ttl), which play never uses. */
  readonly tokenTtl: string;
}

export const INIT_TOKEN_DESCRIPTION = "play: kubeadm init's token (unused: each join gets its own)";

const q = (value: string): string => JSON.stringify(value);

export function kubeadmApiVersion(minor: number): string {
  return minor >= 31 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

export function renderKubeadmConfig(c: KubeadmConfigInput): string {
  const lines = [
    '# Managed by play (role kubeadm): `kubeadm init --config` reads this on the first master.',
    `apiVersion: ${c.apiVersion}`,
    'kind: InitConfiguration',
    // kubeadm's default is a 24 h token nobody uses (joins get their own): short-lived instead.
    'bootstrapTokens:',
    `  - ttl: ${q(c.tokenTtl)}`,
    `    description: ${q(INIT_TOKEN_DESCRIPTION)}`,
  ];
  if (c.advertiseAddress !== undefined) {
    lines.push('localAPIEndpoint:', `  advertiseAddress: ${q(c.advertiseAddress)}`, `  bindPort: ${c.apiserverPort}`);
  }
  lines.push(
    'nodeRegistration:',
    `  name: ${q(c.nodeName)}`,
    // Named, not detected: with docker (or a second runtime) installed kubeadm finds several
    // sockets and refuses to choose.
    `  criSocket: ${q(c.criSocket)}`,
    '---',
    `apiVersion: ${c.apiVersion}`,
    'kind: ClusterConfiguration',
    `kubernetesVersion: ${q(c.kubernetesVersion)}`,
    // Through the load balancer: kubeconfigs and joins keep working when this master is down.
    `controlPlaneEndpoint: ${q(c.controlPlaneEndpoint)}`,
    'networking:',
    `  podSubnet: ${q(c.podSubnet)}`,
    `  serviceSubnet: ${q(c.serviceSubnet)}`,
  );
  if (c.certSans.length > 0) {
    lines.push('apiServer:', '  certSANs:', ...c.certSans.map((san) => `    - ${q(san)}`));
  }
  lines.push(
    '---',
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'kind: KubeletConfiguration',
    // The runtime's cgroup driver is systemd too (SystemdCgroup, native.cgroupdriver, cri-o's
    // default): kubelet and runtime must agree or pods fail under load.
    'cgroupDriver: systemd',
    '',
  );
  return lines.join('\n');
}
