/** /etc/crictl.yaml: crictl talks to the runtime kubelet uses, without guessing (it warns when it must). */
export const CRICTL_YAML = '/etc/crictl.yaml';

export function renderCrictlYaml(socket: string): string {
  return [
    '# Managed by play (role crio-or-docker): the CRI socket kubelet uses.',
    `runtime-endpoint: ${socket}`,
    `image-endpoint: ${socket}`,
    'timeout: 10',
    '',
  ].join('\n');
}
