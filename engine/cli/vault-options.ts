/**
 * The vault flags shared by `play`, `play inventory` and `play vault`, and the run's Vault built
 * from them. The order of the secrets is ansible-playbook's (build_vault_ids): the configured
 * vault_identity_list, then --vault-id in order, then --vault-password-file in order, then
 * ANSIBLE_VAULT_PASSWORD_FILE (or ansible.cfg's vault_password_file), then --ask-vault-pass.
 */
import type { Argv } from 'yargs';
import type { AnsibleConfig } from '../config/ansible-cfg.js';
import { Vault } from '../vault/index.js';
import { loadVaultSecrets, parseVaultId, type VaultIdentity } from '../vault/password-sources.js';
import type { SecretInput } from './secret-input.js';

export interface VaultArgs {
  readonly vaultId: readonly string[];
  readonly vaultPasswordFile: readonly string[];
  readonly askVaultPass: boolean;
}

export function withVaultOptions<T>(y: Argv<T>) {
  return y
    .option('vault-id', { type: 'string', array: true, default: [] as string[], describe: 'vault id: LABEL@FILE, LABEL@SCRIPT or LABEL@prompt (repeatable)' })
    .option('vault-password-file', { alias: 'vault-pass-file', type: 'string', array: true, default: [] as string[], describe: 'vault password file, or an executable that prints it (repeatable)' })
    .option('ask-vault-pass', { alias: ['J', 'ask-vault-password'], type: 'boolean', default: false, describe: 'ask for the vault password (one line of stdin when it is not a terminal)' });
}

export function vaultArgsOf(a: { 'vault-id': string[]; 'vault-password-file': string[]; 'ask-vault-pass': boolean }): VaultArgs {
  return { vaultId: a['vault-id'], vaultPasswordFile: a['vault-password-file'], askVaultPass: a['ask-vault-pass'] };
}

export function vaultIdentities(args: VaultArgs, config: AnsibleConfig, env: NodeJS.ProcessEnv = process.env): VaultIdentity[] {
  const fromList = env.ANSIBLE_VAULT_IDENTITY_LIST !== undefined
    ? env.ANSIBLE_VAULT_IDENTITY_LIST.split(',').map((v) => v.trim()).filter(Boolean)
    : (config.vaultIdentityList ?? []);
  const listOrigin = env.ANSIBLE_VAULT_IDENTITY_LIST !== undefined ? 'ANSIBLE_VAULT_IDENTITY_LIST' : `${config.file ?? 'ansible.cfg'}: vault_identity_list`;
  const defaultFile = env.ANSIBLE_VAULT_PASSWORD_FILE || config.vaultPasswordFile;
  const fileOrigin = env.ANSIBLE_VAULT_PASSWORD_FILE ? 'ANSIBLE_VAULT_PASSWORD_FILE' : `${config.file ?? 'ansible.cfg'}: vault_password_file`;
  return [
    ...fromList.map((id) => parseVaultId(id, listOrigin)),
    ...args.vaultId.map((id) => parseVaultId(id, '--vault-id')),
    ...args.vaultPasswordFile.map((file) => ({ label: 'default', source: file, origin: '--vault-password-file' })),
    ...(defaultFile ? [{ label: 'default', source: defaultFile, origin: fileOrigin }] : []),
    ...(args.askVaultPass ? [{ label: 'default', source: 'prompt', origin: '--ask-vault-pass', askVaultPass: true }] : []),
  ];
}

/** The run's vault, with every secret read (prompts asked) now. */
export async function openVault(args: VaultArgs, config: AnsibleConfig, input: SecretInput): Promise<Vault> {
  return new Vault(await loadVaultSecrets(vaultIdentities(args, config), (prompt) => input.ask(prompt)));
}

/** What a run must never print: every plaintext the vault produced, and the passwords it holds. */
export function vaultSecrets(vault: Vault): string[] {
  return [...vault.plaintexts, ...vault.secrets.map((s) => s.password.toString('utf8'))];
}
