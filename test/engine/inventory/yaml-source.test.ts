import { expect } from 'chai';
import { dedent } from './helpers/temp-tree.js';
import { cleanupInventories, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory: YAML sources', () => {
  after(cleanupInventories);

  it('nests groups to any depth; a group under two parents gathers both definitions', async () => {
    const inv = await inventoryFrom(
      {
        'hosts.yml': dedent(`
          all:
            vars:
              top: 1
            hosts:
              solo:
            children:
              k8s:
                children:
                  masters:
                    hosts:
                      m[1:3]:
                        role: master
                  workers:
                    children:
                      gpu:
                        hosts: g1
                        vars: {kind: gpu}
              lb:
                children:
                  masters:
                    vars:
                      lb_member: true
                  edge:
                    hosts:
                      e1:2222:
        `),
      },
      ['hosts.yml'],
    );
    expect(inv.groups.get('all')?.children).to.deep.equal(['ungrouped', 'k8s', 'lb']);
    expect(inv.groups.get('k8s')?.children).to.deep.equal(['masters', 'workers']);
    expect(inv.groups.get('lb')?.children).to.deep.equal(['masters', 'edge']);
    expect(inv.groups.get('workers')?.children).to.deep.equal(['gpu']);
    expect(inv.groups.get('ungrouped')?.hosts).to.deep.equal(['solo']);
    expect(inv.groupHosts('k8s')).to.deep.equal(['m1', 'm2', 'm3', 'g1']);
    expect(inv.hosts.get('m2')?.vars).to.deep.equal({ top: 1, role: 'master', lb_member: true });
    expect(inv.hosts.get('m2')?.groups).to.deep.equal(['k8s', 'lb', 'masters']);
    expect(inv.hosts.get('g1')?.vars).to.deep.equal({ top: 1, kind: 'gpu' });
    expect(inv.hosts.get('e1')?.vars).to.deep.equal({ top: 1, ansible_port: 2222 });
  });

  it('accepts empty groups and the string forms Ansible accepts', async () => {
    const inv = await inventoryFrom({ 'h.yaml': 'empty:\nweb:\n  hosts: w1\n  children: empty\n' }, ['h.yaml']);
    expect(inv.groups.get('web')?.hosts).to.deep.equal(['w1']);
    expect(inv.groups.get('web')?.children).to.deep.equal(['empty']);
  });

  it('reads JSON inventories', async () => {
    const inv = await inventoryFrom({ 'h.json': '{"web": {"hosts": {"w1": {"port": 1e3}}}}' }, ['h.json']);
    expect(inv.hosts.get('w1')?.vars).to.deep.equal({ port: 1000 });
  });

  it('treats an empty YAML file as an empty inventory', async () => {
    const inv = await inventoryFrom({ 'h.yml': '# nothing yet\n' }, ['h.yml']);
    expect(inv.hosts.size).to.equal(0);
  });
});
