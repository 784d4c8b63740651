import type { Fact } from '../types.js';
import { factError } from './fact-error.js';

/** The kernel's host name: `uname -n` is in coreutils, unlike `hostname` on minimal images. */
export function hostnameFact(): Fact<string> {
  return {
    id: 'hostname',
    command: 'uname -n',
    parse: (result) => {
      const name = result.stdout.trim();
      if (result.code !== 0 || name === '') throw factError('hostname', result, 'no host name');
      return name;
    },
  };
}
