/**
 * The fake hosts of the unit tests are Debian 12: a packages fact's answer starts with the OS
 * line its script prints (engine/facts/os-release.ts), which canned dpkg-query outputs lack.
 */
import type { ExecResult, Fact } from '../../engine/types.js';

export const DEBIAN_OS_LINE = 'play-os-release debian||12|Debian GNU/Linux 12 (bookworm)';

export function asDebianHost(fact: Fact<unknown>, result: ExecResult): ExecResult {
  if (!fact.id.startsWith('packages:') || result.stdout.startsWith('play-os-release ')) return result;
  return { ...result, stdout: `${DEBIAN_OS_LINE}\n${result.stdout}` };
}
