/**
 * Debian's real etcd for the tests that run it on loopback (the stand-in apiserver's etcd store,
 * the stand-in kubeadm's etcd mode, the etcd restore's commands): where the binaries are, free
 * ports, children waited for by a line of their output and stopped by their own pid.
 */
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as net from 'node:net';
import path from 'node:path';

export const LOOPBACK = '127.0.0.1';
export const HOST = LOOPBACK;

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

/** A child's output, kept for the failure message, and a wait for a line in it. */
export function untilOutput(child: ChildProcess, text: string, what: string, ms = 15_000): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not print "${text}" in ${ms} ms:\n${seen}`)), ms);
    const watch = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before "${text}":\n${seen}`));
    });
  });
}

export function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
