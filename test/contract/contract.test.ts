// The contract suite (issue 12): every command the cluster roles run and every kubeadm config they
// write, checked against the real programs' rules as the CONTRACT.md files write them down, with
// no stand-in involved. A flag or config field a role starts to use fails here until a contract
// row says where the real program defines it (for the minor in use).
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { REPO_ROOT } from '../helpers/run-play.js';
import kubeadm from '../../roles/kubeadm/index.js';
import { kubeadmConfigInput } from '../../roles/kubeadm/kubeadm-config-input.js';
import { renderKubeadmConfig } from '../../roles/kubeadm/templates/kubeadm-config.js';
import { renderJoinConfiguration, renderUploadCertsConfig } from '../../roles/kubeadm/templates/join-configuration.js';
import { renderCrictlYaml } from '../../roles/crio-or-docker/templates/crictl-yaml.js';
import type { KubeadmVars } from '../../roles/kubeadm/vars.js';
import { resolveRole, varsOf } from '../roles/helpers/resolve.js';
import { dedicatedPair } from '../roles/helpers/topologies.js';
import { collectRoleCommands, TOKEN } from './role-commands.js';
import { simpleCommands } from './shell-words.js';

interface FlagRow {
  readonly command: string;
  readonly flags: readonly string[];
  readonly minors: readonly [number, number] | 'all';
  readonly where: string;
}
interface FieldRow {
  readonly apiVersion: string;
  readonly kind: string;
  readonly field: string;
}

const CONTRACTS = [
  ...readdirSync(join(REPO_ROOT, 'test/lab/standins/contracts')).map((d) => join(REPO_ROOT, 'test/lab/standins/contracts', d, 'CONTRACT.md')),
  join(REPO_ROOT, 'test/contract/real-programs.md'),
];

const cells = (line: string): string[] => line.split('|').slice(1, -1).map((c) => c.trim());
const code = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

function readContracts(): { flags: FlagRow[]; fields: FieldRow[] } {
  const flags: FlagRow[] = [];
  const fields: FieldRow[] = [];
  for (const file of CONTRACTS) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const c = cells(line);
      if (c.length !== 4 || c[0]!.startsWith('---') || c[0] === 'command' || c[0] === 'apiVersion') continue;
      const [a, b, minors, where] = c as [string, string, string, string];
      if (a.startsWith('`')) {
        const range = /^(\d+)\.(\d+)-(\d+)\.(\d+)$/.exec(minors);
        flags.push({ command: code(a)[0]!, flags: code(b), minors: range ? [Number(range[2]), Number(range[4])] : 'all', where });
      } else {
        fields.push({ apiVersion: a, kind: b, field: code(minors)[0]! });
      }
      void where;
    }
  }
  return { flags, fields };
}

const CONTRACTED = new Set(['kubeadm', 'kubectl', 'crictl', 'containerd', 'apt-get', 'apt-mark', 'dpkg-query', 'systemctl', 'curl', 'gpg']);
/** Verbs of programs whose options may come before them (kubectl --kubeconfig X get, apt-get -o X install). */
const VERBS: Readonly<Record<string, readonly string[]>> = {
  kubectl: ['get', 'apply', 'delete', 'drain', 'wait', 'version', 'cluster-info', 'cordon', 'uncordon'],
  'apt-get': ['update', 'install', 'remove', 'purge', 'download'],
};

/** The (sub)command an argv runs: `kubeadm init phase upload-certs`, `kubectl drain`, `apt-get install`. */
function commandOf(argv: readonly string[]): string {
  const program = argv[0]!;
  const verbs = VERBS[program];
  if (verbs) {
    const verb = argv.slice(1).find((w) => verbs.includes(w));
    return verb ? `${program} ${verb}` : program;
  }
  const max = program === 'kubeadm' ? 3 : program === 'containerd' ? 2 : ['curl', 'gpg', 'dpkg-query'].includes(program) ? 0 : 1;
  const words = [program];
  for (const w of argv.slice(1)) {
    if (words.length > max || !/^[a-z][a-z-]*$/.test(w)) break;
    words.push(w);
  }
  return words.join(' ');
}

/** The flag names of an argv (values after `=` dropped), e.g. --ttl, -f, --. */
const flagsOf = (argv: readonly string[]): string[] => argv.slice(1).filter((a) => a.startsWith('-')).map((a) => a.split('=')[0]!);

function allowed(rows: readonly FlagRow[], command: string, flag: string, minor: number): FlagRow | undefined {
  const program = command.split(' ')[0]!;
  const inRange = (r: FlagRow): boolean => r.minors === 'all' || (minor >= r.minors[0] && minor <= r.minors[1]);
  // A flag may be the command's own or its program's global one (kubectl --kubeconfig).
  return rows.find((r) => (r.command === command || command.startsWith(`${r.command} `) || r.command === program) && r.flags.includes(flag) && inRange(r));
}

const SCENARIOS = [
  { name: '1.28 containerd, first build', minor: 28, vars: { kubernetes_version: '1.28.15', container_runtime: 'containerd', kube_package_repo_unsigned: false }, clusterExists: false },
  { name: '1.30 docker, first build', minor: 30, vars: { kubernetes_version: '1.30.2', container_runtime: 'docker', kube_package_repo_unsigned: false }, clusterExists: false },
  { name: '1.31 cri-o, first build', minor: 31, vars: { kubernetes_version: '1.31.14', container_runtime: 'crio', kube_package_repo_unsigned: false }, clusterExists: false },
  { name: '1.37 containerd, first build', minor: 37, vars: { kubernetes_version: '1.37.0', container_runtime: 'containerd', kube_package_repo_unsigned: false }, clusterExists: false },
  { name: '1.31 reset', minor: 31, vars: { kubernetes_version: '1.31.14', kubeadm_reset: true, reset_confirm: 'yes' }, clusterExists: true },
];

