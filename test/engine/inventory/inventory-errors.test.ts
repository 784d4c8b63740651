import { cleanupInventories, expectInputError, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory: errors name file, line and key', () => {
  after(cleanupInventories);

  it('a source that does not exist', async () => {
    await expectInputError(inventoryFrom({}, ['missing/hosts']), { file: 'missing/hosts', message: /does not exist/ });
  });

  it('a YAML syntax error, with 1-based line and column', async () => {
    await expectInputError(inventoryFrom({ 'h.yml': 'all:\n  hosts:\n    a: [1, 2\n  vars: {}\n' }, ['h.yml']), {
      file: 'h.yml',
      line: 4,
      column: 3,
      message: /YAML syntax error/,
    });
  });

  it("YAML 'hosts' that is not a mapping", async () => {
    await expectInputError(inventoryFrom({ 'h.yml': 'all:\n  children:\n    web:\n      hosts:\n        - w1\n' }, ['h.yml']), {
      file: 'h.yml',
      line: 4,
      key: 'all.children.web.hosts',
      message: /must be a mapping, got a list/,
    });
  });

  it('a YAML group that is not a mapping, and an unknown key', async () => {
    await expectInputError(inventoryFrom({ 'h.yml': 'web:\n  hosts: {w1: }\ndb: 3\n' }, ['h.yml']), {
      file: 'h.yml',
      line: 3,
      key: 'db',
    });
    await expectInputError(inventoryFrom({ 'h.yml': 'web:\n  hosts: {w1: }\n  host_vars:\n    w1: {a: 1}\n' }, ['h.yml']), {
      file: 'h.yml',
      line: 3,
      key: 'web.host_vars',
      message: /only hosts, vars and children/,
    });
  });

  it('YAML host vars that are not a mapping', async () => {
    await expectInputError(inventoryFrom({ 'h.yml': 'web:\n  hosts:\n    w1: oops\n' }, ['h.yml']), {
      file: 'h.yml',
      line: 3,
      key: 'web.hosts.w1',
    });
  });

  it('a bad host range, in INI and in YAML', async () => {
    await expectInputError(inventoryFrom({ hosts: '[g]\nok\nnode[01:100]\n' }, ['hosts']), {
      file: 'hosts',
      line: 3,
      message: /same width/,
    });
    await expectInputError(inventoryFrom({ 'h.yml': 'g:\n  hosts:\n    n[3]:\n' }, ['h.yml']), {
      file: 'h.yml',
      line: 3,
      key: 'g.hosts.n[3]',
      message: /begin:end/,
    });
  });

  it('a group that is its own ancestor', async () => {
    await expectInputError(inventoryFrom({ hosts: '[a:children]\nb\n[b:children]\nc\n[c:children]\na\n' }, ['hosts']), {
      file: 'hosts',
      line: 6,
      key: 'a',
      message: /own ancestor/,
    });
    await expectInputError(inventoryFrom({ hosts: '[a:children]\na\n' }, ['hosts']), { file: 'hosts', line: 2, key: 'a' });
    // b's children are read first (a under b), so the loop shows when b goes under a.
    await expectInputError(inventoryFrom({ 'h.yml': 'a:\n  children:\n    b:\n      children:\n        a:\n' }, ['h.yml']), {
      file: 'h.yml',
      line: 3,
      key: 'b',
      message: /own ancestor/,
    });
  });

  it('INI children naming an undeclared group, and vars of an undeclared group', async () => {
    await expectInputError(inventoryFrom({ hosts: '[a:children]\nb\nnope\n[b]\nh\n' }, ['hosts']), {
      file: 'hosts',
      line: 3,
      key: 'nope',
      message: /\[a:children\] names group 'nope'/,
    });
    await expectInputError(inventoryFrom({ hosts: '[a]\nh\n[ghost:vars]\nx=1\n' }, ['hosts']), { file: 'hosts', line: 3, key: 'ghost' });
  });

  it('INI lines that are not what their section expects', async () => {
    await expectInputError(inventoryFrom({ hosts: '[g]\nh1 novalue\n' }, ['hosts']), { file: 'hosts', line: 2, message: /word 2 of the host line is not a key=value/ });
    await expectInputError(inventoryFrom({ hosts: '[g:vars]\nnot an assignment\n[g]\n' }, ['hosts']), { file: 'hosts', line: 2 });
    await expectInputError(inventoryFrom({ hosts: '[g:hostz]\n' }, ['hosts']), { file: 'hosts', line: 1, key: 'g' });
    await expectInputError(inventoryFrom({ hosts: '\n[bad name]\n' }, ['hosts']), { file: 'hosts', line: 2, message: /invalid section/ });
    await expectInputError(inventoryFrom({ hosts: '[g]\nh1 a="open\n' }, ['hosts']), { file: 'hosts', line: 2, message: /No closing quotation/ });
    await expectInputError(inventoryFrom({ hosts: '[g]\nh1:\n' }, ['hosts']), { file: 'hosts', line: 2, message: /invalid host: a trailing ':'/ });
    await expectInputError(inventoryFrom({ hosts: '[g:vars]\nansible_group_priority=high\n[g]\n' }, ['hosts']), {
      file: 'hosts',
      line: 2,
      key: 'ansible_group_priority',
    });
  });

  it('a group_vars or host_vars file that is not a mapping', async () => {
    await expectInputError(inventoryFrom({ 'inv/hosts': 'h\n', 'inv/host_vars/h.yml': '- a\n- b\n' }, ['inv/hosts']), {
      file: 'inv/host_vars/h.yml',
      line: 1,
      message: /must be a mapping/,
    });
    await expectInputError(inventoryFrom({ hosts: 'h\n', 'group_vars/all/x.yml': 'just text\n' }, ['hosts']), {
      file: 'group_vars/all/x.yml',
      line: 1,
    });
  });

  it('a YAML syntax error in a vars file', async () => {
    await expectInputError(inventoryFrom({ hosts: 'h\n', 'group_vars/all.yml': 'a: 1\nb: "open\n' }, ['hosts']), {
      file: 'group_vars/all.yml',
      line: 3,
    });
  });

  it('unsupported sources', async () => {
    await expectInputError(inventoryFrom({ 'h.yml': 'plugin: aws_ec2\n' }, ['h.yml']), { file: 'h.yml', line: 1, key: 'plugin' });
    await expectInputError(inventoryFrom({ 'h.toml': '[web]\n' }, ['h.toml']), { file: 'h.toml', line: 1 });
    await expectInputError(inventoryFrom({ 'h.yml': '- a\n' }, ['h.yml']), { file: 'h.yml', line: 1 });
  });
});
