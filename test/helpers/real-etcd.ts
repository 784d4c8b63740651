/**
 * Debian's real etcd for the tests that run it on loopback (the stand-in apiserver's etcd store,
 * the etcd restore's commands): where the binaries are, and a free port.
 */
import { accessSync, constants } from 'node:fs';
import * as net from 'node:net';
import path from 'node:path';

export const LOOPBACK = '127.0.0.1';

export function executable(file: string | undefined): file is string {
  if (!file) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The etcd binary: PLAY_ETCD_BIN, what .ci/run extracts, or an installed one. */
export function findEtcd(): string | undefined {
  return [process.env['PLAY_ETCD_BIN'], '/var/cache/play-lab/etcd/root/usr/bin/etcd', '/usr/bin/etcd'].find(executable);
}

/** The first of findEtcd's folders holding both etcd and etcdctl. */
export function findEtcdDir(): string | undefined {
  const candidates = [process.env['PLAY_ETCD_BIN'] ? path.dirname(process.env['PLAY_ETCD_BIN']) : undefined, '/var/cache/play-lab/etcd/root/usr/bin', '/usr/bin'];
  return candidates.find((d) => d !== undefined && executable(path.join(d, 'etcd')) && executable(path.join(d, 'etcdctl')));
}

export function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
