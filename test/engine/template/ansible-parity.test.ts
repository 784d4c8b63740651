/**
 * Parity of Jinja2 in variables with the real Ansible: each case writes an inventory (INI or
 * YAML, group_vars, host_vars) to a temp dir, asks Debian's ansible-core for every host's
 * rendered values (`ansible all -c local -m debug -a var=[...]`) and compares them with
 * `play vars` on the same inventory and -e. Nothing is checked in as expected output: Ansible
 * computes it. Without ansible the suite fails under CI and is skipped, loudly, elsewhere.
 */
import { expect } from 'chai';
import { ansibleDebugVars, ansibleInventoryAvailable } from '../inventory/helpers/ansible-cli.js';
import { dedent, removeTree, writeTree } from '../inventory/helpers/temp-tree.js';
import { runPlay } from '../../helpers/run-play.js';
import { requirePrerequisite } from '../../helpers/skip.js';

/** Expressions every host renders, in group_vars/all.yml (YAML single quotes: backslashes stay). */
const EXPRESSIONS: Readonly<Record<string, string>> = {
  e_ref: '{{ cluster_name }}',
  e_attr: '{{ users[1].name }}',
  e_item: "{{ users[0]['uid'] }}",
  e_concat: "{{ cluster_name ~ '-' ~ ports[0] ~ '-' ~ flag_bool }}",
  e_fqdn: '{{ inventory_hostname }}.{{ domain }}',
  e_short: '{{ inventory_hostname_short }}',
  e_group_names: '{{ group_names }}',
  e_groups: "{{ groups['masters'] }}",
  e_group_count: "{{ groups['k8s'] | length }}",
  e_hostvars: "{{ hostvars[groups['masters'][0]]['ansible_host'] }}",
  e_hostvars_attr: "{{ hostvars['lb2'].keepalived_priority }}",
  e_peer_context: "{{ hostvars['lb1'].e_short }}",
  e_loop: "{% for h in groups['masters'] %}{{ hostvars[h].ansible_host }}{% if not loop.last %},{% endif %}{% endfor %}",
  e_arith: '{{ ports[0] + 2 * 3 - 1 }}',
  e_div: '{{ ports[1] / 2 }}',
  e_floordiv: '{{ ports[1] // 5 }}',
  e_mod: '{{ ports[0] % 10 }}',
  e_pow: '{{ 2 ** 10 }}',
  e_compare: '{{ ports[0] < ports[1] }}',
  e_compare_str: "{{ cluster_name == 'demo' and vip != '' }}",
  e_chained: '{{ 1 < ports | length <= 2 }}',
  e_ifelse: "{{ 'big' if (users | length) > 2 else 'small' }}",
  e_truthy_list: "{{ 'full' if empty_list else 'empty' }}",
  e_not: '{{ not empty_list }}',
  e_default: "{{ undefined_thing | default('fallback') }}",
  e_d_true: "{{ empty_list | d(['x'], true) }}",
  e_default_none: "{{ nothing | default('kept-none') }}",
  e_default_chain: "{{ undefined_thing.deeper | default('chained') }}",
  e_join: "{{ ports | join(',') }}",
  e_join_mixed: "{{ [1, 'a', true, none] | join('|') }}",
  e_lower_upper: "{{ (cluster_name | upper) ~ ('MiXeD' | lower) }}",
  e_int: '{{ number_text | int }}',
  e_int_math: '{{ (number_text | int) + 1 }}',
  e_bool: '{{ flag_text | bool }}',
  e_bool_false: "{{ 'off' | bool }}",
  e_string: '{{ ports | string }}',
  e_length: '{{ users | length }}',
  e_first_last: '{{ names_mixed | first }}{{ names_mixed | last }}',
  e_replace: "{{ domain | replace('.', '-') }}",
  e_regex: '{{ vip | regex_replace("^(\\d+)\\.(\\d+)\\..*$", "\\2.\\1") }}',
  e_regex_named: '{{ domain | regex_replace("(?P<first>\\w+)\\.(?P<rest>.*)", "\\g<rest>/\\g<first>") }}',
  e_split: "{{ vip.split('.') }}",
  e_split_filter: "{{ vip | split('.') | last }}",
  e_map_attr: "{{ users | map(attribute='name') | list }}",
  e_map_filter: "{{ names_mixed | map('upper') | list }}",
  e_select: "{{ users | selectattr('admin') | map(attribute='uid') | list }}",
  e_select_test: "{{ names_mixed | select('match', '^[ab]') | list }}",
  e_reject: "{{ ports | reject('equalto', 6443) | list }}",
  e_unique: '{{ names_mixed | unique }}',
  e_sort: '{{ names_mixed | sort }}',
  e_sort_attr: "{{ users | sort(attribute='uid', reverse=true) | map(attribute='name') | join(' ') }}",
  e_to_json: '{{ users[0] | to_json }}',
  e_to_json_list: "{{ [nothing, 2.5, 'é'] | to_json }}",
  e_b64: '{{ cluster_name | b64encode }}',
  e_defined: '{{ cluster_name is defined }}',
  e_undefined: '{{ nope is undefined }}',
  e_list_type: '{{ ports }}',
  e_num_expr: '{{ ports[0] }}',
  e_num_shortcut: '{{ vip_prefix }}',
  e_none_shortcut: '{{ nothing }}',
  e_str_of_list: 'ports: {{ ports }}',
  e_str_of_scalars: "{{ true }}/{{ nothing }}/{{ false ~ '' }}/{{ none ~ '' }}/{{ 2.0 ~ '' }}",
  e_dict: "{{ {'a': cluster_name, 'b': ports} }}",
  e_chain: '{{ e_ref }}-{{ e_short }}',
  e_if_block: "{% if 'masters' in group_names %}master{% else %}other{% endif %}",
  e_version: "{{ '1.30.2' is version('1.29.10', '>=') }}",
  e_slice: '{{ names_mixed[1:3] }}',
  e_format: "{{ '%s:%d' % (vip, ports[0]) }}",
  e_method: "{{ domain.upper().startswith('EXAMPLE') }}",
  e_ternary: "{{ (ports | length > 1) | ternary('multi', 'single') }}",
  e_combine: "{{ {'a': 1} | combine({'b': 2}) }}",
  e_dict2items: "{{ {'x': 1} | dict2items }}",
  e_repr: "{{ ['é', \"it's\", 'a\\\\b'] }}",
  e_json_names: "{{ '[true, null]' }}",
  e_range: "{{ range(3) | list }}",
  e_tag_seen: '{{ cluster_tag }}',
};

