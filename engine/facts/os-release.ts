/**
 * The host's OS as /etc/os-release (os-release(5)) says: ID, ID_LIKE, VERSION_ID, PRETTY_NAME.
 * Read as one line in the same script as the fact that needs it (the packages fact), so knowing
 * the OS costs no round trip of its own.
 */
export interface OsRelease {
  readonly id: string;
  readonly idLike: readonly string[];
  readonly versionId: string;
  readonly prettyName: string;
}

const MARK = 'play-os-release';

/** Prints `play-os-release ID|ID_LIKE|VERSION_ID|PRETTY_NAME` (empty fields when the file is missing). */
export const OS_RELEASE_LINE = `( [ -r /etc/os-release ] && . /etc/os-release; printf '${MARK} %s|%s|%s|%s\\n' "\${ID:-}" "\${ID_LIKE:-}" "\${VERSION_ID:-}" "\${PRETTY_NAME:-}" )`;

/** The OS line and the rest of the output (what the script printed after it). */
export function splitOsRelease(stdout: string): { os: OsRelease; rest: string } {
  const newline = stdout.indexOf('\n');
  const first = newline < 0 ? stdout : stdout.slice(0, newline);
  const rest = newline < 0 ? '' : stdout.slice(newline + 1);
  if (!first.startsWith(`${MARK} `)) return { os: { id: '', idLike: [], versionId: '', prettyName: '' }, rest: stdout };
  const [id = '', like = '', versionId = '', prettyName = ''] = first.slice(MARK.length + 1).split('|');
  return { os: { id: id.toLowerCase(), idLike: like.toLowerCase().split(/\s+/).filter(Boolean), versionId, prettyName }, rest };
}

/** "Debian GNU/Linux 12 (bookworm)", else "ID VERSION_ID", else "an OS without /etc/os-release". */
export function describeOs(os: OsRelease): string {
  if (os.prettyName) return os.prettyName;
  if (os.id) return `${os.id}${os.versionId ? ` ${os.versionId}` : ''}`;
  return 'an OS without /etc/os-release';
}
