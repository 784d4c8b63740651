/**
 * /etc/docker/daemon.json (seed 002): the systemd cgroup driver like kubelet, bounded json-file
 * logs, the storage driver. Keys sorted, so the same settings always give the same bytes.
 */
export const DAEMON_JSON = '/etc/docker/daemon.json';

export interface DaemonJsonInput {
  readonly storageDriver: string;
  readonly logMaxSize: string;
}

export function renderDaemonJson(v: DaemonJsonInput): string {
  const doc = {
    'exec-opts': ['native.cgroupdriver=systemd'],
    'log-driver': 'json-file',
    'log-opts': { 'max-size': v.logMaxSize },
    'storage-driver': v.storageDriver,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
