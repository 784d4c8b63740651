/**
 * The run's vault: the secrets given on the command line, and a record of every plaintext it
 * produced, so the planner can make each one a secret of the run (never printed). One per run,
 * passed to the loaders explicitly: no global state.
 *
 * Two forms, as in Ansible: a whole file encrypted (group_vars/all/vault.yml, an INI inventory,
 * -e @file, a playbook), opened before it is parsed; and inline `!vault |` values in YAML,
 * parsed as VaultCipherText and revealed right after parsing. Decryption is eager: a value that
 * cannot be opened is an input error (exit 2) before any host is touched.
 */
import { InputError, type SourceLocation } from '../errors.js';
import { decryptVault, isVaultText, VaultFormatError, VaultPasswordError, type VaultSecret } from './format.js';

/** A vault value or file that cannot be opened: exit 2, naming file, line and key, never a value. */
export class VaultError extends InputError {}

/** An inline `!vault |` value as parsed, before the vault opens it. */
export class VaultCipherText {
  constructor(readonly envelope: string) {}
}

export type KeyPath = ReadonlyArray<string | number>;

const HOW_TO_GIVE = 'give one with --vault-password-file, --vault-id or --ask-vault-pass';

export class Vault {
  private readonly revealed = new Set<string>();
  private readonly envelopes = new Map<string, string>();
  private readonly files = new Set<string>();

  constructor(readonly secrets: readonly VaultSecret[] = []) {}

  /** Every plaintext produced so far: inline values and each value of an encrypted file. */
  get plaintexts(): ReadonlySet<string> {
    return this.revealed;
  }

  /** The envelope an inline value was decrypted from (to show it as ansible-inventory does). */
  envelopeOf(plaintext: string): string | undefined {
    return this.envelopes.get(plaintext);
  }

  /** The file (as named in origins) was a whole encrypted file: all of its values are secret. */
  wasEncrypted(file: string): boolean {
    return this.files.has(file);
  }

  /** A file's text, decrypted when it is vault data (the file is then remembered as encrypted). */
  openFile(text: string, file: string): string {
    if (!isVaultText(text)) return text;
    const plaintext = this.decrypt(text, { file }).toString('utf8');
    this.files.add(file);
    return plaintext;
  }

  /** Replaces every VaultCipherText in a parsed document by its plaintext, in place; a shared value once. */
  reveal(data: unknown, file: string, locate: (path: KeyPath) => SourceLocation): unknown {
    const seen = new Set<object>();
    const walk = (value: unknown, path: Array<string | number>): unknown => {
      if (value instanceof VaultCipherText) return this.openInline(value, path, locate);
      if (typeof value !== 'object' || value === null || seen.has(value)) return value;
      seen.add(value);
      if (Array.isArray(value)) value.forEach((item, i) => (value[i] = walk(item, [...path, i])));
      else {
        const map = value as Record<string, unknown>;
        for (const key of Object.keys(map)) map[key] = walk(map[key], [...path, key]);
      }
      return value;
    };
    const out = walk(data, []);
    if (this.files.has(file)) this.remember(out);
    return out;
  }

  /** Records the scalar values of a decrypted file (every one of them is secret); a shared value once. */
  remember(value: unknown, seen = new Set<object>()): void {
    if (typeof value === 'string' || typeof value === 'number') this.revealed.add(String(value));
    else if (typeof value === 'object' && value !== null && !seen.has(value)) {
      seen.add(value);
      Object.values(value).forEach((v) => this.remember(v, seen));
    }
  }

  private openInline(value: VaultCipherText, path: KeyPath, locate: (path: KeyPath) => SourceLocation): string {
    const where = locate(path);
    const key = path.length ? path.join('.') : undefined;
    if (!isVaultText(value.envelope.trimStart())) throw new VaultError('a !vault value must hold $ANSIBLE_VAULT data', where, key);
    const plaintext = this.decrypt(value.envelope.trimStart(), where, key).toString('utf8');
    this.revealed.add(plaintext);
    this.envelopes.set(plaintext, value.envelope);
    return plaintext;
  }

  private decrypt(text: string, where: SourceLocation, key?: string): Buffer {
    try {
      return decryptVault(text, this.secrets).plaintext;
    } catch (err) {
      if (err instanceof VaultPasswordError) {
        const reason = this.secrets.length
          ? `vault-encrypted ${key ? 'value' : 'file'}: decryption failed, none of the ${this.secrets.length} vault password(s) given opens it`
          : `vault-encrypted ${key ? 'value' : 'file'}, but no vault password was given: ${HOW_TO_GIVE}`;
        throw new VaultError(reason, where, key);
      }
      if (err instanceof VaultFormatError) throw new VaultError(`malformed vault data: ${err.message}`, where, key);
      throw err;
    }
  }
}
