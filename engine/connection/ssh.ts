import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ConnectionError } from '../errors.js';
import type { Connection, ConnectionSpec, ConnectionStats, ExecOptions, ExecResult } from '../types.js';
import { runtimeDir } from './private-dir.js';
import { remoteShellArgs } from './remote-command.js';
import { missingPasswordError, runThroughSudo, sudoExchange, sudoWords } from './sudo.js';

export interface SshSettings {
  /** 'accept-new' trusts a host the first time; 'yes' requires its key in known_hosts already. */
  hostKeyChecking: 'accept-new' | 'yes';
  controlPersist: string;
  controlDir: string;
  connectTimeoutSec: number;
  /** ansible.cfg's [ssh_connection] ssh_args: after play's own options, before the host's. */
  extraArgs?: readonly string[];
}

let sshOnPath: { readonly pathVar: string | undefined; readonly program: string } | undefined;

/**
 * ssh's absolute path, looked up on PATH once per PATH value. Spawned by name, every ssh tries
 * each PATH entry before it (eight failed execs per host with pyenv and cargo first on PATH),
 * while the run waits for the exec. Not found: 'ssh', and the spawn fails as it would have.
 */
export function sshProgram(): string {
  const pathVar = process.env['PATH'];
  if (sshOnPath === undefined || sshOnPath.pathVar !== pathVar) sshOnPath = { pathVar, program: findExecutable('ssh', pathVar) ?? 'ssh' };
  return sshOnPath.program;
}

function findExecutable(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(':')) {
    // a relative entry depends on the working directory at each spawn: left to the spawn itself
    if (!isAbsolute(dir)) return undefined;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function defaultSshSettings(): SshSettings {
  return {
    hostKeyChecking: 'accept-new',
    controlPersist: '60s',
    // Checked before use (private-dir.ts): a socket is a login.
    controlDir: join(runtimeDir(), 'cp'),
    connectTimeoutSec: 10,
  };
}

/**
 * The name of a host's control socket: a hash of everything that selects the destination or how
 * it is verified (address, port, user, key, every extra ssh argument: ProxyJump, ProxyCommand,
 * -F, UserKnownHostsFile..., ansible.cfg's ssh_args, the host key policy, and the home whose
 * ~/.ssh/config and known_hosts ssh reads). Two hosts at one private address behind different
 * bastions get two sockets, in this run and in the next one within ControlPersist.
 */
export function controlSocketName(spec: ConnectionSpec, settings: SshSettings): string {
  const identity = JSON.stringify([
    spec.address,
    spec.port ?? 22,
    spec.user ?? null,
    spec.privateKeyFile ?? null,
    spec.commonArgs,
    settings.extraArgs ?? [],
    settings.hostKeyChecking,
    homedir(),
  ]);
  // Our own short name (not %C) so we can tell whether a master is already up.
  return createHash('sha256').update(identity).digest('hex').slice(0, 20);
}

/**
 * ssh exits 255 when it cannot reach the host or the connection drops, and a mux client whose
 * master died often says nothing at all: like Ansible, 255 means unreachable. Our remote
 * wrapper never exits 255 by itself.
 */
export function isSshFailure(result: ExecResult): boolean {
  return result.code === 255;
}

/** The lines of stderr that OpenSSH wrote (not the remote command's), for the unreachable message. */
const SSH_LINE = /^(ssh: |kex_exchange_identification|Connection (closed|reset|timed out|refused)|Connection to .* closed|Host key verification failed|Permission denied|Timeout, server|client_loop:|.*REMOTE HOST IDENTIFICATION HAS CHANGED|Bad owner or permissions|mux_client|ssh_exchange_identification|Control socket)/;

export function sshErrorText(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => SSH_LINE.test(l));
  return lines.length ? lines.join('\n') : 'connection lost (ssh exited 255)';
}

/** OpenSSH through zx: one ControlMaster per host, reused by every exec and by the next run. */
export class SshConnection implements Connection {
  readonly stats: ConnectionStats = { execs: 0, connects: 0 };
  private readonly controlPath: string;

  constructor(
    readonly spec: ConnectionSpec,
    private readonly settings: SshSettings,
  ) {
    this.controlPath = join(settings.controlDir, controlSocketName(spec, settings));
  }

