/**
 * What play needs from a package manager, so the packages fact and op stay manager-neutral:
 * the contract alone, which each manager (apt.ts) implements and package-manager.ts chooses from.
 */
import type { ExecResult } from '../types.js';

export type PackageManagerName = 'apt' | 'dnf' | 'yum';

export interface PackageState {
  readonly installed: boolean;
  /** The installed version, when installed. */
  readonly version?: string;
  /** Pinned against upgrades (apt-mark hold, dnf versionlock). */
  readonly held: boolean;
}

/** One package to install, optionally at an exact version. */
export interface PackageRequest {
  readonly name: string;
  readonly version?: string;
}

export interface InstallPlan {
  readonly packages: readonly PackageRequest[];
  readonly updateCache: boolean;
  /** An index refreshed less than this long ago (and after the sources last changed) is kept. */
  readonly cacheValidSec: number;
  /** Some of the packages are held: the manager must be allowed to change them. */
  readonly changesHeld: boolean;
}

export interface PackageManager {
  readonly name: PackageManagerName;
  /** A read-only command reporting the state of `names`. */
  queryCommand(names: readonly string[]): string;
  /** Pure: the state of every name asked (a name the manager does not list is not installed). */
  parseQuery(names: readonly string[], result: ExecResult): Record<string, PackageState>;
  /** True when an installed version satisfies a wanted one (exact, or a trailing-* prefix). */
  versionMatches(installed: string, wanted: string): boolean;
  /** Script lines (no `set -e`: the caller's script has it) that install the plan. */
  installScript(plan: InstallPlan): string;
  removeScript(names: readonly string[], changesHeld: boolean): string;
  holdScript(names: readonly string[]): string;
}
