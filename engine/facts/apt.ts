/**
 * apt/dpkg, the query side (the scripts that install are engine/ops/apt-scripts.ts): the state
 * comes from dpkg-query alone. `apt-mark hold` records the hold as dpkg's
 * selection state 'hold', which is the first letter of db:Status-Abbrev, so one dpkg-query
 * answers installed, version and held without a second (slower) `apt-mark showhold`.
 */
import { sh } from '../shell.js';
import type { ExecResult } from '../types.js';
import { factError } from './fact-error.js';
import type { PackageManager, PackageState } from './package-manager-contract.js';
import { versionGlobMatches } from './version-glob.js';

// Status-Abbrev is want/status/error: e.g. 'ii ', 'hi ', 'rc ', 'un '. These statuses mean the
// package is unpacked and configured (trigger states are still a working install).
const INSTALLED_STATUS = new Set(['i', 'W', 't']);

const QUERY_FORMAT = '${Package}\\t${Architecture}\\t${db:Status-Abbrev}\\t${Version}\\n';

export const apt: PackageManager = {
  name: 'apt',
  families: ['debian', 'ubuntu'],
  proven: true,

  queryCommand(names) {
    // Exit 1 with "no packages found matching" on stderr is how dpkg-query says "not installed".
    return sh`dpkg-query -W -f=${QUERY_FORMAT} -- ${names}`;
  },

  parseQuery(names, result) {
    if (result.code !== 0 && result.code !== 1) {
      throw factError(`packages:${names.join(',')}`, result, 'dpkg-query failed');
    }
    const states: Record<string, PackageState> = {};
    for (const name of names) states[name] = { installed: false, held: false };
    for (const line of result.stdout.split('\n')) {
      const [pkg, arch, status = '', version = ''] = line.split('\t');
      if (!pkg || !arch) continue;
      // A name may be asked with an architecture (libc6:i386); dpkg lists it without.
      const asked = names.filter((n) => n === pkg || n === `${pkg}:${arch}`);
      for (const name of asked) {
        const installed = INSTALLED_STATUS.has(status.charAt(1));
        const held = status.charAt(0) === 'h';
        // Several architectures of one name: an installed one wins over a leftover record.
        if (states[name]?.installed && !installed) continue;
        states[name] = installed ? { installed, version, held } : { installed, held };
      }
    }
    return states;
  },

  versionMatches: versionGlobMatches,
};
