/** common's variables and their defaults (README.md beside this file explains each). */
import type { Vars } from '../../engine/types.js';
import { LB_DEFAULTS } from '../lb-shared/defaults.js';

export const defaults: Vars = {
  ...LB_DEFAULTS,
  /** Inventory group of the worker nodes (their firewall rules). */
  workers_group: 'workers',
  /** Manage ufw with the Kubernetes port tables; off: play leaves the firewall alone. */
  firewall_enabled: false,
};
