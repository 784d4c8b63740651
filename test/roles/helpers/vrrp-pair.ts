/**
 * Two "LB hosts" on this machine for real keepalived runs: two network namespaces joined by a
 * veth pair (each end named eth0), each with its own PID namespace so `killall -0 haproxy` sees
 * only its own host's processes. Each host runs the real keepalived on a config rendered by the
 * role, and a stand-in haproxy (a copy of sleep named haproxy) that the test stops and starts
 * through flag files. Traffic stays on the veth pair: nothing leaves the namespaces.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Side = 'a' | 'b';

// PID 1 of the host's PID namespace: keepalived in the background, haproxy on or off as the
// flag file says, and exit (taking every process of the namespace with it) on the exit flag.
const HOST_SCRIPT = `dir=$1; name=$2; hp=
keepalived -n -l -P -f "$dir/$name.conf" -p "$dir/$name.ka.pid" -r "$dir/$name.vrrp.pid" > "$dir/$name.log" 2>&1 &
while :; do
  if [ -e "$dir/$name.exit" ]; then exit 0; fi
  if [ -e "$dir/$name.haproxy-down" ]; then
    if [ -n "$hp" ]; then kill "$hp"; wait "$hp" 2>/dev/null; hp=; fi
  elif [ -z "$hp" ]; then
    "$dir/haproxy" 86400 & hp=$!
  fi
  sleep 0.05
done
`;

export class VrrpPair {
  private constructor(
    readonly dir: string,
    private readonly ns: Record<Side, string>,
    private readonly vip: string,
  ) {}

  /** Why real keepalived runs cannot happen here, or undefined. */
  static missing(): string | undefined {
    const tools = ['keepalived', 'ip', 'unshare', 'killall'].filter((t) => spawnSync('sh', ['-c', `command -v ${t} || test -x /usr/sbin/${t}`]).status !== 0);
    if (tools.length) return `not installed: ${tools.join(', ')}`;
    if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
    if (!existsSync('/usr/bin/killall')) return '/usr/bin/killall missing (psmisc)';
    return undefined;
  }

  static start(opts: {
    readonly confs: Record<Side, string>;
    readonly addresses: Record<Side, string>;
    readonly prefix: number;
    readonly vip: string;
    readonly haproxyUp: Record<Side, boolean>;
  }): VrrpPair {
    const dir = mkdtempSync(join(tmpdir(), 'play-vrrp-'));
    const tag = `play-vrrp-${process.pid}`;
    const ns: Record<Side, string> = { a: `${tag}-a`, b: `${tag}-b` };
    const pair = new VrrpPair(dir, ns, opts.vip);
    copyFileSync('/bin/sleep', join(dir, 'haproxy'));
    spawnSync('chmod', ['755', join(dir, 'haproxy')]);
    writeFileSync(join(dir, 'host.sh'), HOST_SCRIPT);
    const veth = `pv${process.pid % 100000}`;
    const net = [
      `ip netns add ${ns.a}`,
      `ip netns add ${ns.b}`,
      `ip link add ${veth}a type veth peer name ${veth}b`,
      `ip link set ${veth}a netns ${ns.a}`,
      `ip link set ${veth}b netns ${ns.b}`,
      ...(['a', 'b'] as const).flatMap((s) => [
        `ip -n ${ns[s]} link set ${veth}${s} name eth0`,
        `ip -n ${ns[s]} addr add ${opts.addresses[s]}/${opts.prefix} dev eth0`,
        `ip -n ${ns[s]} link set eth0 up`,
        `ip -n ${ns[s]} link set lo up`,
      ]),
    ];
    const r = spawnSync('sh', ['-ec', net.join('\n')], { encoding: 'utf8' });
    if (r.status !== 0) {
      pair.stop();
      throw new Error(`cannot build the namespaces: ${r.stderr}`);
    }
    for (const side of ['a', 'b'] as const) {
      writeFileSync(join(dir, `${side}.conf`), opts.confs[side], { mode: 0o640 });
      if (!opts.haproxyUp[side]) writeFileSync(join(dir, `${side}.haproxy-down`), '');
      const child = spawn('ip', ['netns', 'exec', ns[side], 'unshare', '-p', '-f', '--mount-proc', 'sh', join(dir, 'host.sh'), dir, side], {
        stdio: 'ignore',
        detached: true,
      });
      child.unref();
    }
    return pair;
  }

  holds(side: Side): boolean {
    const r = spawnSync('ip', ['-n', this.ns[side], '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
    return r.stdout.includes(` ${this.vip}/`);
  }

  holders(): Side[] {
    return (['a', 'b'] as const).filter((s) => this.holds(s));
  }

  setHaproxy(side: Side, up: boolean): void {
    const flag = join(this.dir, `${side}.haproxy-down`);
    if (up) rmSync(flag, { force: true });
    else writeFileSync(flag, '');
  }

  /** Milliseconds until exactly `side` holds the VIP; throws after timeoutMs. */
  async waitSoleHolder(side: Side, timeoutMs: number): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const h = this.holders();
      if (h.length === 1 && h[0] === side) return Date.now() - t0;
      if (Date.now() - t0 > timeoutMs) throw new Error(`after ${timeoutMs} ms the VIP is on [${h.join(', ')}], not ${side} only\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  logs(): string {
    return (['a', 'b'] as const)
      .map((s) => {
        const file = join(this.dir, `${s}.log`);
        const text = existsSync(file) ? spawnSync('tail', ['-n', '15', file], { encoding: 'utf8' }).stdout : '(no log)';
        return `--- keepalived on ${s}:\n${text}`;
      })
      .join('\n');
  }

  /** Ends both hosts (PID 1 exits, its namespace dies), deletes the namespaces and files. */
  stop(): void {
    for (const side of ['a', 'b'] as const) writeFileSync(join(this.dir, `${side}.exit`), '');
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && (['a', 'b'] as const).some((s) => this.pids(s).length > 0)) spawnSync('sleep', ['0.1']);
    // Stragglers: only processes inside our own namespaces, by their ids.
    for (const side of ['a', 'b'] as const) for (const pid of this.pids(side)) spawnSync('kill', ['-9', String(pid)]);
    for (const side of ['a', 'b'] as const) spawnSync('ip', ['netns', 'del', this.ns[side]]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pids(side: Side): number[] {
    const r = spawnSync('ip', ['netns', 'pids', this.ns[side]], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.split('\n').filter(Boolean).map(Number) : [];
  }
}
