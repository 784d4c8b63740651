// Where each example command of the README is run, and what it must do there. The README guard
// (readme.test.ts) fails when the README has a command that is not here (or this lists one the
// README lost), so a new example cannot rot unseen:
//   unit      run by readme.test.ts (needs no lab: help, listings, inventory views, bad input)
//   package   run by test/package/install.test.ts in a temp folder, from `npm pack`'s tarball
//   lab       run by the lab suite on the built cluster (cluster.test.ts, via lab/readme-lab.ts)
//   mix       run by the drift suite (drift.test.ts, via lab/readme-lab.ts): `lab up --mix` makes
//             its lab of three releases, `lab up --release bookworm` gives the lab back
//   ci        a line of .ci/run itself (the guard checks it is there)
//   excluded  not run by any test, for the reason given
// `expect.output` must match stdout + stderr; `expect.absent` must not. A line with a pipe or a
// redirection runs word for word in /bin/sh (stdin closed). `cwd: 'copy'` runs a unit or lab
// command in a temp folder holding a copy of the clone's inventories/, one per suite, in README
// order (for the commands that write files: my-vault.yml, become.yml); `env` is what the line's
// $VARIABLES stand for.

export interface Expectation {
  readonly code: number;
  readonly output?: RegExp;
  readonly absent?: RegExp;
}

/** Where a package-test command runs: the clone, the folder the tarball goes to, the project. */
export type PackageFolder = 'clone' | 'packdir' | 'project';

/** What a unit or lab command may add to its run. */
export interface RunIn {
  readonly cwd?: 'copy';
  readonly env?: Readonly<Record<string, string>>;
}

export type Coverage =
  | ({ readonly by: 'unit'; readonly expect: Expectation } & RunIn)
  | {
      readonly by: 'package';
      readonly cwd: PackageFolder;
      /** Words the test adds right after the program (a temp prefix, --offline): never others. */
      readonly addArgs?: readonly string[];
      readonly expect: Expectation;
    }
  | ({ readonly by: 'lab'; readonly expect: Expectation } & RunIn)
  | { readonly by: 'mix'; readonly expect: Expectation }
  | { readonly by: 'ci'; readonly why: string }
  | { readonly by: 'excluded'; readonly why: string };

/** A recap where some host changed something. */
const ANY_CHANGE = /changed=[1-9]/;
/** A task line or recap line of any host but worker2. */
const ONLY_WORKER2 = /^\w+: \[(?!worker2\])|^(?!worker2 )[\w-]+ +: ok=/m;
const NPM_OFFLINE = ['--offline', '--no-audit', '--no-fund'];
/** A run that changed nothing and failed nowhere. */
const NO_CHANGE: Expectation = { code: 0, output: /PLAY RECAP/, absent: ANY_CHANGE };
/**
 * The first run as deploy on a cluster built as root: kube_admin_user is then deploy, who gets
 * ~/.kube/config on each master (later runs change nothing). Nothing else may change.
 */
const AS_DEPLOY: Expectation = { code: 0, output: /^master1 +: ok=\d+ +changed=\d+ +unreachable=0 +failed=0/m, absent: /^changed: \[[\w-]+\] (?!kubeadm : )/m };

