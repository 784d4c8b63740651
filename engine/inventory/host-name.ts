/**
 * What an inventory host may be called: Ansible's hostname pattern (parsing/utils/addresses.py:
 * dot-separated labels of word characters, '-' and '_', a label not ending in '-' or '_'), or an
 * IPv4/IPv6 address. Ansible itself falls back to taking any token; play does not, so a name
 * never carries a space, a newline or shell or config syntax into a file or a command.
 */
import { isIP } from 'node:net';

const LABEL = String.raw`[\p{L}\p{N}\p{M}_](?:[\p{L}\p{N}\p{M}_-]*[\p{L}\p{N}\p{M}])?`;
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'u');

export function isInventoryHostName(name: string): boolean {
  return name.length <= 253 && (HOST_NAME.test(name) || isIP(name) !== 0);
}

export const HOST_NAME_RULE =
  'an inventory host name is dot-separated labels of letters, digits, - and _ (a label neither starting with - nor ending with - or _), or an IP address';
