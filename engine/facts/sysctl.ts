/**
 * Current runtime values of kernel parameters, read straight from /proc/sys (the `sysctl` program
 * is in procps, which minimal images lack). A key that does not exist (module not loaded, another
 * network namespace) reads as undefined.
 */
import { TaskError } from '../errors.js';
import { sh } from '../shell.js';
import type { Fact } from '../types.js';

/**
 * sysctl(8) naming: dots separate path parts, unless the key already uses slashes (then dots are
 * literal, as in net/ipv4/conf/eth0.100/rp_filter).
 */
export function sysctlPath(key: string): string {
  const rel = key.includes('/') ? key.replace(/^\/+/, '') : key.replace(/\./g, '/');
  if (rel === '' || rel.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new TaskError(`invalid sysctl key '${key}'`);
  }
  return `/proc/sys/${rel}`;
}

/** Values are compared with whitespace runs collapsed: the kernel prints '32768\t60999'. */
export function normalizeSysctlValue(value: string | number): string {
  return String(value).trim().replace(/\s+/g, ' ');
}

export function sysctlFact(keys: readonly string[]): Fact<Record<string, string | undefined>> {
  const list = [...keys];
  // One line per key, in order: '=' + value when readable, '!' when missing. Newlines and tabs in
  // a value are turned into spaces so every key stays on its own line.
  const command = list
    .map((key) => {
      const path = sysctlPath(key);
      return sh`if [ -r ${path} ] && v=$(cat -- ${path} 2>/dev/null); then printf '=%s\\n' "$(printf %s "$v" | tr '\\n\\t' '  ')"; else echo '!'; fi`;
    })
    .join('\n');
  return {
    id: `sysctl:${list.join(',')}`,
    command: command || ':',
    parse: (result) => parseSysctlFact(list, result.stdout),
  };
}

export function parseSysctlFact(keys: readonly string[], stdout: string): Record<string, string | undefined> {
  const lines = stdout.split('\n');
  const values: Record<string, string | undefined> = {};
  keys.forEach((key, i) => {
    const line = lines[i] ?? '!';
    values[key] = line.startsWith('=') ? normalizeSysctlValue(line.slice(1)) : undefined;
  });
  return values;
}
