/**
 * Restart handlers that know what the daemon read: a running unit whose main process started
 * after every one of its config files was last written already runs that config, so restarting
 * it again only costs time (keepalived takes ~1.2 s to stop) and, for keepalived, a VIP flap.
 * This is the usual first apply: install, write the config, start, then the handler fires.
 */
import { CommandError } from '../errors.js';
import { sh } from '../shell.js';
import type { HandlerOutcome, TaskContext } from '../types.js';

/** Exit 0 after restarting, 3 when the running process is newer than every file. */
export function restartIfStaleScript(unit: string, files: readonly string[]): string {
  return [
    sh`if [ "$(systemctl show -p ActiveState --value -- ${unit})" = active ]; then`,
    // µs since the epoch, from systemd's and stat's own clocks (both CLOCK_REALTIME).
    // Only a timestamp systemd printed in full is trusted (date -d '' would read as midnight).
    sh`  ts=$(systemctl show -p ExecMainStartTimestamp --value --timestamp=us+utc -- ${unit} 2>/dev/null) || ts=`,
    '  case "$ts" in *.[0-9][0-9][0-9][0-9][0-9][0-9]" UTC") started=$(date -d "$ts" +%s%6N 2>/dev/null) || started= ;; *) started= ;; esac',
    '  fresh=yes',
    sh`  for f in ${files}; do`,
    '    changed=$(stat -L -c %.6Y -- "$f" 2>/dev/null | tr -d .) || changed=',
    '    if [ -z "$changed" ] || [ -z "$started" ] || [ "$started" -le "$changed" ]; then fresh=; fi',
    '  done',
    '  if [ -n "$fresh" ]; then exit 3; fi',
    'fi',
    sh`systemctl restart -- ${unit}`,
  ].join('\n');
}

/** A handler body: restarts `unit` unless its running process already read every file. */
export async function restartIfStale<V>(ctx: TaskContext<V>, unit: string, files: readonly string[]): Promise<HandlerOutcome> {
  const script = restartIfStaleScript(unit, files);
  const result = await ctx.run(script, { allowFail: true, label: `systemctl restart ${unit}` });
  if (result.code === 3) return { changed: false, summary: `not restarted: ${unit} started after its config was written` };
  if (result.code !== 0) throw new CommandError(script, result.code, result.stdout, result.stderr, `systemctl restart ${unit}`);
  return { changed: true, summary: 'restarted' };
}
