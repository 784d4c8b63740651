import { expect } from 'chai';
import { InputError } from '../../../engine/errors.js';
import { parseYaml } from '../../../engine/yaml/document.js';

const TEXT = `# a playbook
- name: first
  hosts: lb
  roles:
    - common
    - role: haproxy
      vars:
        haproxy_inter: 5s
- name: second
  hosts: masters
  vars:
    key: "v"
  roles:
  - kubeadm
  - { role: calico }
`;

describe('YAML documents with key lines', () => {
  const doc = parseYaml('site.yml', TEXT);
  it('finds keys and list items by path', () => {
    expect(doc.locate([0, 'hosts']).line).to.equal(3);
    expect(doc.locate([0, 'roles', 1]).line).to.equal(6);
    expect(doc.locate([0, 'roles', 1, 'vars', 'haproxy_inter']).line).to.equal(8);
    expect(doc.locate([1]).line).to.equal(9);
    expect(doc.locate([1, 'vars', 'key']).line).to.equal(12);
    expect(doc.locate([1, 'roles', 1]).line).to.equal(15);
  });
  it('reports syntax errors with file, line and column', () => {
    try {
      parseYaml('bad.yml', 'a: 1\nb: [1, 2\nc: 3\n');
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(InputError);
      expect((err as InputError).message).to.match(/^bad\.yml:\d+:\d+: YAML syntax error/);
      expect((err as InputError).exitCode).to.equal(2);
    }
  });
});
