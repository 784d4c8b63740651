/** Ansible Vault: the format (format.ts), the run's keyring and record of plaintexts (vault.ts). */
export { DEFAULT_LABEL, decryptVault, encryptVault, inlineVaultYaml, isVaultText, type VaultSecret } from './format.js';
export { Vault, VaultCipherText, VaultError } from './vault.js';
export { VAULT_TAG } from './yaml-tag.js';
