/**
 * Parity with the real Ansible: each case writes an inventory to a temp dir, runs Debian's
 * ansible-inventory on it (--list, --graph, --graph GROUP, and --graph --vars where the values
 * print the same in Python and JSON), and compares with what play computes. Patterns are
 * checked against `ansible PATTERN --list-hosts`. Arrays are compared in order: the order of
 * hosts and children is part of what we copy. Without ansible-inventory the suite fails when
 * CI is set and is skipped, loudly, otherwise.
 *
 * Not compared, by design: `!unsafe` strings (ansible-inventory --list prints them as
 * {"__ansible_unsafe": ...}; play keeps plain strings) and, in --graph --vars, values whose
 * Python str() JSON cannot reproduce (1.0, tuples, datetimes).
 */
import { expect } from 'chai';
import { inventoryGraph, inventoryList, loadInventory } from '../../../engine/inventory/index.js';
import type { Inventory } from '../../../engine/types.js';
import { ansibleInventory, ansibleInventoryAvailable, ansibleListHosts } from './helpers/ansible-cli.js';
import { dedent, removeTree, writeTree } from './helpers/temp-tree.js';
import { requirePrerequisite } from '../../helpers/skip.js';

interface ParityCase {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  readonly sources: readonly string[];
  /** Groups to also draw with --graph GROUP. */
  readonly graphGroups: readonly string[];
  /** False when a value would print differently (Python floats like 1.0, tuples, datetimes). */
  readonly compareGraphVars: boolean;
}

const CASES: readonly ParityCase[] = [
  {
    name: 'INI with ranges, children, vars and inline quoting',
    sources: ['hosts'],
    graphGroups: ['cluster', 'web'],
    compareGraphVars: true,
    files: {
      hosts: dedent(`
        # hosts before any section are ungrouped
        ; both comment markers
        solo a=1 b="x y" c='z' d="'1'" e=True f=yes g=[1,'two'] h="{'k': 1}" j=None k=0777 l=1_000 m=0x1F p=-5 q=true s=1.5 r=a#b t=ignored
        bastion:2222 ansible_user=admin
        [web]
        web[01:03] tier=front
        web[a:c]
        node[1:10:3]
        [web:vars]
        http_port=80
        gv1 = "a b"
        gv2 = 1 # a comment
        gv3 = a b # c
        gv4='1'
        gv5 = [1, 'x']
        gv6=x=y
        [db]
        db1 ansible_host=10.0.0.5 ansible_port=5432
        web02
        [cluster:children]
        web
        db
        later
        [later]
        l1
        [all:vars]
        ntp=pool.example.test
        [cluster:vars]
        tier=cluster
        [empty]
      `),
    },
  },
  {
    name: 'nested YAML: four levels, a group under two parents, YAML 1.1 scalars',
    sources: ['inventory.yml'],
    graphGroups: ['k8s', 'lb', 'masters'],
    compareGraphVars: true,
    files: {
      'inventory.yml': dedent(`
        all:
          vars:
            b_yes: yes
            b_off: Off
            o_octal: 0755
            sexa: 1:20
            not_float: 1e5
            date: 2024-01-02
            nothing: ~
            base: &base {k: 1, j: 2}
            merged:
              <<: *base
              extra: 3
          hosts:
            lone:
          children:
            k8s:
              vars: {cluster: k8s}
              children:
                control:
                  children:
                    masters:
                      hosts:
                        m[1:3]:
                          role: master
                      vars:
                        level: 3
                workers:
                  hosts:
                    w[01:02]:
                  children:
                    gpu:
                      hosts:
                        g1:
                          level: host
            lb:
              children:
                masters:
                  vars:
                    lb_member: true
                edge:
                  hosts:
                    e1:2222:
                    "10.0.0.9":
                      level: lb
      `),
    },
  },
  {
    name: 'a directory: several sources, group_vars as files and folders, host_vars',
    sources: ['inv'],
    graphGroups: ['web'],
    compareGraphVars: true,
    files: {
      'inv/01-base': '[web]\nw1\nw2\n[db]\nd1\n[web:vars]\nrole=web\nx=inventory\n',
      'inv/02-extra.yml': 'web:\n  hosts:\n    w3:\n  children:\n    canary:\n      hosts:\n        w1:\n',
      'inv/03-skipped.ini': '[skipped]\ns1\n',
      'inv/notes.txt': 'not an inventory\n',
      'inv/04-old~': '[old]\no1\n',
      'inv/nested/hosts': '[nested]\nn1\n',
      'inv/group_vars/all.yml': 'env: lab\nx: all-file\n',
      'inv/group_vars/all': 'env: no-extension-wins\n',
      'inv/group_vars/web/10-main.yml': 'x: web-folder\nlist: [1, 2]\n',
      'inv/group_vars/web/20-more.json': '{"y": "json"}',
      'inv/group_vars/web/30-sub/deep.yml': 'z: deep\n',
      'inv/group_vars/web/40-skip.txt': 'z: skipped\n',
      'inv/group_vars/canary': 'x: canary\n',
      'inv/group_vars/db.yaml': 'db: true\n',
      'inv/host_vars/w1.yml': 'x: host-file\n',
      'inv/host_vars/d1/a.yml': 'h: a\nha: 1\n',
      'inv/host_vars/d1/b.yml': 'h: b\n',
    },
  },
  {
    name: 'repeated -i: INI, YAML in another folder and a host list',
    sources: ['one/hosts', 'two/hosts.yml', 'extra1,extra2:2200,'],
    graphGroups: ['web'],
    compareGraphVars: true,
    files: {
      'one/hosts': '[web]\nw1 v=one\nw2\n[web:vars]\ng=one\n[db]\nd1\n',
      'one/group_vars/web.yml': 'f: one\nf1: 1\n',
      'one/host_vars/w2.yml': 'hv: one\n',
      'two/hosts.yml': 'web:\n  hosts:\n    w1:\n      v: two\n    w3:\n  vars:\n    g: two\ncache:\n  hosts:\n    c1:\n    d1:\n',
      'two/group_vars/web.yml': 'f: two\n',
      'two/group_vars/cache.yml': 'f: cache\n',
      'two/host_vars/w2.yml': 'hv: two\n',
    },
  },
  {
    name: 'precedence: depth, ansible_group_priority, names, inventory vs group_vars files',
    sources: ['hosts'],
    graphGroups: ['top'],
    compareGraphVars: true,
    files: {
      hosts: dedent(`
        [top:children]
        mid
        [mid:children]
        leaf
        [leaf]
        h1
        [aaa]
        h1
        h2
        [zzz]
        h1
        h2
        [top:vars]
        v=top
        [mid:vars]
        v=mid
        [leaf:vars]
        v=leaf
        [aaa:vars]
        v=aaa
        w=aaa
        [zzz:vars]
        v=zzz
        w=zzz
        ansible_group_priority=0
        [all:vars]
        v=all
        u=all
      `),
      'group_vars/all.yml': 'u: all-file\n',
      'group_vars/top.yml': 'file_v: top\n',
      'group_vars/leaf.yml': 'file_v: leaf\n',
      'group_vars/aaa.yml': 'file_v: aaa\n',
    },
  },
];

