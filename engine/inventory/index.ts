/**
 * The inventory: Ansible-compatible INI/YAML sources, group_vars/ and host_vars/, variable
 * precedence with provenance, and the views ansible-inventory prints.
 */
export { loadInventory, type LoadOptions } from './load-inventory.js';
export { inventoryList } from './inventory-list.js';
export { inventoryGraph, type GraphOptions } from './inventory-graph.js';
export { connectionSpec } from './connection-vars.js';
