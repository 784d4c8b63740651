/** What the first master's kubeadm config is rendered from, out of the host's resolved vars. */
import type { KubeadmConfigInput } from './templates/kubeadm-config.js';
import type { KubeadmVars } from './vars.js';

export function kubeadmConfigInput(v: KubeadmVars): KubeadmConfigInput {
  return {
    apiVersion: v.kubeadmApi,
    nodeName: v.nodeName,
    criSocket: v.criSocket,
    ...(v.advertiseAddress !== undefined ? { advertiseAddress: v.advertiseAddress } : {}),
    apiserverPort: v.apiserverPort,
    kubernetesVersion: `v${v.version.text}`,
    controlPlaneEndpoint: v.endpoint,
    podSubnet: v.networks.pod.text,
    serviceSubnet: v.networks.service.text,
    certSans: v.certSans,
    tokenTtl: v.tokenTtl,
  };
}
