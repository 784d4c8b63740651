/**
 * calico.yaml with the pod CIDR: upstream ships the IPv4 pool setting commented out
 *     # - name: CALICO_IPV4POOL_CIDR
 *     #   value: "192.168.0.0/16"
 * (calico then guesses from kubeadm's podSubnet, or falls back to 192.168.0.0/16). Seed 002
 * uncomments it by hand in vi; this does the same, keeping the indentation, and also sets a
 * block that is already uncommented. Pure (golden-tested).
 */
import { TaskError } from '../../../engine/errors.js';

export const CALICO_MANIFEST = '/etc/kubernetes/calico.yaml';

const HEADER = '# Managed by play (role calico): the upstream manifest with CALICO_IPV4POOL_CIDR set to the pod network.\n';

const COMMENTED = /^([ \t]*)#[ \t]*- name: CALICO_IPV4POOL_CIDR[ \t]*\r?\n\1#[ \t]*value: "[^"\n]*"[ \t]*$/gm;
const ACTIVE = /^([ \t]*)- name: CALICO_IPV4POOL_CIDR[ \t]*\r?\n\1  value: "[^"\n]*"[ \t]*$/gm;

export function setCalicoPoolCidr(manifest: string, podCidr: string): string {
  let found = 0;
  const block = (indent: string): string => {
    found++;
    return `${indent}- name: CALICO_IPV4POOL_CIDR\n${indent}  value: "${podCidr}"`;
  };
  const out = manifest.replace(COMMENTED, (_m, indent: string) => block(indent)).replace(ACTIVE, (_m, indent: string) => block(indent));
  if (found === 0) {
    throw new TaskError('the calico manifest has no CALICO_IPV4POOL_CIDR setting (commented or not): is calico_manifest_url the calico.yaml manifest?');
  }
  return HEADER + out;
}
