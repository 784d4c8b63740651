// The controller's apt, pointed at one Debian release: its own sources list and package lists
// under /var/cache/play-lab/apt/RELEASE, so the lab can resolve and download bullseye, bookworm
// and trixie packages whatever release the controller runs and whatever sources it has. Only the
// controller talks to the mirror; the hosts get the result through the lab repository.
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSources } from './base.js';
import { LAB, type Release } from './constants.js';
import { mustRun } from './exec.js';

/** Lists older than this are fetched again before the next resolution. */
const LISTS_MAX_AGE_MS = 24 * 3600_000;

function aptDir(release: Release): string {
  return join(LAB.cacheDir, 'apt', release);
}

/** apt options that make the controller's apt see `release` only (never the controller's own sources). */
export function releaseAptOptions(release: Release): string[] {
  const dir = aptDir(release);
  return [
    '-o', `Dir::Etc::SourceList=${join(dir, 'sources.list')}`,
    '-o', `Dir::Etc::SourceParts=${join(dir, 'sources.list.d')}`,
    '-o', `Dir::Etc::PreferencesParts=${join(dir, 'preferences.d')}`,
    '-o', `Dir::State::Lists=${join(dir, 'lists')}`,
    '-o', 'APT::Sandbox::User=root',
  ];
}

const refreshed = new Map<Release, Promise<void>>();

/** Fetches the release's package lists when missing or older than a day (once per process). */
export function ensureReleaseLists(release: Release): Promise<void> {
  let pending = refreshed.get(release);
  if (!pending) {
    pending = refreshLists(release);
    refreshed.set(release, pending);
  }
  return pending;
}

async function refreshLists(release: Release): Promise<void> {
  const dir = aptDir(release);
  for (const sub of ['sources.list.d', 'preferences.d', 'lists/partial']) await mkdir(join(dir, sub), { recursive: true });
  await writeFile(join(dir, 'sources.list'), buildSources(release));
  if (await listsAreFresh(join(dir, 'lists'))) return;
  await mustRun('apt-get', ['update', '-q', ...releaseAptOptions(release)], { env: { ...process.env, LC_ALL: 'C' } });
}

async function listsAreFresh(lists: string): Promise<boolean> {
  if (!existsSync(lists)) return false;
  const releases = (await readdir(lists)).filter((name) => name.endsWith('_InRelease'));
  if (releases.length === 0) return false;
  const ages = await Promise.all(releases.map(async (name) => Date.now() - (await stat(join(lists, name))).mtimeMs));
  return Math.max(...ages) < LISTS_MAX_AGE_MS;
}
