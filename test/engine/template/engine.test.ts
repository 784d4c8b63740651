/**
 * The template engine alone: each filter and test, Python's semantics where JavaScript's
 * differ, Ansible's result rule (text read back as data), and errors that quote no value.
 * Expected values are Python's and Ansible 2.14's (the parity suite checks many against the
 * real Ansible).
 */
import { expect } from 'chai';
import { TemplateEngine, TemplateSyntaxError } from '../../../engine/template/template-engine.js';
import { TemplateFailure, Undefined, UndefinedUse } from '../../../engine/template/py-values.js';

const VARS: Record<string, unknown> = {
  n: 5,
  s: 'Hello World',
  l: ['b', 'A', 'a', 'c', 'b'],
  nums: [3, 1, 2],
  d: { x: 1, y: [1, 2] },
  users: [
    { name: 'alice', uid: 1001, admin: true },
    { name: 'bob', uid: 1002, admin: false },
  ],
  none: null,
  empty: [],
  yes: 'yes',
  ip: '10.1.2.3',
};

const engine = new TemplateEngine();
const scope = { lookup: (name: string): unknown => (name in VARS ? VARS[name] : new Undefined(name)) };
const render = (template: string): unknown => engine.render(template, scope);

function fails(template: string): Error {
  try {
    render(template);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected ${template} to fail`);
}

const CASES: ReadonlyArray<readonly [string, unknown]> = [
  // references, attributes, items, Python methods
  ['{{ d.x }}', '1'],
  ["{{ d['y'][1] }}", '2'],
  ['{{ users[0].name }}', 'alice'],
  ['{{ l[-1] }}', 'b'],
  ['{{ l[1:3] }}', ['A', 'a']],
  ["{{ s.split(' ')[1].lower() }}", 'world'],
  ["{{ ip.startswith('10.') }}", true],
  ["{{ d.get('z', 'none-here') }}", 'none-here'],
  // operators
  ["{{ 'a' ~ 1 ~ true ~ none }}", 'a1TrueNone'],
  ['{{ n + 1 }}', '6'],
  ['{{ n / 2 }}', '2.5'],
  ['{{ 4 / 2 }}', '2.0'],
  ['{{ 7 // 2 }}', '3'],
  ['{{ -7 % 3 }}', '2'],
  ['{{ 2 ** 3 }}', '8'],
  ['{{ [1] + [2] }}', [1, 2]],
  ["{{ 'ab' * 2 }}", 'abab'],
  ['{{ n > 3 and n < 10 }}', true],
  ['{{ 1 < n <= 5 }}', true],
  ['{{ 1 == 1.0 }}', true],
  ["{{ '1' == 1 }}", false],
  ['{{ [1, 2] == [1, 2] }}', true],
  ["{{ 'ell' in s }}", true],
  ["{{ 'x' in d }}", true],
  ["{{ 'big' if n > 3 else 'small' }}", 'big'],
  ["{{ 'yes' if empty else 'no' }}", 'no'],
  ['{{ empty or none or 0 or "last" }}', 'last'],
  ['{{ not empty }}', true],
  ["{{ '%s=%03d' % ('x', 7) }}", 'x=007'],
  ["{{ '{}-{}'.format('a', 1) }}", 'a-1'],
  // filters
  ["{{ missing | default('x') }}", 'x'],
  ["{{ missing.deeper | d('x') }}", 'x'],
  ["{{ empty | default('x') }}", []],
  ["{{ empty | default('x', true) }}", 'x'],
  ["{{ none | default('x') }}", ''],
  ["{{ l | join(',') }}", 'b,A,a,c,b'],
  ["{{ users | join(', ', attribute='name') }}", 'alice, bob'],
  ['{{ s | lower }}', 'hello world'],
  ['{{ s | upper }}', 'HELLO WORLD'],
  ["{{ '42.7' | int }}", '42'],
  ["{{ 'x' | int(7) }}", '7'],
  ["{{ '0x1F' | int(base=16) }}", '31'],
  ['{{ yes | bool }}', true],
  ["{{ 'off' | bool }}", false],
  ['{{ nums | string }}', '[3, 1, 2]'],
  ['{{ d | length }}', '2'],
  ['{{ s | length }}', '11'],
  ['{{ l | first }}', 'b'],
  ['{{ l | last }}', 'b'],
  ["{{ s | replace('o', '0') }}", 'Hell0 W0rld'],
  ["{{ s | replace('o', '0', 1) }}", 'Hell0 World'],
  ["{{ ip | regex_replace('^(\\d+)\\.(\\d+).*$', '\\2.\\1') }}", '1.10'],
  ["{{ s | regex_replace('(?P<a>\\w+) (?P<b>\\w+)', '\\g<b> \\g<a>') }}", 'World Hello'],
  ["{{ s | regex_replace('o', 'O', ignorecase=true) }}", 'HellO WOrld'],
  ["{{ ip | split('.') }}", ['10', '1', '2', '3']],
  ['{{ "a  b c" | split }}', ['a', 'b', 'c']],
  ["{{ users | map(attribute='name') | list }}", ['alice', 'bob']],
  ["{{ users | map(attribute='missing', default='-') | list }}", ['-', '-']],
  ["{{ l | map('upper') | list }}", ['B', 'A', 'A', 'C', 'B']],
  ["{{ users | selectattr('admin') | map(attribute='uid') | list }}", [1001]],
  ["{{ nums | select('odd') | list }}", [3, 1]],
  ["{{ nums | reject('equalto', 1) | list }}", [3, 2]],
  ['{{ [0, 1, none, "", "a"] | select | list }}', [1, 'a']],
  ['{{ l | unique }}', ['b', 'A', 'c']],
  ['{{ l | unique(case_sensitive=true) }}', ['b', 'A', 'a', 'c']],
  ['{{ l | sort }}', ['A', 'a', 'b', 'b', 'c']],
  ['{{ nums | sort(reverse=true) }}', [3, 2, 1]],
  ["{{ users | sort(attribute='uid', reverse=true) | map(attribute='name') | list }}", ['bob', 'alice']],
  ['{{ d | to_json }}', '{"x": 1, "y": [1, 2]}'],
  ["{{ {'b': 1, 'a': 'é'} | to_json }}", '{"b": 1, "a": "\\u00e9"}'],
  ["{{ 'Hello' | b64encode }}", 'SGVsbG8='],
  ["{{ 'SGVsbG8=' | b64decode }}", 'Hello'],
  ['{{ nums | min }}/{{ nums | max }}/{{ nums | sum }}', '1/3/6'],
  ["{{ [[1, [2]], 3] | flatten }}", [1, 2, 3]],
  ["{{ {'a': 1} | combine({'b': 2}) }}", { a: 1, b: 2 }],
  ["{{ {'a': 1} | dict2items }}", [{ key: 'a', value: 1 }]],
  ["{{ (n > 3) | ternary('yes', 'no') }}", 'yes'],
  ['{{ "it\'s" | quote }}', "'it'\"'\"'s'"],
  ["{{ '/a/b/c.txt' | basename }}|{{ '/a/b/c.txt' | dirname }}", 'c.txt|/a/b'],
  ['{{ [1, 2, 3] | difference([2]) }}', [1, 3]],
  // tests
  ['{{ n is defined }}|{{ missing is undefined }}|{{ none is none }}', 'True|True|True'],
  ["{{ n is number }}|{{ s is string }}|{{ d is mapping }}|{{ l is sequence }}", 'True|True|True|True'],
  ["{{ s is match('Hel') }}|{{ s is search('World') }}|{{ s is match('World') }}", 'True|True|False'],
  ["{{ '1.30.2' is version('1.29.10', '>=') }}", true],
  ['{{ [1] is subset([1, 2]) }}', true],
  // blocks
  ["{% for u in users %}{{ u.name }}{% if not loop.last %},{% endif %}{% endfor %}", 'alice,bob'],
  ["{% if n > 3 %}big{% elif n > 1 %}mid{% else %}small{% endif %}", 'big'],
  ['{% set x = n * 2 %}{{ x }}', '10'],
  ['{# a comment #}kept', 'kept'],
  // Ansible's result rule
  ['{{ l }}', ['b', 'A', 'a', 'c', 'b']],
  ['{{ d }}', { x: 1, y: [1, 2] }],
  ['{{ true }}', true],
  ['x{{ l }}', "x['b', 'A', 'a', 'c', 'b']"],
  ['{{ none }}', ''],
  ["{{ '[1, true, null]' }}", [1, true, null]],
  ["{{ '[not, a, literal' }}", '[not, a, literal'],
  ['{{ [1, 2] | to_json }}', '[1, 2]'],
  ['line\n', 'line\n'],
  ['{{ n }}\n', '5\n'],
];

describe('template engine', () => {
  for (const [template, expected] of CASES) {
    it(`${template.replace(/\n/g, '\\n')} -> ${JSON.stringify(expected)}`, () => {
      expect(render(template)).to.deep.equal(expected);
    });
  }

  it('fails on an undefined name when it is used, naming it', () => {
    const err = fails('{{ nope ~ "x" }}');
    expect(err).to.be.instanceOf(UndefinedUse);
    expect((err as UndefinedUse).undef.name).to.equal('nope');
    expect(fails('{{ d.missing }}')).to.be.instanceOf(UndefinedUse).with.nested.property('undef.name', 'd.missing');
    expect(fails('{% if nope %}x{% endif %}')).to.be.instanceOf(UndefinedUse);
  });

  it('refuses bad syntax and bad types without quoting the template or a value', () => {
    const syntax = fails("{{ 'hunter2' | }}");
    expect(syntax).to.be.instanceOf(TemplateSyntaxError);
    for (const [template, reason] of [
      ["{{ s + 1 }}", /can only concatenate str \(not "int"\) to str/],
      ["{{ n + 'hunter2' }}", /unsupported operand type\(s\) for \+: 'int' and 'str'/],
      ['{{ n / 0 }}', /division by zero/],
      ["{{ s | no_such_filter }}", /filter not found: no_such_filter/],
      ["{{ lookup('file', '/etc/passwd') }}", /lookup\(\) is not supported/],
    ] as const) {
      const err = fails(template);
      expect(err, template).to.be.instanceOf(TemplateFailure);
      expect(err.message).to.match(reason);
    }
    for (const err of [syntax, fails("{{ s + 'hunter2' + 1 }}")]) expect(err.message).to.not.match(/hunter2|Hello World|\{\{/);
  });

  it('cannot read files: the environment has no loader', () => {
    expect(fails("{% include '/etc/passwd' %}")).to.be.instanceOf(TemplateFailure);
  });
});