export const README_COMMANDS: Readonly<Record<string, Coverage>> = {
  // Quick start and Tests
  'npm run demo': { by: 'ci', why: 'the README’s first command: .ci/run runs it after the test suite, on the lab the suite booted' },
  'npm test': { by: 'ci', why: '.ci/run runs it' },
  'npm run audit': { by: 'ci', why: '.ci/run runs it before the tests (skips with a line when the registry cannot answer)' },
  'npm run test:unit': { by: 'excluded', why: 'the unit suite itself (running it from inside would recurse); npm test runs the same files' },

  // Install, from a clone and as a package
  'npm ci': { by: 'excluded', why: 'reinstalls the clone’s node_modules under the running tests; .ci/run runs it first' },
  // Run with the npm registry pointed at a recorder: a lookup there (the 20 s of a plain `npx play`) fails the test.
  'npm run play -- --help': { by: 'unit', expect: { code: 0, output: /--inventory/ } },
  'npm pack': {
    by: 'package',
    cwd: 'clone',
    // dist/ is built by the suite's own tsc; recompiling (the prepare script) would rewrite it under the running tests
    addArgs: ['--ignore-scripts', '--pack-destination', '{packdir}'],
    expect: { code: 0, output: /play-0\.1\.0\.tgz/ },
  },
  'npm install -g ./play-0.1.0.tgz': { by: 'package', cwd: 'packdir', addArgs: ['--prefix', '{prefix}', ...NPM_OFFLINE], expect: { code: 0, output: /added \d+ package/ } },
  'play --version': { by: 'package', cwd: 'project', expect: { code: 0, output: /^play 0\.1\.0 \(node v/ } },
  'npx --package ./play-0.1.0.tgz play --help': { by: 'package', cwd: 'packdir', addArgs: ['--yes', ...NPM_OFFLINE], expect: { code: 0, output: /--inventory/ } },

  // The lab's releases (drift.test.ts runs its catalog on the mixed lab)
  // (after `lab down` every host is created; from a bookworm lab, the five that change release)
  'npm run lab -- up --mix': { by: 'mix', expect: { code: 0, output: /^lab up in [\d.]+ s;.*created lb1 lb2 (?:master1 )?master2 (?:master3 )?worker1 worker2;/m } },
  'npm run lab -- up --release bookworm': { by: 'mix', expect: { code: 0, output: /^lab up in [\d.]+ s;.*created lb1 lb2 master2 worker1 worker2;/m } },

  // Using play, on the lab
  'play site.yml -i inventories/lab': { by: 'lab', expect: { code: 0, output: /PLAY RECAP/, absent: ANY_CHANGE } },
  'play site.yml -i inventories/lab --tags haproxy': { by: 'lab', expect: { code: 0, output: /ok: \[lb1\] haproxy : /, absent: /\] (?!haproxy)[\w-]+ : |changed=[1-9]/ } },
  'play remove-node.yml -i inventories/lab -e node=worker2 --check': {
    by: 'lab',
    expect: { code: 0, output: /worker2 \(a worker\) may leave[\s\S]*kubeadm reset -f[\s\S]*check mode: nothing was changed/ },
  },
  'play etcd-backup.yml -i inventories/lab': {
    by: 'lab',
    cwd: 'copy',
    expect: { code: 0, output: /changed: \[master1\] etcd-backup : Save an etcd snapshot to the controller => snapshot master1's etcd member to \S+\/backups\/etcd\/etcd-snapshot-\d{8}T\d{6}Z\.db/ },
  },
  'play etcd-restore.yml -i inventories/lab -e snapshot=backups/etcd/etcd-snapshot-20261205T010000Z.db --check': {
    by: 'excluded',
    why: 'the snapshot’s name is dated: test/lab/etcd-restore.test.ts runs this --check, then the restore, with the name its own backup got, after it destroyed the quorum',
  },
  'play etcd-restore.yml -i inventories/lab -e snapshot=backups/etcd/etcd-snapshot-20261205T010000Z.db': {
    by: 'excluded',
    why: 'the snapshot’s name is dated: test/lab/etcd-restore.test.ts runs it with the name its own backup got, twice (the second run a no-op), then site.yml',
  },
  'play site.yml -i inventories/lab -e kubernetes_version=1.33.0 --check': {
    by: 'lab',
    expect: { code: 0, output: /upgrade 1\.32\.3 -> 1\.33\.0: preflight passed[\s\S]*upgrade master1 1\.32\.3 -> 1\.33\.0: kubeadm 1\.33\.0, kubeadm upgrade apply v1\.33\.0[\s\S]*check mode: nothing was changed/ },
  },
  'play site.yml -i inventories/lab --check --diff': { by: 'lab', expect: { code: 0, output: /check mode: nothing was changed/, absent: ANY_CHANGE } },
  'play lb.yml -i inventories/lab --limit lb1 -v': { by: 'lab', expect: { code: 0, output: /^lb1 +: ok=\d+ +changed=0[\s\S]*execs=\d+/m, absent: /^lb2 +: ok=/m } },

  // Look before you run (no host contacted)
  'play site.yml -i inventories/lab --syntax-check': { by: 'unit', expect: { code: 0, output: /^playbook: playbooks\/site\.yml$/m } },
  'play site.yml -i inventories/lab --list-hosts': { by: 'unit', expect: { code: 0, output: /play #7 \(masters:workers\): Pod network[\s\S]*hosts \(5\):/ } },
  'play site.yml -i inventories/lab --tags calico --list-tasks': { by: 'unit', expect: { code: 0, output: /calico : /, absent: /haproxy : / } },
  'play site.yml -i inventories/lab --list-tags': { by: 'unit', expect: { code: 0, output: /TASK TAGS: \[.*keepalived.*\]/ } },

  // In your own project folder (the package test builds my-cluster/ as the README draws it)
  'play site.yml -i hosts --syntax-check': { by: 'package', cwd: 'project', expect: { code: 0, output: /^playbook: \/.*\/node_modules\/play\/playbooks\/site\.yml$/m } },
  'play site.yml -i hosts --list-tasks -v': {
    by: 'package',
    cwd: 'project',
    expect: { code: 0, output: /playbook site\.yml: .*\/node_modules\/play\/playbooks\/site\.yml \(bundled with play[\s\S]*haproxy : Write haproxy\.cfg/ },
  },
  'play motd.yml -i hosts --limit lb1': { by: 'package', cwd: 'project', expect: { code: 0, output: /changed: \[lb1\] motd : Write the message of the day/, absent: /\[lb2\]/ } },
  'PLAY_ROLES_PATH=~/shared-roles play site.yml -i hosts --list-tasks': {
    by: 'package',
    cwd: 'project',
    expect: { code: 0, output: /haproxy : Shared haproxy, from PLAY_ROLES_PATH/, absent: /haproxy : Write haproxy\.cfg/ },
  },

  // Inventory views
  'play inventory -i inventories/lab --list': { by: 'unit', expect: { code: 0, output: /"masters": \{\s*"hosts": \[\s*"master1",\s*"master2",\s*"master3"/ } },
  'play inventory -i inventories/lab --graph': { by: 'unit', expect: { code: 0, output: /^@all:\n[\s\S]*\|--@workers:\n {2}\| {2}\|--worker1/m } },
  'play inventory -i inventories/lab --host lb1': { by: 'unit', expect: { code: 0, output: /"ansible_host": "172\.29\.10\.11"/ } },
  'play inventory -i inventories/lab --host lb1 --show-secrets': { by: 'unit', expect: { code: 0, output: /"keepalived_auth_pass": "labvrrp1"/ } },
  'play vars -i inventories/examples/dedicated-lb-pair lb1 keepalived_vips control_plane_endpoint_name': {
    by: 'unit',
    expect: { code: 0, output: /"control_plane_endpoint_name": "k8s-api"/ },
  },
  'play vars -i inventories/lab master1': { by: 'unit', expect: { code: 0, output: /"keepalived_auth_pass": "\*{8}"/ } },
  'play vars -i inventories/lab master1 group_names -e kubernetes_version=1.30.3': { by: 'unit', expect: { code: 0, output: /"group_names": \[\s*"masters"\s*\]/ } },

  // Host keys, control sockets and the run lock
  'play site.yml -i inventories/lab -e "ansible_ssh_common_args=\'-o UserKnownHostsFile=/dev/null\'" --syntax-check': {
    by: 'unit',
    expect: { code: 2, output: /^ERROR! -e #1: key 'ansible_ssh_common_args': host '\w+': points UserKnownHostsFile at a file that keeps no keys.*refused/m, absent: /\/dev\/null|^playbook:/m },
  },
  'play site.yml -i inventories/lab -e "ansible_ssh_common_args=\'-o UserKnownHostsFile=/dev/null\'" --allow-insecure-ssh-args --syntax-check': {
    by: 'unit',
    expect: { code: 0, output: /^\[WARNING\]: -e #1: ansible_ssh_common_args points UserKnownHostsFile at a file that keeps no keys.*, for master1, master2, master3, worker1, worker2 and 2 more \(allowed by --allow-insecure-ssh-args\)$/m },
  },
  'sudo -E play site.yml -i inventories/prod': {
    by: 'excluded',
    why: 'needs a second user and sudo; test/engine/connection/private-dir.test.ts runs the same case (root with a socket folder under another user’s) through the CLI',
  },
  'sudo play site.yml -i inventories/prod': { by: 'excluded', why: 'needs sudo and a production inventory; the README shows it as the way out of the refusal above' },

  // Exit codes: bad input
  'play site.yml -i inventories/lab --limit nosuchhost': { by: 'unit', expect: { code: 2, output: /^ERROR! --limit.*nosuchhost/m } },

  // The playbooks, on the lab: worker2 out and in again
  'play reset.yml -i inventories/lab -l worker2 -e reset_confirm=yes': {
    by: 'lab',
    expect: { code: 0, output: /changed: \[worker2\] kubeadm : Reset kubeadm on this node/, absent: ONLY_WORKER2 },
  },
  'play site.yml -i inventories/lab --limit worker2': { by: 'lab', expect: { code: 0, output: /changed: \[worker2\] kubeadm : Join the cluster/, absent: ONLY_WORKER2 } },

  // Benchmarks
  'npm run bench': { by: 'excluded', why: 'about two hours of lab time; its parts have unit tests in test/bench, its results are in test/bench/RESULTS.md' },
  'npm run bench -- --only site --site-runs 1': { by: 'excluded', why: 'minutes of lab time (the lab made anew, the whole cluster built); test/bench’s unit tests cover its report' },
  'npm run bench -- --only scale --engines play --scale-runs 1 --out "$(mktemp -d)"': {
    by: 'excluded',
    why: 'brings up 500 scale-lab hosts (minutes of lab time, root); test/bench/scale-pure.test.ts covers its addressing, kernel limits and the report of the scale targets',
  },
  'npm run bench -- --resume': {
    by: 'excluded',
    why: 'goes on with the hours of lab time a stopped run left; test/bench/bench-pure.test.ts runs --resume where there is nothing to resume (exit 2, no host touched) and covers what a checkpoint keeps',
  },
  'npm run bench -- --quick': { by: 'excluded', why: 'still many minutes of lab time, with ansible-playbook; test/bench’s unit tests cover its parts' },
  // Ansible Vault, on the lab with inventories/lab-vault (the same site as inventories/lab: no change on the built cluster)
  'play site.yml -i inventories/lab-vault --vault-password-file inventories/lab-vault.pass': { by: 'lab', expect: NO_CHANGE },
  'play site.yml -i inventories/lab-vault --vault-password-file inventories/lab-vault-pass.sh': { by: 'lab', expect: NO_CHANGE },
  'play site.yml -i inventories/lab-vault --vault-id lab@inventories/lab-vault.pass': { by: 'lab', expect: NO_CHANGE },
  'play site.yml -i inventories/lab-vault --ask-vault-pass < inventories/lab-vault.pass': { by: 'lab', expect: NO_CHANGE },
  'ANSIBLE_VAULT_PASSWORD_FILE=inventories/lab-vault.pass play site.yml -i inventories/lab-vault': { by: 'lab', expect: NO_CHANGE },

  // play vault, on a copy of the lab's vault file
  'cp inventories/lab-vault/group_vars/all/vault.yml my-vault.yml': { by: 'unit', cwd: 'copy', expect: { code: 0 } },
  'play vault view my-vault.yml --vault-password-file inventories/lab-vault.pass': { by: 'unit', cwd: 'copy', expect: { code: 0, output: /^vault_keepalived_pass: \S+$/m } },
  // encrypt refuses a file that is still encrypted: it passes only if decrypt did decrypt.
  'play vault decrypt my-vault.yml --vault-password-file inventories/lab-vault.pass': { by: 'unit', cwd: 'copy', expect: { code: 0, absent: /\S/ } },
  'play vault encrypt my-vault.yml --vault-id lab@inventories/lab-vault.pass': { by: 'unit', cwd: 'copy', expect: { code: 0, absent: /\S/ } },
  'printf %s "$DB_PASSWORD" | play vault encrypt_string --name db_password --vault-password-file inventories/lab-vault.pass': {
    by: 'unit',
    cwd: 'copy',
    env: { DB_PASSWORD: 'readme-db-password' },
    expect: { code: 0, output: /^db_password: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n( {10}[0-9a-f]{80}\n)+/, absent: /readme-db-password/ },
  },

  // sudo passwords, on the lab, as deploy (its first run gives deploy a kubeconfig on the masters)
  'play site.yml -i inventories/lab -u deploy -b -K': {
    by: 'excluded',
    why: 'asks the password on a terminal (nothing to type in a test): the next line runs the same -K path on the lab from a redirect, and test/engine/cli/secret-prompt.test.ts types -K’s answer in a pseudo-terminal',
  },
  'play site.yml -i inventories/lab -u deploy -b -K < /var/lib/play-lab/ssh/sudo-password': { by: 'lab', expect: AS_DEPLOY },
  'cat /var/lib/play-lab/ssh/sudo-password inventories/lab-vault.pass | play site.yml -i inventories/lab-vault -u deploy -b -K --ask-vault-pass': { by: 'lab', expect: NO_CHANGE },
  "tr -d '\\n' < /var/lib/play-lab/ssh/sudo-password | play vault encrypt_string --name ansible_become_password --vault-password-file inventories/lab-vault.pass > become.yml": {
    by: 'lab',
    cwd: 'copy',
    expect: { code: 0, absent: /\S/ },
  },
  'play site.yml -i inventories/lab-vault -u deploy -b -e @become.yml --vault-password-file inventories/lab-vault.pass': { by: 'lab', cwd: 'copy', expect: NO_CHANGE },
};