describe('contract suite: the roles\' commands and configs against the real programs (CONTRACT.md)', function () {
  this.timeout(60_000);
  const { flags, fields } = readContracts();

  it('reads the contracts', () => {
    expect(flags.filter((r) => r.command.startsWith('kubeadm')).length).to.be.greaterThan(10);
    expect(fields.length).to.be.greaterThan(30);
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: every flag of every contracted command has a contract row for 1.${scenario.minor}`, async () => {
      const recorded = await collectRoleCommands({ vars: scenario.vars, clusterExists: scenario.clusterExists });
      const argvs = recorded.flatMap((r) => simpleCommands(r.script).map((argv) => ({ argv, role: r.role }))).filter(({ argv }) => CONTRACTED.has(argv[0]!));
      const programs = new Set(argvs.map(({ argv }) => argv[0]));
      expect([...programs]).to.include.members(scenario.clusterExists ? ['kubeadm', 'kubectl'] : ['kubeadm', 'kubectl', 'apt-get', 'systemctl', 'curl', 'gpg']);
      const missing: string[] = [];
      for (const { argv, role } of argvs) {
        const command = commandOf(argv);
        for (const flag of flagsOf(argv)) {
          if (!allowed(flags, command, flag, scenario.minor)) missing.push(`${role}: \`${command}\` ${flag}`);
        }
        if (!flags.some((r) => r.command === command || command.startsWith(`${r.command} `))) missing.push(`${role}: \`${command}\` (no row for the command)`);
      }
      expect([...new Set(missing)], 'flags with no contract row').to.deep.equal([]);
      // Never a secret on a command line (issue 13 row 1).
      for (const { argv } of argvs) expect(argv.join(' ')).not.to.contain(TOKEN);
    });
  }

  /** Every field path (a.b[].c) of a YAML document, leaves only. */
  function paths(value: unknown, prefix = ''): string[] {
    if (Array.isArray(value)) return value.flatMap((v) => (typeof v === 'object' && v !== null ? paths(v, `${prefix}[]`) : [prefix]));
    if (typeof value === 'object' && value !== null) {
      return Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k));
    }
    return [prefix];
  }

  function checkDocuments(text: string): string[] {
    const missing: string[] = [];
    for (const doc of text.split(/^---$/m).map((d) => load(d) as Record<string, unknown>)) {
      const { apiVersion, kind, ...rest } = doc as { apiVersion: string; kind: string };
      for (const field of paths(rest)) {
        if (!fields.some((f) => f.apiVersion === apiVersion && f.kind === kind && f.field === field)) missing.push(`${apiVersion} ${kind} ${field}`);
      }
    }
    return missing;
  }

  for (const version of ['1.28.15', '1.30.2', '1.31.14', '1.37.0']) {
    it(`${version}: every field of the kubeadm configs the role writes exists in their apiVersion`, () => {
      const v = varsOf(resolveRole(kubeadm, dedicatedPair({ kubernetes_version: version, control_plane_endpoint_name: 'k8s-lb' }), 'masters:workers'), 'master2') as KubeadmVars;
      const first = varsOf(resolveRole(kubeadm, dedicatedPair({ kubernetes_version: version, control_plane_endpoint_name: 'k8s-lb' }), 'masters:workers'), 'master1') as KubeadmVars;
      const texts = [
        renderKubeadmConfig(kubeadmConfigInput(first)),
        renderJoinConfiguration({ apiVersion: v.kubeadmApi, endpoint: 'k8s-lb:6443', token: TOKEN, caCertHash: `sha256:${'c'.repeat(64)}`, nodeName: 'master2', criSocket: v.criSocket, controlPlane: { certificateKey: 'k', advertiseAddress: '10.0.0.22', bindPort: 6443 } }),
        renderUploadCertsConfig({ apiVersion: v.kubeadmApi, certificateKey: 'k', criSocket: v.criSocket, kubernetesVersion: `v${version}` }),
      ];
      expect(texts.flatMap(checkDocuments), 'config fields with no contract row').to.deep.equal([]);
      expect(v.kubeadmApi).to.equal(Number(version.split('.')[1]) >= 31 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3');
    });
  }

  it('/etc/crictl.yaml: every key is one crictl reads', () => {
    const doc = load(renderCrictlYaml('unix:///var/run/containerd/containerd.sock')) as Record<string, unknown>;
    for (const key of Object.keys(doc)) expect(fields.some((f) => f.apiVersion === 'crictl.yaml' && f.field === key), key).to.equal(true);
  });

  it('fails for a flag or a field no contract row covers (the suite can fail)', () => {
    expect(allowed(flags, 'kubeadm join', '--token', 31), 'the seeds\' flag form is a row').not.to.equal(undefined);
    expect(allowed(flags, 'kubeadm join', '--no-such-flag', 31)).to.equal(undefined);
    expect(allowed(flags, 'kubeadm token create', '--ttl', 40)).to.equal(undefined);
    expect(checkDocuments('apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    tokn: x\n')).to.deep.equal(['kubeadm.k8s.io/v1beta4 JoinConfiguration discovery.bootstrapToken.tokn']);
  });
});
