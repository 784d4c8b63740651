import { expect } from 'chai';
import { dedent } from './helpers/temp-tree.js';
import { cleanupInventories, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory: INI sources', () => {
  after(cleanupInventories);

  it('reads sections, ranges, children and inline vars with Ansible quoting', async () => {
    const inv = await inventoryFrom(
      {
        hosts: dedent(`
          # hosts before any section are ungrouped
          ; both comment markers
          solo a=1 b="x y" c='z' d="'1'" e=True f=yes g=1.5 h=[1,2] j=None k=0777 l=1_000 m=0x1F
          bastion:2222
          [web]
          web[01:03] tier=front
          web[a:b]
          [web:vars]
          gv1 = "a b"
          gv2 = 1 # a comment is part of the value, which literal_eval drops
          gv3 = a b # c
          gv4='1'
          [db:children]
          web
          later
          [later]
          h[1:5:2]
        `),
      },
      ['hosts'],
    );
    expect([...inv.groups.keys()]).to.deep.equal(['all', 'ungrouped', 'web', 'db', 'later']);
    expect(inv.groups.get('ungrouped')?.hosts).to.deep.equal(['solo', 'bastion']);
    expect(inv.groups.get('web')?.hosts).to.deep.equal(['web01', 'web02', 'web03', 'weba', 'webb']);
    expect(inv.groups.get('db')?.children).to.deep.equal(['web', 'later']);
    expect(inv.groups.get('later')?.hosts).to.deep.equal(['h1', 'h3', 'h5']);
    expect(inv.groups.get('all')?.children).to.deep.equal(['ungrouped', 'db']);
    expect(inv.hosts.get('solo')?.vars).to.deep.equal({
      a: 1, b: 'x y', c: 'z', d: '1', e: true, f: 'yes', g: 1.5, h: [1, 2], j: null, k: '0777', l: 1000, m: 31,
    });
    expect(inv.hosts.get('bastion')?.vars).to.deep.equal({ ansible_port: 2222 });
    expect(inv.hosts.get('web02')?.vars).to.deep.equal({ tier: 'front', gv1: 'a b', gv2: 1, gv3: 'a b # c', gv4: '1' });
    expect(inv.hosts.get('web02')?.groups).to.deep.equal(['db', 'web']);
  });

  it('takes hosts out of ungrouped once they are in a group', async () => {
    const inv = await inventoryFrom({ hosts: 'a\nb\n[g]\nb\n' }, ['hosts']);
    expect(inv.groups.get('ungrouped')?.hosts).to.deep.equal(['a']);
    expect(inv.groups.get('g')?.hosts).to.deep.equal(['b']);
  });

  it('keeps the port of the first definition of a host', async () => {
    const inv = await inventoryFrom({ hosts: '[a]\nh:22\n[b]\nh:33\nk:44 ansible_port=45\n' }, ['hosts']);
    expect(inv.hosts.get('h')?.vars.ansible_port).to.equal(22);
    expect(inv.hosts.get('k')?.vars.ansible_port).to.equal(45);
  });

  it('reads a host list given as -i "a,b:2222,"', async () => {
    const inv = await inventoryFrom({}, ['a, b:2222 ,c,']);
    expect([...inv.hosts.keys()]).to.deep.equal(['a', 'b', 'c']);
    expect(inv.groups.get('ungrouped')?.hosts).to.deep.equal(['a', 'b', 'c']);
    expect(inv.hosts.get('b')?.vars).to.deep.equal({ ansible_port: 2222 });
  });

  it('reads an extensionless YAML file as YAML and anything else as INI', async () => {
    const inv = await inventoryFrom({ inv: 'web:\n  hosts:\n    w1:\n', 'hosts.inv': 'x1\n' }, ['inv', 'hosts.inv']);
    expect(inv.groups.get('web')?.hosts).to.deep.equal(['w1']);
    expect(inv.groups.get('ungrouped')?.hosts).to.deep.equal(['x1']);
  });
});
