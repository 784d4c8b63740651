/** What the ops need from a package manager to change packages (apt-scripts.ts implements it). */
import type { InstallPlan, PackageManagerName } from '../facts/index.js';

export interface PackageScripts {
  readonly name: PackageManagerName;
  /** Script lines (no `set -e`: the caller's script has it) that install the plan. */
  install(plan: InstallPlan): string;
  remove(names: readonly string[], changesHeld: boolean): string;
  hold(names: readonly string[]): string;
}
