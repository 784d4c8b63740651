/**
 * /etc/fstab with its swap entries commented out, so swap stays off after a reboot. Only lines
 * whose filesystem type (third field) is `swap` are touched, unlike seed 002's sed one-liner,
 * which comments any line that merely mentions "swap" (a mount at /mnt/swapfiles, say).
 */
export function commentSwapLines(fstab: string): string {
  return fstab
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return line;
      const fields = trimmed.split(/\s+/);
      return fields[2] === 'swap' ? `#${line}` : line;
    })
    .join('\n');
}
