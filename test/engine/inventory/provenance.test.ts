import { expect } from 'chai';
import { dedent } from './helpers/temp-tree.js';
import { cleanupInventories, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory: provenance of variables', () => {
  after(cleanupInventories);

  it('names the INI file and line of each winning value', async () => {
    const inv = await inventoryFrom(
      {
        'inv/hosts': dedent(`
          [web]
          w1:2222 a=1
          [web:vars]
          b=2
          [all:vars]
          c=3
        `),
      },
      ['inv/hosts'],
    );
    expect(inv.hosts.get('w1')?.origins).to.deep.equal({
      ansible_port: { file: 'inv/hosts', line: 2 },
      a: { file: 'inv/hosts', line: 2 },
      b: { file: 'inv/hosts', line: 4 },
      c: { file: 'inv/hosts', line: 6 },
    });
  });

  it('names YAML lines of host vars, group vars and group_vars/host_vars files', async () => {
    const inv = await inventoryFrom(
      {
        'lab/hosts.yml': dedent(`
          all:
            vars:
              a: 1
            children:
              web:
                hosts:
                  w[1:2]:
                    b: 2
                vars: {c: 3}
        `),
        'lab/group_vars/web/main.yml': '# web\n\nd: 4\n',
        'lab/host_vars/w2.json': '{\n  "e": 5\n}\n',
      },
      ['./lab/hosts.yml'],
    );
    expect(inv.hosts.get('w2')?.origins).to.deep.equal({
      a: { file: 'lab/hosts.yml', line: 3 },
      b: { file: 'lab/hosts.yml', line: 8 },
      c: { file: 'lab/hosts.yml', line: 9 },
      d: { file: 'lab/group_vars/web/main.yml', line: 3 },
      e: { file: 'lab/host_vars/w2.json', line: 2 },
    });
  });

  it('keeps paths inside a directory source relative to what was given', async () => {
    const inv = await inventoryFrom({ 'inv/a/hosts': '[g]\nh x=1\n' }, ['inv']);
    expect(inv.hosts.get('h')?.origins.x).to.deep.equal({ file: 'inv/a/hosts', line: 2 });
  });
});
