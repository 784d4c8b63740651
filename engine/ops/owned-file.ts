/** Files whose whole content play owns (sysctl.d, modules-load.d) start with this header. */
export const OWNED_FILE_HEADER = '# Managed by play: local changes are overwritten.\n';

export function ownedFileContent(lines: readonly string[]): string {
  return OWNED_FILE_HEADER + lines.map((line) => `${line}\n`).join('');
}
