import { TaskError } from '../errors.js';

/** Ops act on absolute paths only: a relative one would depend on the remote shell's cwd. */
export function requireAbsolute(path: string, what = 'path'): string {
  if (!path.startsWith('/')) throw new TaskError(`${what} must be absolute, got '${path}'`);
  return path;
}