const ALL_VARS = dedent(`
  cluster_name: demo
  domain: example.com
  vip: 10.9.0.10
  vip_prefix: 24
  ports: [6443, 8443]
  flag_bool: true
  users:
    - {name: alice, uid: 1001, admin: true}
    - {name: bob, uid: 1002, admin: false}
    - {name: carol, uid: 1003, admin: true}
  names_mixed: [b, A, a, c, b]
  empty_list: []
  nothing: null
  flag_text: "yes"
  number_text: "42.7"
  layered: from-all
  keepalived_priority: 100
  e_nested_list: ["{{ cluster_name }}", "{{ ports[0] }}", plain]
  e_nested_dict: {name: "{{ cluster_name }}", n: "{{ ports | length }}"}
  e_layered: "{{ layered }}"
`) + Object.entries(EXPRESSIONS).map(([k, v]) => `${k}: '${v.replace(/'/g, "''")}'`).join('\n') + '\n';

const NAMES = [...Object.keys(EXPRESSIONS), 'e_nested_list', 'e_nested_dict', 'e_layered', 'layered', 'keepalived_priority', 'e_extra', 'plain_kv'];

/** -e as users write it: a JSON document with templates, and key=value pairs. */
const EXTRA_VARS = ['{"e_extra": "{{ cluster_name }}-{{ inventory_hostname_short }}"}', 'plain_kv=7'];

interface Case {
  readonly name: string;
  readonly sources: readonly string[];
  readonly files: Readonly<Record<string, string>>;
}

