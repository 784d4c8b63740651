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

const PROPERTIES = 'LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload';

/** systemctl starts in ~8 ms: the units asked in one batch share one `systemctl show`. */
const SHOW_GROUP = {
  key: 'systemctl-show',
  command: (units: readonly string[]): string => sh`systemctl show -p ${PROPERTIES} -- ${units}`,
  split: splitShowOutput,
};

export function serviceFact(name: string): Fact<ServiceState> {
  const id = `service:${name}`;
  return {
    id,
    command: SHOW_GROUP.command([name]),
    parse: (result) => parseServiceFact(id, result),
    group: { ...SHOW_GROUP, arg: name },
  };
}

/** `systemctl show` of several units prints one block per unit, in order, between blank lines. */
export function splitShowOutput(result: ExecResult, units: readonly string[]): ExecResult[] {
  const count = units.length;
  if (result.code !== 0) return Array.from({ length: count }, () => result);
  const blocks = result.stdout.replace(/\n+$/, '').split(/\n\n/);
  if (blocks.length !== count) throw new Error(`systemctl show printed ${blocks.length} blocks for ${count} units`);
  return blocks.map((block) => ({ code: 0, stdout: `${block}\n`, stderr: result.stderr }));
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
