/**
 * Variables every load-balancing role reads (common, keepalived, haproxy), with one default each.
 * Each role spreads these into its own defaults, so the value is the same whichever role asks.
 */
import type { Vars } from '../../engine/types.js';

export const LB_DEFAULTS: Vars = {
  /** Inventory group of the hosts that run haproxy (and keepalived). */
  lb_group: 'lb',
  /** Inventory group of the control-plane hosts: the haproxy backends. */
  masters_group: 'masters',
  /** The floating address clients use; required when keepalived runs. */
  apiserver_vip: null,
  /** Prefix length of the VIP's subnet (the LB hosts' addresses must be inside it). */
  apiserver_vip_prefix: 24,
  /** haproxy's frontend port; null = 8443 when the LB hosts are masters (stacked), else 6443. */
  apiserver_lb_port: null,
  /** kube-apiserver's own port on every master: the haproxy backend port. */
  apiserver_port: 6443,
  /** Optional DNS name of the endpoint, written to /etc/hosts on every host. */
  control_plane_endpoint_name: null,
  /** true, false, or auto: keepalived runs when the lb group has two or more hosts. */
  keepalived_enabled: 'auto',
  /** More VIPs besides apiserver_vip (each: address, prefix, device); haproxy binds them all. */
  keepalived_vips: [],
};
