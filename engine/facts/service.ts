/**
 * A systemd unit's state from `systemctl show`, which (unlike is-active/is-enabled) answers every
 * property in one call and exits 0 even for a unit that does not exist (LoadState=not-found).
 */
import { sh } from '../shell.js';
import type { ExecResult, Fact } from '../types.js';
import { factError } from './fact-error.js';

export interface ServiceState {
  /** loaded, not-found, masked, bad-setting, error. */
  readonly loadState: string;
  /** active, inactive, failed, activating, deactivating, reloading. */
  readonly activeState: string;
  /** running, dead, exited, auto-restart... */
  readonly subState: string;
  /** enabled, disabled, static, masked, indirect, generated...; '' when the unit has no file. */
  readonly unitFileState: string;
  /** The unit file changed on disk since systemd last loaded it. */
  readonly needDaemonReload: boolean;
}

export function serviceFact(name: string): Fact<ServiceState> {
  const id = `service:${name}`;
  return {
    id,
    command: sh`systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- ${name}`,
    parse: (result) => parseServiceFact(id, result),
  };
}

export function parseServiceFact(id: string, result: ExecResult): ServiceState {
  // systemctl prints the properties in its own order, not ours: read them as key=value lines.
  const props = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const loadState = props.get('LoadState');
  const activeState = props.get('ActiveState');
  if (result.code !== 0 || loadState === undefined || activeState === undefined) {
    throw factError(id, result, 'systemctl show gave no unit state');
  }
  return {
    loadState,
    activeState,
    subState: props.get('SubState') ?? '',
    unitFileState: props.get('UnitFileState') ?? '',
    needDaemonReload: props.get('NeedDaemonReload') === 'yes',
  };
}
