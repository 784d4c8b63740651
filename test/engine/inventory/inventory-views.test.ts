import { expect } from 'chai';
import { InputError } from '../../../engine/errors.js';
import { inventoryGraph, inventoryList } from '../../../engine/inventory/index.js';
import { pythonRepr } from '../../../engine/inventory/python-repr.js';
import { dedent } from './helpers/temp-tree.js';
import { cleanupInventories, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory: --list and --graph views', () => {
  after(cleanupInventories);

  const files = {
    hosts: dedent(`
      lone
      [web]
      w1 port=80 inventory_hostname=ignored
      [db:children]
      web
      [db:vars]
      x=1
      [empty]
    `),
  };

  it('lists groups like ansible-inventory --list', async () => {
    const inv = await inventoryFrom(files, ['hosts']);
    const list = inventoryList(inv);
    expect(list).to.deep.equal({
      _meta: { hostvars: { w1: { port: 80, x: 1 } } },
      all: { children: ['ungrouped', 'db', 'empty'] },
      db: { children: ['web'] },
      ungrouped: { hosts: ['lone'] },
      web: { hosts: ['w1'] },
    });
    expect(Object.keys(list)).to.deep.equal(['_meta', 'all', 'db', 'ungrouped', 'web']);
  });

  it('draws the tree like ansible-inventory --graph, with and without vars', async () => {
    const inv = await inventoryFrom(files, ['hosts']);
    expect(inventoryGraph(inv)).to.equal(
      ['@all:', '  |--@ungrouped:', '  |  |--lone', '  |--@db:', '  |  |--@web:', '  |  |  |--w1', '  |--@empty:'].join('\n'),
    );
    expect(inventoryGraph(inv, 'db', { vars: true })).to.equal(
      ['@db:', '  |--@web:', '  |  |--w1', '  |  |  |--{port = 80}', '  |  |  |--{x = 1}', '  |--{x = 1}'].join('\n'),
    );
    expect(() => inventoryGraph(inv, 'w1')).to.throw(InputError, /not a group/);
  });

  it('prints values as Python does', () => {
    expect(pythonRepr([1, 'two', true, null, { k: "it's" }, 0.1, 1e-5, 1.5e16 + 0.5])).to.equal(
      `[1, 'two', True, None, {'k': "it's"}, 0.1, 1e-05, 15000000000000000]`,
    );
  });
});
