import { expect } from 'chai';
import { cleanupInventories, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory: group_vars/ and host_vars/', () => {
  after(cleanupInventories);

  it('reads NAME, NAME.yml, NAME.yaml, NAME.json: the first that exists', async () => {
    const inv = await inventoryFrom(
      {
        'inv/hosts': '[web]\nw1\n[db]\nd1\n',
        'inv/group_vars/all': 'a: no-extension\n',
        'inv/group_vars/all.yml': 'a: yml\n',
        'inv/group_vars/web.yaml': 'w: yaml\n',
        'inv/group_vars/web.json': '{"w": "json"}',
        'inv/group_vars/db.json': '{"d": "json"}',
        'inv/host_vars/w1.yml': 'h: 1\n',
      },
      ['inv/hosts'],
    );
    expect(inv.hosts.get('w1')?.vars).to.deep.equal({ a: 'no-extension', w: 'yaml', h: 1 });
    expect(inv.hosts.get('d1')?.vars).to.deep.equal({ a: 'no-extension', d: 'json' });
  });

  it('merges a folder of files in name order, recursively, skipping other extensions and backups', async () => {
    const inv = await inventoryFrom(
      {
        'hosts': '[web]\nw1\n',
        'group_vars/web/10-base.yml': 'x: base\nkeep: 1\n',
        'group_vars/web/20-more.json': '{"x": "json"}',
        'group_vars/web/30-sub/deep.yml': 'x: deep\n',
        'group_vars/web/40-notes.txt': 'x: txt\n',
        'group_vars/web/50-backup.yml~': 'x: backup\n',
        'group_vars/web/.hidden.yml': 'x: hidden\n',
        'group_vars/web/empty.yml': '',
        'host_vars/w1/a.yml': 'h: a\n',
        'host_vars/w1/b': 'h: b\n',
      },
      ['hosts'],
    );
    expect(inv.hosts.get('w1')?.vars).to.deep.equal({ x: 'deep', keep: 1, h: 'b' });
  });

  it('uses the group_vars of a directory source and reads every inventory file in it', async () => {
    const inv = await inventoryFrom(
      {
        'inv/01-hosts': '[web]\nw1\n',
        'inv/02-more.yml': 'db:\n  hosts:\n    d1:\n',
        'inv/03-ignored.ini': '[nope]\nn1\n',
        'inv/README.md': '# not an inventory\n',
        'inv/sub/hosts': '[sub]\ns1\n',
        'inv/group_vars/all.yml': 'env: lab\n',
      },
      ['inv'],
    );
    expect([...inv.hosts.keys()].sort()).to.deep.equal(['d1', 's1', 'w1']);
    expect(inv.hosts.get('s1')?.vars).to.deep.equal({ env: 'lab' });
    expect(inv.groups.has('nope')).to.equal(false);
  });

  it('ignores vars files of groups and hosts that are not in the inventory', async () => {
    const inv = await inventoryFrom({ hosts: 'h\n', 'group_vars/other.yml': 'x: 1\n', 'host_vars/nobody.yml': 'y: 1\n' }, [
      'hosts',
    ]);
    expect(inv.hosts.get('h')?.vars).to.deep.equal({});
  });
});
