import { expect } from 'chai';
import { InputError, PlaybookError } from '../../../engine/errors.js';
import { parseYaml } from '../../../engine/yaml/load.js';

const loadYamlText = (text: string, file: string): unknown => parseYaml(text, file).data;

describe('YAML: one loader, YAML 1.1 scalars (as PyYAML reads them)', () => {
  it('reads booleans, octal, sexagesimal, floats and nulls like PyYAML', () => {
    const doc = loadYamlText(
      [
        'b1: yes', 'b2: Off', 'b3: y', 'o1: 0755', 'o2: 0o755', 's1: 1:20', 'f1: 1e5', 'f2: 1.0e+5', 'f3: .5',
        'i1: 1_000', 'x1: 0x1f', 'bin: 0b101', 'n1: ~', 'n2:', 'str: !!str 123', 'u: !unsafe "{{ x }}"',
      ].join('\n'),
      'f.yml',
    );
    expect(doc).to.deep.equal({
      b1: true, b2: false, b3: 'y', o1: 493, o2: '0o755', s1: 80, f1: '1e5', f2: 100000, f3: 0.5,
      i1: 1000, x1: 31, bin: 5, n1: null, n2: null, str: '123', u: '{{ x }}',
    });
  });
  it('turns dates into the ISO text ansible-inventory prints', () => {
    expect(loadYamlText('d: 2024-01-02\nt: 2024-01-02 10:11:12\nz: 2024-01-02T10:11:12.5Z\n', 'f.yml')).to.deep.equal({
      d: '2024-01-02',
      t: '2024-01-02T10:11:12',
      z: '2024-01-02T10:11:12.500000+00:00',
    });
  });
  it('merges << keys and keeps the last duplicate key', () => {
    expect(loadYamlText('base: &b {k: 1, j: 2}\nm:\n  <<: *b\n  j: 3\nd: 1\nd: 2\n', 'f.yml')).to.deep.equal({
      base: { k: 1, j: 2 },
      m: { k: 1, j: 3 },
      d: 2,
    });
  });
  it('reads JSON as JSON first (1e5 is a number there)', () => {
    expect(loadYamlText('{"a": 1e5, "b": "yes"}', 'f.json')).to.deep.equal({ a: 100000, b: 'yes' });
  });
  it('reports a syntax error with 1-based line and column', () => {
    let caught: unknown;
    try {
      loadYamlText('a: 1\nb: [1, 2\nc: 3\n', 'bad.yml');
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(InputError);
    const err = caught as InputError;
    expect(err.exitCode).to.equal(2);
    expect(err.where?.file).to.equal('bad.yml');
    expect(err.where?.line).to.be.a('number').greaterThan(1);
    expect(err.where?.column).to.be.a('number').greaterThan(0);
    expect(err.message).to.match(/^bad\.yml:\d+:\d+: YAML syntax error/);
  });
  it("raises the caller's error class", () => {
    expect(() => parseYaml('a: [1\n', 'p.yml', { errorType: PlaybookError })).to.throw(PlaybookError, /^p\.yml:2:1: YAML syntax error/);
  });
});

const PLAYBOOK = `# a playbook
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

describe('YAML documents: the line of a key path', () => {
  const doc = parseYaml(PLAYBOOK, 'site.yml');
  it('finds keys and list items by path', () => {
    expect(doc.locate([0, 'hosts']).line).to.equal(3);
    expect(doc.locate([0, 'roles', 1]).line).to.equal(6);
    expect(doc.locate([0, 'roles', 1, 'vars', 'haproxy_inter']).line).to.equal(8);
    expect(doc.locate([1]).line).to.equal(9);
    expect(doc.locate([1, 'vars', 'key']).line).to.equal(12);
    expect(doc.locate([1, 'roles', 1]).line).to.equal(15);
  });
  it('locates keys of a JSON document too', () => {
    const json = parseYaml('{\n  "a": 1,\n  "b": {\n    "c": 2\n  }\n}\n', 'v.json');
    expect(json.data).to.deep.equal({ a: 1, b: { c: 2 } });
    expect(json.locate(['b', 'c'])).to.deep.equal({ file: 'v.json', line: 4 });
  });
});
