// The lab network: one Linux bridge (playbr0, 172.29.10.1/24) on the controller. nspawn's
// --network-bridge plugs each host's veth into it. There is deliberately no NAT and no route out:
// hosts reach only the controller and each other.
import { LAB } from './constants.js';
import { mustRun, run } from './exec.js';

const CONTROLLER_CIDR = `${LAB.controllerAddress}/${LAB.prefixLength}`;

export async function bridgeExists(): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', LAB.bridge])).code === 0;
}

/** Creates the bridge with the controller's address if missing; brings it up. Idempotent. */
export async function ensureBridge(): Promise<void> {
  if (!(await bridgeExists())) {
    // multicast snooping off: VRRP adverts (224.0.0.18) must reach every host on the bridge
    await mustRun('ip', ['link', 'add', 'name', LAB.bridge, 'type', 'bridge', 'mcast_snooping', '0']);
  }
  const addrs = await mustRun('ip', ['-o', '-4', 'addr', 'show', 'dev', LAB.bridge]);
  if (!addrs.includes(` ${CONTROLLER_CIDR} `)) {
    await mustRun('ip', ['addr', 'add', CONTROLLER_CIDR, 'dev', LAB.bridge]);
  }
  await mustRun('ip', ['link', 'set', 'dev', LAB.bridge, 'up']);
}

/** Interfaces still enslaved to the bridge (host ends of veths). */
export async function bridgePorts(): Promise<string[]> {
  const result = await run('ip', ['-o', 'link', 'show', 'master', LAB.bridge]);
  if (result.code !== 0) return [];
  return result.stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^@:\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** Deletes leftover veths on the bridge, then the bridge itself. Idempotent. */
export async function removeBridge(): Promise<void> {
  for (const port of await bridgePorts()) await run('ip', ['link', 'del', 'dev', port]);
  if (await bridgeExists()) await mustRun('ip', ['link', 'del', 'dev', LAB.bridge]);
}
