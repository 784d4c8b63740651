// Checks before the lab touches anything: root, and the controller's programs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from './exec.js';
import { projectRoot } from './repo.js';

/** Program -> Debian package that provides it. test/lab/APT_PACKAGES lists the same packages. */
const TOOLS: ReadonlyArray<readonly [string, string]> = [
  ['systemd-nspawn', 'systemd-container'],
  ['debootstrap', 'debootstrap'],
  ['dpkg-scanpackages', 'dpkg-dev'],
  ['ip', 'iproute2'],
  ['ssh', 'openssh-client'],
  ['ssh-keygen', 'openssh-client'],
  ['/usr/bin/python3', 'python3'],
  ['mountpoint', 'util-linux'],
];

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function onPath(program: string): boolean {
  if (program.startsWith('/')) return existsSync(program);
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  return dirs.some((d) => d !== '' && existsSync(join(d, program)));
}

/** The apt-get line that installs what the lab needs on the controller. */
export function aptInstallLine(): string {
  let packages: string;
  try {
    packages = readFileSync(join(projectRoot(), 'test/lab/APT_PACKAGES'), 'utf8').trim();
  } catch {
    packages = [...new Set(TOOLS.map(([, pkg]) => pkg))].join(' ');
  }
  return `apt-get install -y ${packages}`;
}

/** Throws a LabError that says what to do when the lab cannot run here. */
export function preflight(): void {
  if (!isRoot()) {
    throw new LabError('the lab needs root (it creates a bridge, overlay mounts and containers): run it as root, e.g. sudo npm run lab -- up');
  }
  const missing = TOOLS.filter(([program]) => !onPath(program));
  if (missing.length > 0) {
    const list = missing.map(([program, pkg]) => `${program} (${pkg})`).join(', ');
    throw new LabError(`missing on the controller: ${list}\ninstall with: ${aptInstallLine()}`);
  }
}
