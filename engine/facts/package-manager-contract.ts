/**
 * What play needs to read from a package manager, so the packages fact stays manager-neutral:
 * the query side (facts only read). The scripts that change packages are the ops' side
 * (engine/ops/package-scripts.ts), registered under the same names.
 */
import type { ExecResult } from '../types.js';
import type { OsRelease } from './os-release.js';

export type PackageManagerName = 'apt' | 'dnf';

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
  /** The OS families it serves: matched against os-release ID and ID_LIKE. */
  readonly families: readonly string[];
  /** Proven on a real host: false refuses it with a message naming the host's OS. */
  readonly proven: boolean;
  /** A read-only command reporting the state of `names`. */
  queryCommand(names: readonly string[]): string;
  /** Pure: the state of every name asked (a name the manager does not list is not installed). */
  parseQuery(names: readonly string[], result: ExecResult): Record<string, PackageState>;
  /** True when an installed version satisfies a wanted one (exact, or a trailing-* prefix). */
  versionMatches(installed: string, wanted: string): boolean;
}

export type { OsRelease };
