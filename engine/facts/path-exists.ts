import { sh } from '../shell.js';
import type { Fact } from '../types.js';

/** True when anything is at the path, including a dangling symlink (it still occupies the name). */
export function pathExistsFact(path: string): Fact<boolean> {
  return {
    id: `exists:${path}`,
    command: sh`if [ -e ${path} ] || [ -L ${path} ]; then echo yes; else echo no; fi`,
    parse: (result) => result.stdout.trim() === 'yes',
  };
}
