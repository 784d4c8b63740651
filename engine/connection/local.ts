import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Connection, ConnectionSpec, ConnectionStats, ExecOptions, ExecResult } from '../types.js';
import { ensurePrivateDir, runtimeDir } from './private-dir.js';
import { remoteShellArgs } from './remote-command.js';
import { missingPasswordError, runThroughSudo, sudoExchange } from './sudo.js';

/** ansible_connection=local: scripts run on the controller itself. */
export class LocalConnection implements Connection {
  readonly stats: ConnectionStats = { execs: 0, connects: 0 };
  constructor(readonly spec: ConnectionSpec) {}

  async exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.stats.execs++;
    const needsSudo = this.spec.become && process.getuid?.() !== 0;
    const exchange = needsSudo && this.spec.becomePassword !== undefined ? sudoExchange(this.spec.becomePassword) : undefined;
    const argv = remoteShellArgs(needsSudo, this.spec.becomeUser, exchange);
    const result = exchange
      ? await runThroughSudo(argv, { host: this.spec.host, exchange, script, timeoutMs: options.timeoutMs, handshakeMs: 30_000 })
      : await runProcess(argv[0]!, argv.slice(1), script, options.timeoutMs);
    const missing = needsSudo && result.code !== 0 ? missingPasswordError(this.spec.host, result.stderr) : undefined;
    if (missing) throw missing;
    return result;
  }

  /**
   * One lock per inventory host even when several of them are this controller. root's are in /run;
   * a user's in the user's private folder, never at a name in /tmp that another user could take
   * first or link elsewhere (the lock script writes the holder's name into it).
   */
  get lockFile(): string {
    const name = `play-local-${this.spec.host.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`;
    if (process.geteuid?.() === 0) return join('/run', name);
    const dir = join(runtimeDir(), 'locks');
    ensurePrivateDir(dir);
    return join(dir, name);
  }

  sessionArgv(script: string): string[] {
    return ['/bin/sh', '-c', script];
  }

  /** The session never uses sudo; exec does when become asks for it and play is not root. */
  get sessionRunsAsExec(): boolean {
    return !(this.spec.become && process.getuid?.() !== 0);
  }

  async close(): Promise<void> {}
}

export function runProcess(cmd: string, args: string[], input: string, timeoutMs?: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({
        code: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