  sshArgs(): string[] {
    const s = this.spec;
    const args = [
      '-o', 'ControlMaster=auto',
      '-o', `ControlPath=${this.controlPath}`,
      '-o', `ControlPersist=${this.settings.controlPersist}`,
      '-o', 'BatchMode=yes',
      '-o', `StrictHostKeyChecking=${this.settings.hostKeyChecking}`,
      '-o', `ConnectTimeout=${this.settings.connectTimeoutSec}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'ServerAliveCountMax=3',
    ];
    args.push(...(this.settings.extraArgs ?? []));
    if (s.port !== undefined) args.push('-p', String(s.port));
    if (s.user !== undefined) args.push('-l', s.user);
    if (s.privateKeyFile !== undefined) args.push('-i', s.privateKeyFile);
    args.push(...s.commonArgs);
    return args;
  }

  async exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.stats.execs++;
    if (!existsSync(this.controlPath)) this.stats.connects++;
    const needsSudo = this.needsSudo();
    const exchange = needsSudo && this.spec.becomePassword !== undefined ? sudoExchange(this.spec.becomePassword) : undefined;
    const remote = remoteShellArgs(needsSudo, this.spec.becomeUser, exchange).map(quotePosix).join(' ');
    let result: ExecResult;
    if (exchange) {
      const argv = [sshProgram(), ...this.sshArgs(), '--', this.spec.address, remote];
      const handshakeMs = (this.settings.connectTimeoutSec + 30) * 1000;
      result = await runThroughSudo(argv, { host: this.spec.host, exchange, script, timeoutMs: options.timeoutMs, handshakeMs });
    } else {
      const $ = await zx();
      const output = await $({ ...LOCAL_SHELL, input: script, nothrow: true, quiet: true, timeout: options.timeoutMs })`${sshProgram()} ${this.sshArgs()} -- ${this.spec.address} ${remote}`;
      result = { code: output.exitCode ?? 255, stdout: output.stdout, stderr: output.stderr };
    }
    if (isSshFailure(result)) throw new ConnectionError(this.spec.host, sshErrorText(result.stderr));
    const missing = needsSudo && result.code !== 0 ? missingPasswordError(this.spec.host, result.stderr) : undefined;
    if (missing) throw missing;
    return result;
  }

  private needsSudo(): boolean {
    return this.spec.become && this.spec.user !== undefined && this.spec.user !== 'root';
  }

  readonly lockFile = '/run/play.lock';

  /** The session's sudo makes root; exec's makes become_user. */
  get sessionRunsAsExec(): boolean {
    return !this.needsSudo() || this.spec.becomeUser === undefined || this.spec.becomeUser === 'root';
  }

  sessionArgv(script: string, sudoPrompt?: string): string[] {
    // The run lock's session is often the first to reach the host: it opens the master then.
    if (!existsSync(this.controlPath)) this.stats.connects++;
    const sudo = sudoPrompt ? sudoWords(undefined, sudoPrompt) : ['sudo', '-n', '--'];
    const words = [...(this.needsSudo() ? sudo : []), '/bin/sh', '-c', script].map(quotePosix).join(' ');
    return [sshProgram(), ...this.sshArgs(), '--', this.spec.address, words];
  }

  /** Leaves the master running (ControlPersist) so the next run starts warm. */
  async close(): Promise<void> {}

  async stopMaster(): Promise<void> {
    const $ = await zx();
    await $({ ...LOCAL_SHELL, nothrow: true, quiet: true })`${sshProgram()} ${this.sshArgs()} -O exit ${this.spec.address}`;
  }
}

/**
 * zx runs its command through a local shell; bash (zx's default) reads ~/.bashrc when SHLVL is
 * 0 and SSH_CLIENT is set (cron, CI runners, nohup'd jobs over ssh): measured 1.6 s instead of
 * 0.6 s for a no-op of the lab. /bin/sh never reads an rc file when not interactive, and `exec`
 * leaves one process per exec: ssh itself.
 */
const LOCAL_SHELL = { shell: '/bin/sh', prefix: 'exec ', postfix: '', quote: quotePosix } as const;

/** zx/core loads in a third of the time of 'zx', and only runs that touch SSH pay for it. */
async function zx(): Promise<typeof import('zx/core').$> {
  return (await import('zx/core')).$;
}

/**
 * POSIX sh quoting, for the remote login shell (which parses ssh's command line once) and for the
 * local /bin/sh zx runs (zx's own quote is bash's $'...').
 */
function quotePosix(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
