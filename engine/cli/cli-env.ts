import type { AnsibleConfig } from '../config/ansible-cfg.js';
import type { SecretInput } from './secret-input.js';

/** What a command reads besides its flags: ansible.cfg, and the user's answers to prompts. */
export interface CliEnv {
  readonly config: AnsibleConfig;
  readonly input: SecretInput;
}
