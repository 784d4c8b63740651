// The last step of `npm run demo` (scripts/demo.sh): checks what the demo promises, and shows it.
//
//   play inventory -i inventories/lab --list | node dist/test/lab/demo-verify.js SECOND_RUN_LOG
//
// - the second run's PLAY RECAP has a line for every inventory host, each with changed=0,
//   failed=0 and unreachable=0;
// - the admin.conf the kubeadm role fetched (kubeconfig_fetch_dir) reaches the API through the VIP
//   (apiserver_vip) with its client certificate, and every master and worker is a Ready node.
// The hosts, groups and variables come from `play inventory --list` (as ansible-inventory prints
// them), never from reading the inventory's files. Exits 1 naming what is wrong.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { argv, exit, stdin, stdout } from 'node:process';
import { nodesThroughVip } from './kube-api.js';

/** `ansible-inventory --list`: groups with direct hosts and children, and every host's variables. */
export interface InventoryListing {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | InventoryListing['_meta'];
}

export interface RecapLine {
  host: string;
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
}

/** Hosts of a group, its children's included, in listing order. */
export function groupHosts(listing: InventoryListing, group: string, seen = new Set<string>()): string[] {
  if (seen.has(group) || group === '_meta') return [];
  seen.add(group);
  const entry = listing[group] as { hosts?: string[]; children?: string[] } | undefined;
  const hosts = [...(entry?.hosts ?? []), ...(entry?.children ?? []).flatMap((child) => groupHosts(listing, child, seen))];
  return [...new Set(hosts)];
}

export function allHosts(listing: InventoryListing): string[] {
  return [...new Set([...groupHosts(listing, 'all'), ...Object.keys(listing._meta.hostvars)])];
}

/** The PLAY RECAP lines of a plain (non-terminal) play output. */
export function parseRecap(output: string): RecapLine[] {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const at = plain.lastIndexOf('PLAY RECAP');
  if (at < 0) return [];
  const recap = plain.slice(at);
  const lines: RecapLine[] = [];
  for (const m of recap.matchAll(/^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    lines.push({ host: m[1]!, ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) });
  }
  return lines;
}

/** What is wrong with a run that should have changed nothing on any of `hosts`; empty when all is well. */
export function noChangeProblems(recap: readonly RecapLine[], hosts: readonly string[]): string[] {
  const byHost = new Map(recap.map((r) => [r.host, r]));
  return hosts.flatMap((host) => {
    const r = byHost.get(host);
    if (!r) return [`${host}: no PLAY RECAP line`];
    if (r.changed || r.failed || r.unreachable) return [`${host}: changed=${r.changed} failed=${r.failed} unreachable=${r.unreachable}`];
    return [];
  });
}

function firstVar(listing: InventoryListing, hosts: readonly string[], key: string): unknown {
  return hosts.map((h) => listing._meta.hostvars[h]?.[key]).find((v) => v !== undefined);
}

/** Where the kubeadm role wrote admin.conf: kubeconfig_fetch_dir (default artifacts), ~ = home. */
export function fetchedKubeconfig(listing: InventoryListing, masters: readonly string[]): string {
  const dir = String(firstVar(listing, masters, 'kubeconfig_fetch_dir') ?? 'artifacts').trim();
  return resolve(dir.replace(/^~(?=\/|$)/, homedir()), 'admin.conf');
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text;
}

async function main(secondRunLog: string | undefined): Promise<number> {
  if (!secondRunLog) throw new Error('usage: play inventory -i INVENTORY --list | node demo-verify.js SECOND_RUN_LOG');
  const listing = JSON.parse(await readStdin()) as InventoryListing;
  const problems = noChangeProblems(parseRecap(readFileSync(secondRunLog, 'utf8')), allHosts(listing));
  if (problems.length) throw new Error(`the second run changed something or failed (see ${secondRunLog}):\n  ${problems.join('\n  ')}`);
  stdout.write(`second run: changed=0 on all ${allHosts(listing).length} hosts\n`);

  const masters = groupHosts(listing, 'masters');
  const wanted = [...masters, ...groupHosts(listing, 'workers')];
  const vip = String(firstVar(listing, masters, 'apiserver_vip'));
  const kubeconfig = fetchedKubeconfig(listing, masters);
  const api = await nodesThroughVip(readFileSync(kubeconfig, 'utf8'), vip);
  stdout.write(`GET ${new URL('/api/v1/nodes', api.server).href} through the VIP ${vip} with ${kubeconfig}: HTTP ${api.status}\n`);
  for (const n of api.nodes) stdout.write(`  ${n.name.padEnd(10)} Ready=${n.ready ? 'True' : 'False'}\n`);
  const notReady = wanted.filter((name) => !api.nodes.some((n) => n.name === name && n.ready));
  if (api.status !== 200 || notReady.length) throw new Error(`not Ready (or missing) as nodes: ${notReady.join(', ') || `(HTTP ${api.status})`}`);
  stdout.write(`every master and worker of the inventory is a Ready node (${wanted.length})\n`);
  stdout.write(`(with kubectl here: kubectl --kubeconfig ${kubeconfig} get nodes, once ${new URL(api.server).hostname} resolves to ${vip})\n`);
  return 0;
}

if (argv[1] && import.meta.url === pathToFileURL(argv[1]).href) {
  main(argv[2]).then(
    (code) => exit(code),
    (err: unknown) => {
      process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
      exit(1);
    },
  );
}
