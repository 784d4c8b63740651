import { expect } from 'chai';
import { indexYamlKeys, keyLine } from '../../../engine/yaml/key-lines.js';

describe('YAML key lines', () => {
  const text = [
    '# inventory',          // 1
    '---',                  // 2
    'all:',                 // 3
    '  vars:',              // 4
    '    motd: |',          // 5
    '      hosts: not a key', // 6
    '      x: 1',           // 7
    '    ntp: pool',        // 8
    '  children:',          // 9
    '    "web":',           // 10
    '      hosts:',         // 11
    "        'node[1:3]':", // 12
    '          hv: 1',      // 13
    '        w2: {a: 1}',   // 14
    '    db:',              // 15
    '      hosts:',         // 16
    '        - item: 1',    // 17
    '      vars:',          // 18
    '        k: v   # note', // 19
  ].join('\n');
  const index = indexYamlKeys(text);

  it('finds keys by path through block mappings', () => {
    expect(keyLine(index, ['all'])).to.equal(3);
    expect(keyLine(index, ['all', 'vars', 'ntp'])).to.equal(8);
    expect(keyLine(index, ['all', 'children', 'web', 'hosts', 'node[1:3]', 'hv'])).to.equal(13);
    expect(keyLine(index, ['all', 'children', 'db', 'vars', 'k'])).to.equal(19);
  });
  it('does not read keys inside block scalars', () => {
    expect(keyLine(index, ['all', 'vars', 'motd'])).to.equal(5);
    expect(keyLine(index, ['all', 'vars', 'hosts'])).to.equal(4);
  });
  it('falls back to the deepest key found (flow style, missing keys), or line 1', () => {
    expect(keyLine(index, ['all', 'children', 'web', 'hosts', 'w2', 'a'])).to.equal(14);
    expect(keyLine(index, ['all', 'children', 'nope'])).to.equal(9);
    expect(keyLine(index, ['other'])).to.equal(1);
  });
  it('indexes pretty-printed JSON', () => {
    const json = indexYamlKeys('{\n  "a": 1,\n  "b": {\n    "c": 2\n  },\n  "d": 3\n}\n');
    expect(keyLine(json, ['a'])).to.equal(2);
    expect(keyLine(json, ['b', 'c'])).to.equal(4);
    expect(keyLine(json, ['d'])).to.equal(6);
  });
  it('finds list items by index, also in a sequence at the column of its key', () => {
    const seq = indexYamlKeys(['plays:', '  - name: a', '    roles:', '    - one', '    - role: two', '      vars:', '        x: 1', '  - name: b', '  -', '    name: c'].join('\n'));
    expect(keyLine(seq, ['plays', 0, 'roles', 1, 'vars', 'x'])).to.equal(7);
    expect(keyLine(seq, ['plays', 0, 'roles', 0])).to.equal(4);
    expect(keyLine(seq, ['plays', 1, 'name'])).to.equal(8);
    expect(keyLine(seq, ['plays', 2, 'name'])).to.equal(10);
    expect(keyLine(seq, ['plays', 3])).to.equal(1);
    expect(keyLine(index, ['all', 'children', 'db', 'hosts', 0, 'item'])).to.equal(17);
  });
  it('skips a block scalar that is a list item', () => {
    const text = indexYamlKeys(['list:', '  - |', '    a: 1', '  - b: 2'].join('\n'));
    expect(keyLine(text, ['list', 1, 'b'])).to.equal(4);
    expect(keyLine(text, ['list', 0, 'a'])).to.equal(2);
  });
});
