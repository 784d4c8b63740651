/**
 * apt's scripts that change packages (install, remove, hold): the ops' side of the apt package
 * manager, whose query side is engine/facts/apt.ts.
 */
import { raw, sh } from '../shell.js';
import type { InstallPlan } from '../facts/index.js';
import type { PackageScripts } from './package-scripts-contract.js';

// Noninteractive, keep existing config files on upgrade (roles write their own with file()),
// and wait for a concurrent dpkg (unattended-upgrades) instead of failing on its lock.
const APT_GET = raw(
  'DEBIAN_FRONTEND=noninteractive apt-get -y -o DPkg::Lock::Timeout=120' +
    ' -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold',
);

/**
 * A host that lost power (or a run cut off) mid-install leaves dpkg "interrupted" (files in
 * /var/lib/dpkg/updates): apt refuses everything until `dpkg --configure -a`. dpkg has no lock
 * timeout, and the cut-off apt may still be running, so it is retried while the lock is held.
 */
export const FINISH_INTERRUPTED_DPKG = [
  'if [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ]; then',
  '  i=0; until DEBIAN_FRONTEND=noninteractive dpkg --configure -a --force-confdef --force-confold; do',
  '    i=$((i + 1)); [ "$i" -lt 60 ] || exit 1; sleep 2',
  '  done',
  'fi',
].join('\n');

/** Touched after every successful refresh (Debian's periodic apt and Ansible read it too). */
export const UPDATE_STAMP = '/var/lib/apt/periodic/update-success-stamp';

export interface AptPaths {
  readonly stamp: string;
  readonly config: string;
  readonly lists: string;
}

const APT_PATHS: AptPaths = { stamp: UPDATE_STAMP, config: '/etc/apt', lists: '/var/lib/apt/lists' };

/**
 * Refreshes the package index unless it is fresh: refreshed less than `validSec` ago, after the
 * last change under /etc/apt (a new repository or key needs its lists at once), and the lists are
 * there. Two roles installing in one run refresh once, as Ansible's cache_valid_time does.
 */
export function refreshStaleIndex(validSec: number, paths: AptPaths = APT_PATHS): string {
  const { stamp, config, lists } = paths;
  const minutes = String(Math.floor(validSec / 60));
  const fresh =
    validSec > 0
      ? sh`[ -e ${stamp} ] && [ -z "$(find ${stamp} -mmin +${minutes})" ] && ` +
        sh`[ -z "$(find ${config} -newer ${stamp} | head -n 1)" ] && ls ${lists} | grep -q _Packages`
      : 'false';
  const dir = stamp.slice(0, stamp.lastIndexOf('/'));
  return [`if ${fresh}; then :; else`, sh`  ${APT_GET} update`, sh`  mkdir -p ${dir} && touch ${stamp}`, 'fi'].join('\n');
}

export const aptScripts: PackageScripts = {
  name: 'apt',
  install(plan: InstallPlan) {
    const specs = plan.packages.map((p) => (p.version ? `${p.name}=${p.version}` : p.name));
    // A pin may be a downgrade; a held package only moves with --allow-change-held-packages.
    const flags = [
      '--no-install-recommends',
      ...(plan.packages.some((p) => p.version) ? ['--allow-downgrades'] : []),
      ...(plan.changesHeld ? ['--allow-change-held-packages'] : []),
    ];
    const install = sh`${APT_GET} install ${raw(flags.join(' '))} -- ${specs}`;
    const steps = [FINISH_INTERRUPTED_DPKG, ...(plan.updateCache ? [refreshStaleIndex(plan.cacheValidSec)] : []), install];
    return steps.join('\n');
  },

  remove(names, changesHeld) {
    const flags = changesHeld ? raw(' --allow-change-held-packages') : raw('');
    return sh`${APT_GET} remove${flags} -- ${names}`;
  },

  hold(names) {
    return sh`apt-mark hold -- ${names}`;
  },
};
