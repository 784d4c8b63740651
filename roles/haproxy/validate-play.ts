/** Checks across the LB hosts: they must all serve the endpoint on the same address and port. */
import { VarsError } from '../../engine/errors.js';
import type { HaproxyVars } from './vars.js';

export function validateHaproxyPlay(hosts: ReadonlyMap<string, HaproxyVars>): void {
  const all = [...hosts.values()];
  const first = all[0];
  if (!first) return;
  const frontend = (v: HaproxyVars): string => v.binds.join(' ');
  // After a failover clients reach another LB host on the same endpoint: it must listen there.
  const odd = all.find((v) => frontend(v) !== frontend(first));
  if (odd) {
    throw new VarsError(
      `${odd.host} listens on ${frontend(odd)} but ${first.host} on ${frontend(first)}: every LB host must serve the same endpoint`,
      odd.bindWhere.at,
      odd.bindWhere.key,
    );
  }
}
