import os from 'node:os';

/** `~` and `~/x` are the controller user's home, as Ansible's expanduser makes them. */
export function expandHome(file: string, home: string = os.homedir()): string {
  if (file === '~') return home;
  if (file.startsWith('~/')) return home + file.slice(1);
  return file;
}
