// `npm run lab -- <verb>`: the local lab from a shell. Thin: every verb is one call into lab.ts.
import { argv, exit, stdout } from 'node:process';
import { spawnSync } from 'node:child_process';
import { labAgeCerts } from './clock.js';
import {
  LAB, LabError, MIX_LAYOUT, RELEASES, hostRelease, labAddHost, labDown, labHosts, labLeftovers, labResetHost, labSsh, labStartHost,
  labStatus, labStopHost, labUp, sshOptions,
} from './lab.js';
import { UsageError, parseUpFlags } from './releases.js';

const USAGE = `usage: npm run lab -- <verb>
  up [--mix] [--release RELEASE|HOST=RELEASE]...
                     bring up whatever is missing (base images, repo, bridge, hosts); idempotent.
                     Hosts keep the release they run (a new lab: ${LAB.suite}); --mix puts
                     ${Object.entries(MIX_LAYOUT).map(([h, r]) => `${h} ${r}`).join(', ')};
                     --release RELEASE puts every host on it, HOST=RELEASE one host
                     (releases: ${RELEASES.join(', ')}; a host that changes release gets a new disk)
  down               remove everything the lab made (machines, mounts, veths, bridge, server)
  status             show the lab's hosts and services
  ssh HOST [CMD...]  ssh to a lab host as root (interactive without CMD)
  add HOST GROUP     add one more host (next free address from ${LAB.subnetPrefix}.${LAB.firstAddedOctet})
  stop HOST          power a host off (its disk is kept)
  start HOST         boot a stopped host again
  reset HOST         make a host new again (fresh disk from the base image)
  age-certs DAYS [HOST...]
                     clock knob: kubeadm's certificates on the masters (or the HOSTs) expire in DAYS days`;

async function up(args: readonly string[]): Promise<number> {
  const releases = parseUpFlags(args, (await labHosts()).map((h) => h.name));
  const report = await labUp({ releases });
  const parts = [`lab up in ${report.seconds.toFixed(1)} s`];
  if (report.baseBuiltSeconds !== null) parts.push(`base built in ${report.baseBuiltSeconds.toFixed(1)} s`);
  if (report.repoBuiltSeconds !== null) parts.push(`repository built in ${report.repoBuiltSeconds.toFixed(1)} s`);
  if (report.created.length) parts.push(`created ${report.created.join(' ')}`);
  parts.push(report.booted.length ? `booted ${report.booted.join(' ')}` : 'all hosts were already running');
  stdout.write(`${parts.join('; ')}\n`);
  return 0;
}

async function down(): Promise<number> {
  await labDown();
  const left = await labLeftovers();
  if (left.length > 0) {
    stdout.write(`left behind: ${left.join(', ')}\n`);
    return 1;
  }
  stdout.write('lab is down; nothing left behind (caches in /var/cache/play-lab kept)\n');
  return 0;
}

async function status(): Promise<number> {
  const s = await labStatus();
  stdout.write(`bridge ${LAB.bridge} (${LAB.controllerAddress}): ${s.bridge ? 'up' : 'absent'}\n`);
  stdout.write(`repository ${LAB.repoUrl}: ${s.repoServer ? 'serving' : 'not serving'}${s.repoBuilt ? '' : ' (not built)'}\n`);
  stdout.write(`base image: ${s.base ?? 'not built'}\n`);
  for (const h of s.hosts) {
    stdout.write(`${h.name.padEnd(10)} ${h.group.padEnd(8)} ${h.address.padEnd(14)} ${hostRelease(h).padEnd(9)} ${h.state}${h.pid ? ` (pid ${h.pid})` : ''}\n`);
  }
  return 0;
}

/** Interactive ssh (inherits the terminal); with a command, runs it and relays its output. */
async function ssh(name: string | undefined, command: string[]): Promise<number> {
  if (!name) throw new LabError('usage: lab ssh HOST [CMD...]');
  if (command.length > 0) {
    const r = await labSsh(name, command.join(' '));
    stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.code;
  }
  const host = (await labHosts()).find((h) => h.name === name);
  if (!host) throw new LabError(`no lab host named ${name}`);
  const r = spawnSync('ssh', [...sshOptions(), '-t', `root@${host.address}`], { stdio: 'inherit' });
  return r.status ?? 1;
}

async function main(args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'up':
      return up(rest);
    case 'down':
      return down();
    case 'status':
      return status();
    case 'ssh':
      return ssh(rest[0], rest.slice(1));
    case 'add': {
      const [name, group] = rest;
      if (!name || !group) throw new LabError('usage: lab add HOST GROUP');
      const host = await labAddHost(name, group);
      stdout.write(`${host.name} (${host.group}) is up at ${host.address}\n`);
      return 0;
    }
    case 'stop':
    case 'start': {
      const name = rest[0];
      if (!name) throw new LabError(`usage: lab ${verb} HOST`);
      await (verb === 'stop' ? labStopHost(name) : labStartHost(name));
      stdout.write(`${name} ${verb === 'stop' ? 'powered off' : 'is running'}\n`);
      return 0;
    }
    case 'reset': {
      const name = rest[0];
      if (!name) throw new LabError('usage: lab reset HOST');
      await labResetHost(name);
      stdout.write(`${name} is new again\n`);
      return 0;
    }
    case 'age-certs': {
      const [days, ...hosts] = rest;
      if (!days || !/^\d+$/.test(days)) throw new LabError('usage: lab age-certs DAYS [HOST...]');
      for (const aged of await labAgeCerts(Number(days), hosts)) stdout.write(`${aged.host}: certificates now expire in ${days} days\n${aged.report}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      stdout.write(`${USAGE}\n`);
      return verb === undefined ? 2 : 0;
    default:
      process.stderr.write(`lab: unknown verb ${verb}\n${USAGE}\n`);
      return 2;
  }
}

main(argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`lab: ${err.message}\n`);
      exit(2);
    }
    if (err instanceof LabError) process.stderr.write(`lab: ${err.message}\n`);
    else process.stderr.write(`lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    exit(1);
  },
);
