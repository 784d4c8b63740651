/** Ansible's `!vault |` YAML tag: parsed as VaultCipherText, opened by Vault.reveal after parsing. */
import { Type } from 'js-yaml';
import { VaultCipherText } from './vault.js';

export const VAULT_TAG = new Type('!vault', {
  kind: 'scalar',
  resolve: (data: string | null) => typeof data === 'string',
  construct: (data: string) => new VaultCipherText(data),
  instanceOf: VaultCipherText,
});
