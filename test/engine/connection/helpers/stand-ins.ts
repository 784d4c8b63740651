/**
 * Stand-ins on PATH for tests of the SSH connection code without a network: an `ssh` that logs
 * its argv and runs the remote command on this machine in the test's folder (the run lock too,
 * one per control socket: each socket stands for one machine),
 * and a `sudo` that logs its argv and behaves like sudo -n / -S -p (asks on stderr, reads one
 * line, says "Sorry, try again."). FAKE_SUDO_MODE: password (default), nopasswd or cached.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FAKE_SSH = `#!/bin/sh
# ssh stand-in: logs argv (words NUL-separated, calls ended by \\001), runs the remote command here.
# Each control socket stands for one machine: its run lock is named after the socket.
{ printf '%s\\0' "$@"; printf '\\001'; } >> "$FAKE_LOG"
socket=
for a; do
  [ "$a" = "-O" ] && exit 0
  case $a in ControlPath=*) socket=-\${a##*/};; esac
done
for last; do :; done
exec sh -c "$(printf '%s' "$last" | sed "s#/run/play.lock#$FAKE_ROOT/play$socket.lock#g")"
`;

const FAKE_SUDO = `#!/bin/sh
# sudo stand-in: -n refuses unless no password is needed; -S -p asks on stderr, reads one line.
{ printf '%s\\0' sudo "$@"; printf '\\001'; } >> "$FAKE_LOG"
nonint=0; prompt='Password:'
while [ $# -gt 0 ]; do
  case "$1" in
    -n) nonint=1; shift ;;
    -H|-S) shift ;;
    -p|-u) [ "$1" = -p ] && prompt=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
case "\${FAKE_SUDO_MODE:-password}" in nopasswd|cached) exec "$@" ;; esac
if [ $nonint = 1 ]; then echo 'sudo: a password is required' >&2; exit 1; fi
expected=$(cat "$FAKE_SUDO_PASSWORD_FILE")
for try in 1 2 3; do
  printf '%s' "$prompt" >&2
  IFS= read -r answer || { echo 'sudo: no password was provided' >&2; exit 1; }
  [ "$answer" = "$expected" ] && exec "$@"
  echo 'Sorry, try again.' >&2
done
echo 'sudo: 3 incorrect password attempts' >&2
exit 1
`;

export interface StandIns {
  /** PATH, the log and the stand-ins' settings, to merge into play's environment. */
  env(mode: 'password' | 'nopasswd' | 'cached'): NodeJS.ProcessEnv;
  /** Every argv the stand-ins saw since the last clear, as word lists (sudo's start with 'sudo'). */
  argvs(): string[][];
  clear(): void;
}

/** Installs the stand-ins under dir/bin; sudo's password is `sudoPassword` (kept in a 0600 file). */
export function installStandIns(dir: string, sudoPassword: string): StandIns {
  const log = join(dir, 'argv.log');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'run'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'bin/ssh'), FAKE_SSH);
  writeFileSync(join(dir, 'bin/sudo'), FAKE_SUDO);
  chmodSync(join(dir, 'bin/ssh'), 0o755);
  chmodSync(join(dir, 'bin/sudo'), 0o755);
  writeFileSync(join(dir, 'sudo-password'), `${sudoPassword}\n`, { mode: 0o600 });
  writeFileSync(log, '');
  return {
    env: (mode) => ({
      PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
      XDG_RUNTIME_DIR: join(dir, 'run'),
      FAKE_LOG: log,
      FAKE_ROOT: dir,
      FAKE_SUDO_MODE: mode,
      FAKE_SUDO_PASSWORD_FILE: join(dir, 'sudo-password'),
    }),
    argvs: () => readFileSync(log, 'utf8').split('\x01').filter(Boolean).map((line) => line.split('\0').slice(0, -1)),
    clear: () => writeFileSync(log, ''),
  };
}
