// Which Debian release each lab host runs: `lab up`'s flags read into a layout (host -> release),
// and a layout applied to the recorded hosts. Pure, so the unit suite checks it.
import { LAB, MIX_LAYOUT, RELEASES, hostRelease, isRelease, type LabHost, type Release } from './constants.js';
import { LabError } from './exec.js';

/** Bad command-line input: exit code 2, nothing touched. */
export class UsageError extends LabError {}

/**
 * `--mix`, `--release RELEASE` (every host), `--release HOST=RELEASE` (one host), in order, later
 * ones winning; undefined when none is given (the hosts keep their releases).
 */
export function parseUpFlags(args: readonly string[], hostNames: readonly string[]): Record<string, Release> | undefined {
  let layout: Record<string, Release> | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--mix') {
      layout = { ...layout, ...MIX_LAYOUT };
      continue;
    }
    const value = arg === '--release' ? args[++i] : arg.startsWith('--release=') ? arg.slice('--release='.length) : null;
    if (value === null) throw new UsageError(`up: unknown argument (expected --mix or --release)`);
    if (value === undefined) throw new UsageError('up: --release needs RELEASE or HOST=RELEASE');
    layout = { ...layout, ...releaseFlag(value, hostNames) };
  }
  return layout;
}

function releaseFlag(value: string, hostNames: readonly string[]): Record<string, Release> {
  const eq = value.indexOf('=');
  const host = eq < 0 ? null : value.slice(0, eq);
  const release = eq < 0 ? value : value.slice(eq + 1);
  if (!isRelease(release)) throw new UsageError(`up: --release takes one of ${RELEASES.join(', ')}`);
  if (host === null) return Object.fromEntries(hostNames.map((name) => [name, release]));
  if (!hostNames.includes(host)) throw new UsageError(`up: --release names no lab host (hosts: ${hostNames.join(', ')})`);
  return { [host]: release };
}

/**
 * The hosts with the layout's releases applied; hosts it does not name keep theirs. The default
 * release is not recorded, so a state file of a bookworm-only lab stays as it always was.
 */
export function withReleases(hosts: readonly LabHost[], layout: Readonly<Record<string, Release>> | undefined): LabHost[] {
  return hosts.map((host) => {
    const release = layout?.[host.name] ?? hostRelease(host);
    const { release: _recorded, ...rest } = host;
    return release === LAB.suite ? rest : { ...rest, release };
  });
}
