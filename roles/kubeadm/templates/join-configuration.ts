/**
 * The JoinConfiguration a node joins with, written to a 0600 file for `kubeadm join --config`
 * (never flags: a bootstrap token or certificate key on a command line is readable by every
 * local user in /proc/PID/cmdline). Fields as cmd/kubeadm/app/apis/kubeadm/v1beta3/types.go and
 * v1beta4/types.go define them (JoinConfiguration, Discovery, BootstrapTokenDiscovery,
 * NodeRegistrationOptions, JoinControlPlane, APIEndpoint); CONTRACT.md lists each. Values are
 * JSON strings, so no value can change the YAML's structure. Pure.
 */
export interface JoinConfigInput {
  readonly apiVersion: string;
  /** host:port the discovery talks to (the control-plane endpoint). */
  readonly endpoint: string;
  readonly token: string;
  /** sha256:<hex> pin of the cluster CA's public key. */
  readonly caCertHash: string;
  readonly nodeName: string;
  readonly criSocket: string;
  /** Present for a control-plane join. */
  readonly controlPlane?: {
    readonly certificateKey: string;
    readonly advertiseAddress?: string;
    readonly bindPort: number;
  };
}

const q = (value: string): string => JSON.stringify(value);

export function renderJoinConfiguration(c: JoinConfigInput): string {
  const lines = [
    '# Written by play (role kubeadm) for one `kubeadm join --config`; removed right after.',
    `apiVersion: ${c.apiVersion}`,
    'kind: JoinConfiguration',
    'discovery:',
    '  bootstrapToken:',
    `    apiServerEndpoint: ${q(c.endpoint)}`,
    `    token: ${q(c.token)}`,
    '    caCertHashes:',
    `      - ${q(c.caCertHash)}`,
    'nodeRegistration:',
    `  name: ${q(c.nodeName)}`,
    `  criSocket: ${q(c.criSocket)}`,
  ];
  const cp = c.controlPlane;
  if (cp) {
    lines.push('controlPlane:', '  localAPIEndpoint:');
    if (cp.advertiseAddress !== undefined) lines.push(`    advertiseAddress: ${q(cp.advertiseAddress)}`);
    lines.push(`    bindPort: ${cp.bindPort}`, `  certificateKey: ${q(cp.certificateKey)}`);
  }
  return [...lines, ''].join('\n');
}

export interface UploadCertsConfigInput {
  readonly apiVersion: string;
  readonly certificateKey: string;
  /** Only so kubeadm's defaulting does not have to detect a runtime (it refuses when it finds several). */
  readonly criSocket: string;
  /** v1.30.2: without it kubeadm would look the version up on the internet (stable-1). */
  readonly kubernetesVersion: string;
}

/** For `kubeadm init phase upload-certs --config`: the key travels in InitConfiguration.certificateKey. */
export function renderUploadCertsConfig(c: UploadCertsConfigInput): string {
  return [
    '# Written by play (role kubeadm) for one `kubeadm init phase upload-certs --config`; removed right after.',
    `apiVersion: ${c.apiVersion}`,
    'kind: InitConfiguration',
    `certificateKey: ${q(c.certificateKey)}`,
    'nodeRegistration:',
    `  criSocket: ${q(c.criSocket)}`,
    '---',
    `apiVersion: ${c.apiVersion}`,
    'kind: ClusterConfiguration',
    `kubernetesVersion: ${q(c.kubernetesVersion)}`,
    '',
  ].join('\n');
}
