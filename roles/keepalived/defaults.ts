/** keepalived's variables and their defaults (README.md beside this file explains each). */
import type { Vars } from '../../engine/types.js';
import { LB_DEFAULTS } from '../lb-shared/defaults.js';

export const defaults: Vars = {
  ...LB_DEFAULTS,
  /** virtual_router_id: one per VRRP group on a network segment (1-255), same on every LB host. */
  keepalived_router_id: 51,
  /** VRRP PASS authentication: required, at most 8 characters (keepalived uses only 8). */
  keepalived_auth_pass: null,
  /** Interface VRRP speaks on; null = the one whose subnet holds the VIP (or the host's address). */
  keepalived_interface: null,
  /** null = by position in the lb group: 150, 140, 130, ... */
  keepalived_priority: null,
  /** MASTER or BACKUP; null = MASTER for the highest priority, BACKUP for the rest. */
  keepalived_state: null,
  /** Send adverts to the peers' addresses instead of multicast (clouds often drop multicast). */
  keepalived_unicast: false,
  /** Seconds between VRRP adverts. */
  keepalived_advert_int: 1,
  /** haproxy (killall -0 haproxy) or apiserver (/etc/keepalived/check_apiserver.sh, stacked only). */
  keepalived_check: 'haproxy',
  /** Priority change on a failed (negative) or passed (positive) check; 0 = FAULT; null = per check. */
  keepalived_check_weight: null,
  /** Seconds a recovered higher-priority host waits before taking the VIP back; null = at once. */
  keepalived_preempt_delay: null,
  /** Address(es) keepalived mails on state changes; null = no mail. */
  keepalived_notification_email: null,
  /** Sender of those mails; null = keepalived@<inventory host name>. */
  keepalived_notification_email_from: null,
  keepalived_smtp_server: '127.0.0.1',
  /** Interfaces whose failure puts the instance in FAULT, besides the VRRP and VIP interfaces. */
  keepalived_track_interfaces: [],
};
