/** haproxy's variables and their defaults (README.md beside this file explains each). */
import type { Vars } from '../../engine/types.js';
import { LB_DEFAULTS } from '../lb-shared/defaults.js';

export const defaults: Vars = {
  ...LB_DEFAULTS,
  /** https: GET /healthz over TLS (expects 200); tcp: a plain connect (seeds 000-002). */
  haproxy_health_check: 'https',
  /** Time between health checks of a backend. */
  haproxy_inter: '10s',
  /** Consecutive passed checks before a backend is UP again (seed 001: 3). */
  haproxy_rise: 3,
  /** Consecutive failed checks before a backend is DOWN (seed 001: 2). */
  haproxy_fall: 2,
  /** Idle time before haproxy cuts a client / server side: long for watches and `logs -f`. */
  haproxy_timeout_client: '4h',
  haproxy_timeout_server: '4h',
  /** Admin socket for `echo 'show stat' | socat stdio /run/haproxy/admin.sock`; null = none. */
  haproxy_stats_socket: '/run/haproxy/admin.sock',
  /** Frontend address: null = every VIP when keepalived runs, else '*' (all addresses). */
  haproxy_bind_address: null,
};
