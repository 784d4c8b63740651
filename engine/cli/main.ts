#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { findConfigFile, loadAnsibleConfig, type AnsibleConfig } from '../config/ansible-cfg.js';
import { InputError, PlayError, UsageError } from '../errors.js';
import { runInventory } from './inventory-command.js';
import type { CliEnv } from './cli-env.js';
import { runPlaybooks, type PlaybookArgs } from './playbook-command.js';
import { runVars } from './vars-command.js';
import { SecretInput } from './secret-input.js';
import { runVault, type VaultAction } from './vault-command.js';
import { vaultArgsOf, withVaultOptions } from './vault-options.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

function report(error: unknown, verbose: number): number {
  if (error instanceof InputError) {
    err(`ERROR! ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof PlayError) {
    err(`ERROR! ${error.message}`);
    return error.exitCode;
  }
  err(`ERROR! internal error: ${error instanceof Error ? (verbose >= 3 ? error.stack : error.message) : String(error)}`);
  return 1;
}

/** dist/engine/cli/main.js sits three levels below the package root. As `ansible --version`, it names the config file. */
function playVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return `play ${pkg.version ?? 'unknown'} (node ${process.version})\n  config file = ${findConfigFile().file ?? 'None'}`;
}

const VAULT_ACTIONS: readonly VaultAction[] = ['encrypt', 'decrypt', 'view', 'encrypt_string'];

async function main(argv: string[]): Promise<number> {
  let code = 0;
  let verbose = 0;
  // ansible.cfg is read when a command needs it: --help and --version work with a broken one.
  let config: AnsibleConfig | undefined;
  const input = new SecretInput();
  const env = (): CliEnv => ({ config: (config ??= loadAnsibleConfig()), input });
  const parser = yargs(argv)
    .scriptName('play')
    .usage('play PLAYBOOK... -i INVENTORY [options]\nplay inventory -i INVENTORY --list|--graph|--host HOST\nplay vars -i INVENTORY HOST [VAR...]\nplay vault encrypt|decrypt|view|encrypt_string [FILE...]')
    .command(
      'vault <action> [files..]',
      'encrypt, decrypt or view files, or encrypt a string, as ansible-vault does',
      (y) =>
        withVaultOptions(y)
          .positional('action', { choices: VAULT_ACTIONS, describe: 'what to do' })
          .positional('files', { type: 'string', array: true, default: [] as string[], describe: 'files (rewritten in place)' })
          .option('output', { type: 'string', describe: 'write to this file instead (decrypt/encrypt; - is stdout for decrypt)' })
          .option('name', { alias: 'stdin-name', type: 'string', describe: 'encrypt_string: the variable name of the YAML it prints' })
          .option('encrypt-vault-id', { type: 'string', describe: 'the vault id to encrypt with when several are given' })
          .example('play vault encrypt group_vars/all/vault.yml --vault-password-file ~/.vault_pass', '')
          .example("printf %s 's3cret' | play vault encrypt_string --name db_password --vault-id prod@prompt", ''),
      async (a) => {
        code = await runVault(
          { action: a.action as VaultAction, files: a.files, output: a.output, name: a.name, encryptVaultId: a['encrypt-vault-id'], vault: vaultArgsOf(a) },
          (text) => void process.stdout.write(text),
          env(),
        );
      },
    )
    .command(
      'inventory',
      'show the inventory as ansible-inventory does',
      (y) =>
        withVaultOptions(y)
          .option('inventory', { alias: 'i', type: 'string', array: true, default: [] as string[], describe: 'inventory file or directory (repeatable)' })
          .option('list', { type: 'boolean', default: false, describe: 'print every host and group as JSON' })
          .option('graph', { type: 'boolean', default: false, describe: 'print the group tree' })
          .option('host', { type: 'string', describe: "print one host's variables as JSON" })
          .option('show-secrets', { type: 'boolean', default: false, describe: 'print secret values in clear (masked by default)' })
          .positional('group', { type: 'string' })
          .example('play inventory -i inventories/lab --list', '')
          .example('play inventory -i inventories/lab --graph', '')
          .example('play inventory -i inventories/lab --host lb1 --show-secrets', ''),
      async (a) => {
        code = await runInventory(
          { inventory: a.inventory, list: a.list, graph: a.graph, host: a.host, group: a._[1] === undefined ? undefined : String(a._[1]), showSecrets: a['show-secrets'], vault: vaultArgsOf(a) },
          out,
          env(),
        );
      },
    )
    .command(
      'vars <host> [names..]',
      "show a host's variables after templating, as ansible -m debug does",
      (y) =>
        withVaultOptions(y)
          .positional('host', { type: 'string', demandOption: true, describe: 'inventory host' })
          .positional('names', { type: 'string', array: true, default: [] as string[], describe: 'variables to show (default: all the inventory sets)' })
          // One value per flag (repeat the flag for more): a list would swallow HOST and VARs.
          .option('inventory', { alias: 'i', type: 'string', array: true, nargs: 1, default: [] as string[], describe: 'inventory file or directory (repeatable)' })
          .option('extra-vars', { alias: 'e', type: 'string', array: true, nargs: 1, default: [] as string[], describe: 'variables: key=value, YAML/JSON, or @file (highest precedence)' })
          .option('show-secrets', { type: 'boolean', default: false, describe: 'print secret values instead of ********' })
          .example('play vars -i inventories/lab master1 kube_api_endpoint group_names', ''),
      async (a) => {
        code = await runVars({ inventory: a.inventory, host: a.host, names: a.names, extraVars: a['extra-vars'], showSecrets: a['show-secrets'], vault: vaultArgsOf(a) }, out, env());
      },
    )
    .command(
      '$0 [playbooks..]',
      'run playbooks against an inventory',
      (y) =>
        withVaultOptions(y)
          .positional('playbooks', { type: 'string', array: true, default: [] as string[], describe: 'playbook files (NAME also finds playbooks/NAME)' })
          .option('inventory', { alias: 'i', type: 'string', array: true, default: [] as string[], describe: 'inventory file or directory (repeatable)' })
          .option('limit', { alias: 'l', type: 'string', describe: 'further limit hosts with a pattern (e.g. worker1, masters:!master3)' })
          .option('tags', { alias: 't', type: 'string', array: true, default: [] as string[], describe: 'only run tasks with these tags (comma-separated, repeatable)' })
          .option('skip-tags', { type: 'string', array: true, default: [] as string[], describe: 'skip tasks with these tags' })
          .option('check', { alias: 'C', type: 'boolean', default: false, describe: 'run checks only: report what would change, change nothing' })
          .option('diff', { alias: 'D', type: 'boolean', default: false, describe: 'show unified diffs of changed files (secrets hidden)' })
          .option('extra-vars', { alias: 'e', type: 'string', array: true, default: [] as string[], describe: 'variables: key=value, YAML/JSON, or @file (highest precedence)' })
          .option('forks', { alias: 'f', type: 'number', describe: 'hosts run in parallel (default: ansible.cfg forks, else 50)' })
          .option('verbose', { alias: 'v', type: 'count', describe: '-v timings and round trips, -vv fact batches, -vvv commands run' })
          .option('list-hosts', { type: 'boolean', default: false, describe: 'list the hosts each play would run on' })
          .option('list-tasks', { type: 'boolean', default: false, describe: 'list the tasks each play would run' })
          .option('list-tags', { type: 'boolean', default: false, describe: 'list the tags of each play' })
          .option('syntax-check', { type: 'boolean', default: false, describe: 'load and validate everything, contact no host' })
          .option('json', { type: 'boolean', default: false, describe: 'print a machine-readable report (per host and task) instead of text' })
          .option('user', { alias: 'u', type: 'string', describe: 'connect as this user (overrides ansible_user)' })
          .option('private-key', { type: 'string', describe: 'SSH private key file (overrides ansible_ssh_private_key_file)' })
          .option('become', { alias: 'b', type: 'boolean', describe: 'run as root through sudo (default: ansible.cfg become)' })
          .option('ask-become-pass', { alias: ['K', 'ask-become-password'], type: 'boolean', describe: "ask for sudo's password (one line of stdin when it is not a terminal)" })
          .option('strict-host-keys', { type: 'boolean', default: false, describe: "refuse hosts whose key is not already in known_hosts (default: accept-new)" })
          .option('timeout', { alias: 'T', type: 'number', describe: 'SSH connect timeout in seconds (default: ansible.cfg timeout, else 10)' })
          .option('allow-insecure-ssh-args', {
            type: 'boolean',
            default: false,
            describe: 'let ssh arguments from the inventory, -e or ansible.cfg turn host key checking off (UserKnownHostsFile=/dev/null, StrictHostKeyChecking=no...); warned on every run',
          })
          .check((a) => {
            if (a.forks !== undefined && (!Number.isInteger(a.forks) || a.forks < 1)) throw new Error('--forks must be a positive integer');
            if (a.timeout !== undefined && (!Number.isInteger(a.timeout) || a.timeout < 1)) throw new Error('--timeout must be a positive integer');
            return true;
          })
          .example('play site.yml -i inventories/lab', 'build the whole cluster')
          .example('play site.yml -i inventories/lab --tags haproxy', 'run one role')
          .example('play site.yml -i inventories/lab --check --diff', 'show drift, change nothing'),
      async (a) => {
        verbose = a.verbose;
        const args: PlaybookArgs = {
          playbooks: a.playbooks,
          inventory: a.inventory,
          limit: a.limit,
          tags: a.tags,
          skipTags: a['skip-tags'],
          check: a.check,
          diff: a.diff,
          extraVars: a['extra-vars'],
          forks: a.forks,
          verbose: a.verbose,
          listHosts: a['list-hosts'],
          listTasks: a['list-tasks'],
          listTags: a['list-tags'],
          syntaxCheck: a['syntax-check'],
          json: a.json,
          user: a.user,
          privateKey: a['private-key'],
          become: a.become,
          askBecomePass: a['ask-become-pass'],
          strictHostKeys: a['strict-host-keys'],
          allowInsecureSshArgs: a['allow-insecure-ssh-args'],
          timeout: a.timeout,
          vault: vaultArgsOf(a),
        };
        code = await runPlaybooks(args, out, err, env());
      },
    )
    .strict()
    .help()
    .alias('h', 'help')
    .version('version', 'print the version of play and exit', playVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      if (error instanceof PlayError) throw error;
      throw new UsageError(`${message || error?.message || 'bad usage'} (see play --help)`);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    return report(error, verbose);
  }
  return code;
}

/** Exit only once stdout has drained: a large --json document into a pipe must arrive whole. */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}

main(hideBin(process.argv)).then(exitWhenFlushed, (error: unknown) => exitWhenFlushed(report(error, 3)));
