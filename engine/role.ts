import type { Role } from './types.js';

/** Identity with inference: a role declares its typed vars once, in resolve(). */
export function defineRole<V>(role: Role<V>): Role<V> {
  return role;
}
