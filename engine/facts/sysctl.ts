/**
 * Current runtime values of kernel parameters, read straight from /proc/sys (the `sysctl` program
 * is in procps, which minimal images lack). A key that does not exist (module not loaded, another
 * network namespace) reads as undefined.
 */
import { TaskError } from '../errors.js';
import { sh } from '../shell.js';
import type { ExecResult, Fact } from '../types.js';

/**
 * sysctl(8) naming: dots separate path parts, unless the key already uses slashes (then dots are
 * literal, as in net/ipv4/conf/eth0.100/rp_filter).
 */
export function sysctlPath(key: string): string {
  const rel = key.includes('/') ? key.replace(/^\/+/, '') : key.replace(/\./g, '/');
  if (rel === '' || /\s/.test(rel) || rel.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new TaskError(`invalid sysctl key '${key}'`);
  }
  return `/proc/sys/${rel}`;
}

/** Values are compared with whitespace runs collapsed: the kernel prints '32768\t60999'. */
export function normalizeSysctlValue(value: string | number): string {
  return String(value).trim().replace(/\s+/g, ' ');
}

/** Every key of every sysctl fact in a batch is read by one `head` (the whole output goes to each). */
const READ_GROUP = {
  key: 'sysctl',
  command: (args: readonly string[]): string => readCommand([...new Set(args.flatMap((a) => a.split('\n')))]),
  split: (result: ExecResult, args: readonly string[]): ExecResult[] => args.map(() => result),
};

/**
 * `head -v` prints '==> PATH <==' before each file it could read and skips (exit 1) the ones it
 * could not: one process for any number of keys. /proc/sys must be read from offset 0 in one go
 * (the shell's byte-wise `read` gets the first digit only), which head does.
 */
function readCommand(paths: readonly string[]): string {
  return paths.length ? sh`head -v -c 65536 -- ${paths} 2>/dev/null` : ':';
}

export function sysctlFact(keys: readonly string[]): Fact<Record<string, string | undefined>> {
  const list = [...keys];
  const paths = list.map(sysctlPath);
  return {
    id: `sysctl:${list.join(',')}`,
    command: readCommand(paths),
    parse: (result) => parseSysctlFact(list, result.stdout),
    ...(paths.length ? { group: { ...READ_GROUP, arg: paths.join('\n') } } : {}),
  };
}

/** The values of `keys` in head's output; a key head did not print is missing (undefined). */
export function parseSysctlFact(keys: readonly string[], stdout: string): Record<string, string | undefined> {
  const contents = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^==> (.*) <==$/.exec(line);
    if (header) contents.set(header[1]!, (current = []));
    else current?.push(line);
  }
  const values: Record<string, string | undefined> = {};
  for (const key of keys) {
    const lines = contents.get(sysctlPath(key));
    values[key] = lines === undefined ? undefined : normalizeSysctlValue(lines.join(' '));
  }
  return values;
}
