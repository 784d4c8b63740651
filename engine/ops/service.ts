import { TaskError } from '../errors.js';
import { serviceFact, type ServiceState } from '../facts/service.js';
import { sh } from '../shell.js';
import type { Change, Task } from '../types.js';
import { taskMeta, type SpecFn, type TaskOptions } from './task-options.js';

export interface ServiceSpec {
  name: string;
  enabled?: boolean;
  state?: 'started' | 'stopped';
  /** Run `systemctl daemon-reload` when systemd says the unit file changed on disk. */
  daemonReload?: boolean;
}

export interface ServiceChange extends Change {
  readonly name: string;
  readonly daemonReload: boolean;
  readonly enable?: boolean;
  readonly action?: 'start' | 'stop';
}

// Unit file states in which a unit starts at boot, or cannot be enabled by itself (static,
// generated, transient): `systemctl is-enabled` exits 0 for these.
const ENABLED_STATES = new Set(['enabled', 'enabled-runtime', 'alias', 'static', 'indirect', 'generated', 'transient']);
// Only these can be turned off by `systemctl disable`.
const DISABLEABLE_STATES = new Set(['enabled', 'enabled-runtime']);

function isRunning(state: ServiceState): boolean {
  // activating/auto-restart is a unit failing in a loop, not a running one.
  if (state.activeState === 'activating') return state.subState !== 'auto-restart';
  return state.activeState === 'active' || state.activeState === 'reloading';
}

/** Pure: what to do for the unit to be as the spec says. */
export function planService(spec: ServiceSpec, state: ServiceState): ServiceChange | null {
  const wantsUp = spec.enabled === true || spec.state === 'started';
  if (state.loadState === 'masked' && wantsUp) {
    throw new TaskError(`unit ${spec.name} is masked: unmask it before enabling or starting it`);
  }
  const notFound = state.loadState === 'not-found';
  const parts: string[] = [];
  let enable: boolean | undefined;
  let action: 'start' | 'stop' | undefined;
  const reload = (spec.daemonReload ?? false) && state.needDaemonReload;
  if (reload) parts.push('unit file changed: daemon-reload');

  if (spec.enabled === true && (notFound || !ENABLED_STATES.has(state.unitFileState))) {
    enable = true;
    parts.push(`${state.unitFileState || 'no unit file'} -> enabled`);
  } else if (spec.enabled === false && DISABLEABLE_STATES.has(state.unitFileState)) {
    enable = false;
    parts.push(`${state.unitFileState} -> disabled`);
  }
  const running = !notFound && isRunning(state);
  if (spec.state === 'started' && !running) {
    action = 'start';
    parts.push(`${state.activeState} -> started`);
  } else if (spec.state === 'stopped' && running) {
    action = 'stop';
    parts.push(`${state.activeState} -> stopped`);
  }
  if (!reload && enable === undefined && action === undefined) return null;
  // A unit not found may still appear after daemon-reload (a unit file written by an earlier task);
  // if it does not, systemctl's own error says so in apply.
  const summary = notFound ? `unit ${spec.name} not found: ${parts.join(', ')}` : parts.join(', ');
  return {
    name: spec.name,
    summary,
    daemonReload: reload || (notFound && (spec.daemonReload ?? false)),
    ...(enable !== undefined ? { enable } : {}),
    ...(action !== undefined ? { action } : {}),
  };
}

export function serviceScript(change: ServiceChange): string {
  const lines = ['set -e'];
  if (change.daemonReload) lines.push('systemctl daemon-reload');
  if (change.enable !== undefined) lines.push(sh`systemctl ${change.enable ? 'enable' : 'disable'} -- ${change.name}`);
  if (change.action) lines.push(sh`systemctl ${change.action} -- ${change.name}`);
  return lines.join('\n') + '\n';
}

/** Ensures a systemd unit is enabled/disabled and started/stopped. */
export function service<V>(name: string, spec: SpecFn<V, ServiceSpec>, opts?: TaskOptions<V>): Task<V, ServiceChange> {
  return {
    ...taskMeta(name, opts),
    async check(ctx) {
      const s = await spec(ctx);
      return planService(s, await ctx.fact(serviceFact(s.name)));
    },
    async apply(ctx, change) {
      await ctx.run(serviceScript(change));
    },
  };
}