const CASES: readonly Case[] = [
  {
    name: 'INI inventory with group_vars and host_vars',
    sources: ['inv/hosts.ini'],
    files: {
      'inv/hosts.ini': dedent(`
        [lb]
        lb1 ansible_host=10.9.0.11 keepalived_priority=150
        lb2 ansible_host=10.9.0.12 keepalived_priority="{{ 100 + 40 }}"
        [masters]
        m1.example.com ansible_host=10.9.0.21
        m2 ansible_host=10.9.0.22 layered="{{ 'host-' ~ inventory_hostname }}"
        [workers]
        w1 ansible_host=10.9.0.31
        [k8s:children]
        masters
        workers
        [k8s:vars]
        cluster_tag="{{ cluster_name | upper }}-{{ inventory_hostname_short }}"
        [lb:vars]
        cluster_tag=lb-{{ inventory_hostname }}
      `),
      'inv/group_vars/all.yml': ALL_VARS,
      'inv/group_vars/masters.yml': 'layered: "{{ cluster_name }}-masters"\n',
      'inv/host_vars/w1.yml': 'layered: "{{ groups.workers | length }} worker"\n',
    },
  },
  {
    name: 'YAML inventory directory with nested groups',
    sources: ['inv'],
    files: {
      'inv/hosts.yml': dedent(`
        all:
          children:
            lb:
              hosts:
                lb1: {ansible_host: 10.9.0.11, keepalived_priority: 150}
                lb2: {ansible_host: 10.9.0.12, keepalived_priority: "{{ 100 + 40 }}"}
              vars:
                cluster_tag: "lb-{{ inventory_hostname }}"
            k8s:
              vars:
                cluster_tag: "{{ cluster_name | upper }}-{{ inventory_hostname_short }}"
              children:
                masters:
                  hosts:
                    m1.example.com: {ansible_host: 10.9.0.21}
                    m2: {ansible_host: 10.9.0.22}
                workers:
                  hosts:
                    w1: {ansible_host: 10.9.0.31, layered: "{{ groups.workers | length }} worker"}
      `),
      'inv/group_vars/all.yml': ALL_VARS,
      'inv/group_vars/masters/main.yml': 'layered: "{{ cluster_name }}-masters"\n',
      'inv/host_vars/m2.yml': "layered: \"{{ 'host-' ~ inventory_hostname }}\"\n",
    },
  },
];

const HOSTS = ['lb1', 'lb2', 'm1.example.com', 'm2', 'w1'];

async function playValues(root: string, sources: readonly string[], host: string): Promise<Record<string, unknown>> {
  const args = ['vars', ...sources.flatMap((s) => ['-i', s]), ...EXTRA_VARS.flatMap((e) => ['-e', e]), host, ...NAMES, '--show-secrets'];
  const run = await runPlay(args, { cwd: root });
  if (run.code !== 0) throw new Error(`play vars failed on ${host} (exit ${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('templates: parity with ansible -m debug', function () {
  this.timeout(300_000);

  before(async function () {
    requirePrerequisite(this, (await ansibleInventoryAvailable()) ? undefined : 'ansible is not installed (install ansible-core)');
  });

  it(`covers ${Object.keys(EXPRESSIONS).length} expressions`, () => {
    expect(Object.keys(EXPRESSIONS).length).to.be.at.least(30);
  });

  for (const c of CASES) {
    describe(c.name, () => {
      let root = '';
      let ansible: Map<string, Record<string, unknown>>;
      before(async () => {
        root = await writeTree(c.files);
        ansible = await ansibleDebugVars(root, c.sources, 'all', NAMES, EXTRA_VARS);
      });
      after(() => removeTree(root));

      for (const host of HOSTS) {
        it(`${host}: every value equals Ansible's`, async () => {
          const theirs = ansible.get(host);
          expect(theirs, `ansible printed nothing for ${host}`).to.not.equal(undefined);
          const ours = await playValues(root, c.sources, host);
          for (const name of NAMES) expect(ours[name], `${host}: ${name}`).to.deep.equal(theirs![name]);
        });
      }
    });
  }
});
