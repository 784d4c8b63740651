/**
 * One YAML reading for every source, as Ansible has: the same scalars written as play vars, in
 * an -e @file, inline in -e and in the inventory must load to what Ansible loads them to. The
 * expected values are not written here: Debian's ansible-playbook computes them (a debug task
 * printing every variable), and play's loaders must agree. Without ansible the suite fails under
 * CI and is skipped, loudly, elsewhere.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExtraVars } from '../../../engine/cli/extra-vars.js';
import { loadInventory } from '../../../engine/inventory/index.js';
import { loadPlaybook } from '../../../engine/playbook/load.js';
import { ansibleInventoryAvailable, ansiblePlaybookVars, dumpVarsPlaybook } from '../inventory/helpers/ansible-cli.js';
import { removeTree, writeTree } from '../inventory/helpers/temp-tree.js';
import { requirePrerequisite } from '../../helpers/skip.js';

/** YAML 1.1 and 1.2 read every one of these differently (the issue's five first). */
const SCALARS: Readonly<Record<string, string>> = {
  yes_word: 'yes',
  on_word: 'on',
  octal: '010',
  hex: '0x1f',
  underscores: '1_000',
  off_word: 'Off',
  no_word: 'NO',
  y_letter: 'y',
  true_word: 'True',
  octal_1_2: '0o10',
  binary: '0b101',
  sexagesimal: '1:20',
  exponent_no_dot: '1e5',
  exponent_dot: '1.5e+3',
  signed: '+12',
  tilde: '~',
  date: '2024-01-02',
  quoted_yes: "'yes'",
};

/** A prefix per source, so every source's variables can be printed by one task. */
const SOURCES = ['play', 'file', 'inline', 'inventory'] as const;
const names = (prefix: string): string[] => Object.keys(SCALARS).map((k) => `${prefix}_${k}`);
const yamlLines = (prefix: string, indent: string): string => Object.entries(SCALARS).map(([k, v]) => `${indent}${prefix}_${k}: ${v}\n`).join('');
const ALL_NAMES = SOURCES.flatMap((s) => names(s));
const INLINE = `{${Object.entries(SCALARS).map(([k, v]) => `inline_${k}: ${v}`).join(', ')}}`;

describe('YAML: playbook vars, -e and the inventory load scalars as Ansible does', function () {
  this.timeout(120000);
  let root: string;
  let ansible: Record<string, unknown>;

  before(async function () {
    requirePrerequisite(this, (await ansibleInventoryAvailable()) ? undefined : 'ansible is not installed (install ansible-core)');
    root = await writeTree({
      'p.yml': dumpVarsPlaybook(ALL_NAMES, yamlLines('play', '    ')),
      // play's side: the same play vars, in a play that runs roles (play has no tasks: key).
      'play-side.yml': `- hosts: all\n  vars:\n${yamlLines('play', '    ')}  roles: []\n`,
      'extra.yml': yamlLines('file', ''),
      'inv/hosts.yml': `all:\n  hosts:\n    localhost:\n  vars:\n${yamlLines('inventory', '    ')}`,
    });
    ansible = await ansiblePlaybookVars(root, 'p.yml', ALL_NAMES, ['-i', 'inv/hosts.yml', '-e', '@extra.yml', '-e', INLINE]);
  });
  after(() => (root ? removeTree(root) : undefined));

  const expectSame = (prefix: string, got: Record<string, unknown>): void => {
    const want = Object.fromEntries(names(prefix).map((n) => [n, ansible[n]]));
    expect(Object.fromEntries(names(prefix).map((n) => [n, got[n]]))).to.deep.equal(want);
  };

  it('Ansible itself reads the five of the issue as true, true, 8, 31 and 1000', () => {
    expect(['play', 'file', 'inline'].map((p) => [`${p}_yes_word`, `${p}_on_word`, `${p}_octal`, `${p}_hex`, `${p}_underscores`].map((n) => ansible[n]))).to.deep.equal(
      [[true, true, 8, 31, 1000], [true, true, 8, 31, 1000], [true, true, 8, 31, 1000]],
    );
  });

  it('play vars', () => {
    expectSame('play', loadPlaybook(join(root, 'play-side.yml')).plays[0]!.vars);
  });

  it('-e @file', () => {
    expectSame('file', parseExtraVars([`@${join(root, 'extra.yml')}`]).vars);
  });

  it('-e inline YAML', () => {
    expectSame('inline', parseExtraVars([INLINE]).vars);
  });

  it('the inventory (YAML vars of a group)', async () => {
    const inventory = await loadInventory([join(root, 'inv/hosts.yml')]);
    expectSame('inventory', inventory.hosts.get('localhost')!.vars);
  });

  it('-e key=value keeps every value a string, in both', async () => {
    const pairs = Object.entries(SCALARS).filter(([, v]) => !/['\s]/.test(v)).map(([k, v]) => `kv_${k}=${v}`);
    const kvNames = pairs.map((p) => p.slice(0, p.indexOf('=')));
    writeFileSync(join(root, 'kv.yml'), dumpVarsPlaybook(kvNames));
    const want = await ansiblePlaybookVars(root, 'kv.yml', kvNames, ['-i', 'inv/hosts.yml', '-e', pairs.join(' ')]);
    expect(parseExtraVars([pairs.join(' ')]).vars).to.deep.equal(want);
  });
});
