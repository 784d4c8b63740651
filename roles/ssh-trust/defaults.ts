/** ssh-trust's variables and their defaults (README.md beside this file explains each). */
import type { Vars } from '../../engine/types.js';

export const defaults: Vars = {
  /** Inventory group whose hosts trust each other (root to root, seed 000). */
  masters_group: 'masters',
  /** Also authorize the controller: a public key string, or a path to one on the controller. */
  ssh_trust_controller_key: null,
  /** Where the controller key may log in from: a list of IPs/CIDRs (unset: from anywhere). */
  ssh_trust_controller_from: null,
};
