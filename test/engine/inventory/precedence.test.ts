import { expect } from 'chai';
import { dedent } from './helpers/temp-tree.js';
import { cleanupInventories, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory: variable precedence', () => {
  after(cleanupInventories);

  it('all < parent < child < host', async () => {
    const inv = await inventoryFrom(
      {
        hosts: dedent(`
          [child]
          h1
          h2 v=host
          [parent:children]
          child
          [parent]
          p1
          [all:vars]
          v=all
          only_all=1
          [parent:vars]
          v=parent
          [child:vars]
          v=child
        `),
      },
      ['hosts'],
    );
    expect(inv.hosts.get('p1')?.vars.v).to.equal('parent');
    expect(inv.hosts.get('h1')?.vars.v).to.equal('child');
    expect(inv.hosts.get('h2')?.vars.v).to.equal('host');
    expect(inv.hosts.get('h2')?.vars.only_all).to.equal(1);
  });

  it('groups at the same depth merge by name; ansible_group_priority comes first', async () => {
    const inv = await inventoryFrom(
      {
        hosts: dedent(`
          [b]
          h
          [a]
          h
          [c]
          h
          [a:vars]
          v=a
          w=a
          [b:vars]
          v=b
          w=b
          ansible_group_priority=0
          [c:vars]
          w=c
        `),
      },
      ['hosts'],
    );
    // Sorted by (depth, priority, name): b (priority 0), a, c: the last one wins.
    expect(inv.hosts.get('h')?.vars).to.deep.equal({ v: 'a', w: 'c' });
    expect(inv.groups.get('b')?.vars.ansible_group_priority).to.equal(0);
  });

  it('a deeper group beats a shallower one whatever the names', async () => {
    const inv = await inventoryFrom(
      { hosts: '[z]\nh\n[a]\nm\n[z:children]\na\n[zz]\nh\nm\n[zz:vars]\nv=zz\n[a:vars]\nv=a\n' },
      ['hosts'],
    );
    expect(inv.hosts.get('m')?.vars.v).to.equal('a');
  });

  it('any group_vars file beats group vars from inventory files; host_vars beat inventory host vars', async () => {
    const inv = await inventoryFrom(
      {
        hosts: '[child]\nh v=inline\nk\n[child:vars]\nv=child-inventory\nonly_inv=1\n',
        'group_vars/all.yml': 'v: all-file\n',
        'host_vars/h.yml': 'v: host-file\n',
      },
      ['hosts'],
    );
    expect(inv.hosts.get('k')?.vars).to.deep.equal({ v: 'all-file', only_inv: 1 });
    expect(inv.hosts.get('h')?.vars.v).to.equal('host-file');
  });

  it('replaces mappings instead of merging them (hash_behaviour=replace)', async () => {
    const inv = await inventoryFrom(
      { 'h.yml': 'all:\n  vars:\n    m: {a: 1, b: 2}\n  children:\n    g:\n      hosts:\n        h:\n          m: {b: 3}\n' },
      ['h.yml'],
    );
    expect(inv.hosts.get('h')?.vars.m).to.deep.equal({ b: 3 });
  });

  it('later -i sources override earlier ones, and each brings its group_vars', async () => {
    const inv = await inventoryFrom(
      {
        'one/hosts': '[web]\nw1 v=one\n[web:vars]\ng=one\n',
        'one/group_vars/web.yml': 'f: one\nf1: 1\n',
        'two/hosts.yml': 'web:\n  hosts:\n    w1:\n      v: two\n  vars:\n    g: two\n',
        'two/group_vars/web.yml': 'f: two\n',
      },
      ['one/hosts', 'two/hosts.yml'],
    );
    expect(inv.hosts.get('w1')?.vars).to.deep.equal({ v: 'two', g: 'two', f: 'two', f1: 1 });
  });
});