/** An inventory where group levels below the first hold one group, so Ansible's order is fixed. */
const PATTERN_INVENTORY = dedent(`
  [a]
  a1
  a2
  [b]
  b1
  a1
  [c]
  c1
  [c:children]
  a
  [web]
  web01.lab
  web02.lab
  db01.lab
`);
const PATTERNS = [
  'all', '*', 'a', 'c', 'a2', 'a:b', 'a,b', 'b:a1', 'a:&b', '&a:b', 'a:!b', '!b:a', '!web', 'c:!a1:&a',
  'a[0]', 'a[-1]', 'c[0:1]', 'c[1:]', 'c[1:0]', 'a[0]:b[0]', 'a*', 'a*[7]', '*1', 'web0?.lab', '[!w]*.lab',
  '~[ab]1', '~web', 'zz*',
];

describe('inventory: parity with ansible-inventory', function () {
  this.timeout(300_000);

  before(async function () {
    if (await ansibleInventoryAvailable()) return;
    requirePrerequisite(this, 'ansible-inventory is not installed (apt-get install ansible-core)');
  });

  for (const c of CASES) {
    describe(c.name, () => {
      let root = '';
      let inv: Inventory;
      before(async () => {
        root = await writeTree(c.files);
        inv = await loadInventory([...c.sources], { cwd: root });
      });
      after(async () => {
        if (root) await removeTree(root);
      });

      it('--list', async () => {
        const { stdout, stderr } = await ansibleInventory(root, c.sources, ['--list']);
        expect(stderr, 'ansible-inventory should accept the inventory without warnings').to.not.match(/WARNING|ERROR/);
        expect(inventoryList(inv)).to.deep.equal(JSON.parse(stdout));
      });

      it('--graph', async () => {
        const { stdout } = await ansibleInventory(root, c.sources, ['--graph']);
        expect(inventoryGraph(inv)).to.equal(stdout.trimEnd());
      });

      for (const group of c.graphGroups) {
        it(`--graph ${group}`, async () => {
          const { stdout } = await ansibleInventory(root, c.sources, ['--graph', group]);
          expect(inventoryGraph(inv, group)).to.equal(stdout.trimEnd());
        });
      }

      if (c.compareGraphVars) {
        it('--graph --vars', async () => {
          const { stdout } = await ansibleInventory(root, c.sources, ['--graph', '--vars']);
          expect(inventoryGraph(inv, 'all', { vars: true })).to.equal(stdout.trimEnd());
        });
      }
    });
  }

  describe('host patterns, against ansible --list-hosts', () => {
    let root = '';
    let inv: Inventory;
    before(async () => {
      root = await writeTree({ hosts: PATTERN_INVENTORY });
      inv = await loadInventory(['hosts'], { cwd: root });
    });
    after(async () => {
      if (root) await removeTree(root);
    });

    it('selects the same hosts in the same order for every pattern', async () => {
      const results = await Promise.all(PATTERNS.map(async (p) => ({ pattern: p, ansible: (await ansibleListHosts(root, ['hosts'], p)).hosts })));
      for (const { pattern, ansible } of results) expect(inv.select(pattern), pattern).to.deep.equal(ansible);
    });

    it('where Ansible warns about an unknown name, play refuses it', async () => {
      const { hosts, stderr } = await ansibleListHosts(root, ['hosts'], 'a:nope');
      expect(stderr).to.match(/Could not match supplied host pattern, ignoring: nope/);
      expect(hosts).to.deep.equal(['a1', 'a2']);
      expect(() => inv.select('a:nope')).to.throw(/host pattern 'nope' matches no group and no host/);
    });
  });
});
