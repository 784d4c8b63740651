/**
 * Runs the real `keepalived -t` and `haproxy -c` on rendered configs. keepalived checks that
 * every interface exists and that track scripts exist and are safe, so it runs in a private
 * network namespace with bridges named like the config's interfaces, and a private mount of
 * /etc/keepalived holding the rendered check script. Nothing on this machine is changed.
 *
 * Missing tools fail the test under CI=true and skip it, loudly, elsewhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolResult {
  readonly code: number;
  readonly output: string;
}

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], { encoding: 'utf8' });
  const path = r.stdout.trim().split('\n')[0];
  return r.status === 0 && path ? path : undefined;
}

/** Why the real tools cannot run here, or undefined when they can. */
export function realToolsMissing(): string | undefined {
  const missing = ['keepalived', 'haproxy', 'unshare', 'ip'].filter((t) => !which(t));
  if (missing.length) return `not installed: ${missing.join(', ')} (apt-get install keepalived haproxy)`;
  if (process.getuid?.() !== 0) return 'keepalived -t needs root (a private network namespace with its interfaces)';
  const probe = spawnSync('unshare', ['-n', '-m', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) return `cannot make a private network namespace: ${probe.stderr.trim()}`;
  return undefined;
}

/** The interfaces keepalived.conf names (VRRP interface, VIP devices, tracked interfaces). */
export function interfacesIn(conf: string): string[] {
  const names = new Set<string>();
  for (const m of conf.matchAll(/^\s*interface (\S+)$/gm)) names.add(m[1]!);
  for (const m of conf.matchAll(/ dev (\S+)$/gm)) names.add(m[1]!);
  const track = /track_interface \{\n([^}]*)\}/.exec(conf);
  for (const line of track?.[1]?.split('\n') ?? []) if (line.trim()) names.add(line.trim());
  return [...names].sort();
}

/** `keepalived -t -f CONF` with the config's interfaces present and the check script in place. */
export function keepalivedTest(conf: string, checkScript?: string): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'play-keepalived-'));
  const etc = join(dir, 'etc-keepalived');
  execFileSync('mkdir', ['-m', '0755', etc]);
  const confPath = join(dir, 'keepalived.conf');
  writeFileSync(confPath, conf, { mode: 0o640 });
  if (checkScript !== undefined) {
    writeFileSync(join(etc, 'check_apiserver.sh'), checkScript);
    chmodSync(join(etc, 'check_apiserver.sh'), 0o755);
  }
  const script = [
    'set -e',
    // Only inside this mount namespace: the real /etc/keepalived is untouched.
    'if [ -d /etc/keepalived ]; then mount --bind "$1" /etc/keepalived; fi',
    'shift 2',
    'for i in "$@"; do ip link add "$i" type bridge; done',
    'exec keepalived -t -f "$CONF"',
  ].join('\n');
  const r = spawnSync('unshare', ['-n', '-m', 'sh', '-c', script, 'sh', etc, confPath, ...interfacesIn(conf)], {
    encoding: 'utf8',
    env: { ...process.env, CONF: confPath },
  });
  rmSync(dir, { recursive: true, force: true });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}`.trim() };
}

/** `haproxy -c -f CFG`. */
export function haproxyCheck(cfg: string): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'play-haproxy-'));
  const path = join(dir, 'haproxy.cfg');
  writeFileSync(path, cfg);
  const r = spawnSync('haproxy', ['-c', '-f', path], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}`.trim() };
}
