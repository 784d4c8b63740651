import type { Connection, ConnectionSpec } from '../types.js';
import { LocalConnection } from './local.js';
import { LockedConnection } from './locked.js';
import { ensurePrivateDir } from './private-dir.js';
import { SshConnection, type SshSettings } from './ssh.js';

/** One connection per host for the whole run, opened on first use. */
export class ConnectionPool {
  private readonly connections = new Map<string, Connection>();
  private dirReady = false;

  constructor(private readonly ssh: SshSettings) {}

  get(spec: ConnectionSpec): Connection {
    let conn = this.connections.get(spec.host);
    if (!conn) {
      conn = this.open(spec);
      this.connections.set(spec.host, conn);
    }
    return conn;
  }

  private open(spec: ConnectionSpec): Connection {
    if (spec.kind === 'local') return new LockedConnection(new LocalConnection(spec));
    if (!this.dirReady) {
      ensurePrivateDir(this.ssh.controlDir);
      this.dirReady = true;
    }
    return new LockedConnection(new SshConnection(spec, this.ssh));
  }

  all(): ReadonlyMap<string, Connection> {
    return this.connections;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.close()));
  }
}

