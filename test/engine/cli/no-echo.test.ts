/**
 * Input errors never print the offending value or line (issue 13, row 6): each case puts a marker
 * inside a bad value, line or file, through the real `play` command, and checks that the run is
 * refused (exit 2) on the error meant (message), naming where, and that the marker appears
 * nowhere in what play printed.
 *
 * Not values, and so still named in errors: host, group, variable, section and role names, and
 * the name a template uses that is undefined (what the user must fix). Numbers play a marker
 * as 987654.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FIXTURE_ROLES, REPO_ROOT, runPlay } from '../../helpers/run-play.js';

const MARK = 'Mk7Secret';
const NUMBER_MARK = '987654';
const LAB = join(REPO_ROOT, 'inventories/lab');

interface Case {
  readonly title: string;
  readonly files?: Readonly<Record<string, string>>;
  /** Files that are symlinks: name -> target (relative to the temp dir). */
  readonly links?: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  /** The error meant, with where it names. */
  readonly message: RegExp;
}

const GOOD_INI = '[web]\nweb1 ansible_host=198.51.100.7 demo_dir=/tmp/x demo_password=xxxxxxxx\n';
const demo = (inventory: string, ...more: string[]): string[] => ['good.yml', '-i', inventory, '--syntax-check', ...more];
/** A role variable of the real LB roles, set on the command line against the lab inventory. */
const lbVar = (json: Record<string, unknown>): string[] => ['lb.yml', '-i', LAB, '--syntax-check', '-e', JSON.stringify(json)];

const CASES: readonly Case[] = [
  // INI inventories
  { title: 'a [lb:vars] line without =', files: { 'i.ini': `[lb]\nlb1\n[lb:vars]\nkeepalived_auth_pass ${MARK}\n` }, args: demo('i.ini'), message: /i\.ini:4: a line of \[lb:vars\] must be key=value/ },
  { title: 'a host line word without =', files: { 'i.ini': `[web]\nweb1 ansible_host=10.0.0.1 ${MARK}\n` }, args: demo('i.ini'), message: /i\.ini:2: word 3 of the host line is not a key=value/ },
  { title: 'a host line with an open quote', files: { 'i.ini': `[web]\nweb1 ansible_become_password="${MARK}\n` }, args: demo('i.ini'), message: /i\.ini:2: cannot parse the host line/ },
  { title: 'a bad section header', files: { 'i.ini': `[web ${MARK}]\nweb1\n` }, args: demo('i.ini'), message: /i\.ini:1: invalid section header/ },
  { title: 'a bad [g:children] line', files: { 'i.ini': `[web]\nweb1\n[all2:children]\nweb ${MARK}\n` }, args: demo('i.ini'), message: /i\.ini:4: a line of \[all2:children\] must be one group name/ },
  { title: 'a host with a trailing colon', files: { 'i.ini': `[web]\n${MARK}:\n` }, args: demo('i.ini'), message: /i\.ini:2: invalid host: a trailing ':'/ },
  { title: 'a bad host range', files: { 'i.ini': `[web]\nweb[1:${MARK}]\n` }, args: demo('i.ini'), message: /i\.ini:2: bad host range/ },
  { title: 'a bad ansible_group_priority', files: { 'i.ini': `[web]\nweb1\n[web:vars]\nansible_group_priority=${MARK}\n` }, args: demo('i.ini'), message: /i\.ini:4: key 'ansible_group_priority': must be an integer/ },
  // connection variables
  { title: 'a bad ansible_port', files: { 'i.ini': `[web]\nweb1 ansible_port=${MARK} demo_dir=/tmp/x demo_password=xxxxxxxx\n` }, args: demo('i.ini'), message: /i\.ini:2: key 'ansible_port': host 'web1': must be a port number/ },
  { title: 'a bad ansible_become', files: { 'i.ini': `[web]\nweb1 ansible_become=${MARK} demo_dir=/tmp/x demo_password=xxxxxxxx\n` }, args: demo('i.ini'), message: /key 'ansible_become': host 'web1': must be a boolean/ },
  { title: 'a bad ansible_connection', files: { 'i.ini': `[web]\nweb1 ansible_connection=${MARK} demo_dir=/tmp/x demo_password=xxxxxxxx\n` }, args: demo('i.ini'), message: /key 'ansible_connection': host 'web1': must be 'ssh' or 'local'/ },
  { title: 'ssh args that do not split', files: { 'i.ini': `[web]\nweb1 demo_dir=/tmp/x demo_password=xxxxxxxx\n[web:vars]\nansible_ssh_common_args=-o "${MARK}\n` }, args: demo('i.ini'), message: /i\.ini:4: key 'ansible_ssh_common_args': host 'web1': cannot be split like a shell line/ },
  { title: 'a host list entry that is no host name', args: demo(`web1,${MARK} x,`), message: /-i host list, entry 2: invalid host name/ },
  // YAML inventories and vars files
  { title: 'a YAML group that is a string', files: { 'i.yml': `all: ${MARK}\n` }, args: demo('i.yml'), message: /i\.yml:1: key 'all': group 'all' must be a mapping \(hosts, vars, children\), got a string/ },
  { title: 'a YAML host that maps to a string', files: { 'i.yml': `all:\n  hosts:\n    web1: ${MARK}\n` }, args: demo('i.yml'), message: /i\.yml:3: key 'all\.hosts\.web1': host 'web1' must map to its variables, got a string/ },
  { title: 'an unknown alias in YAML', files: { 'i.yml': `all:\n  vars:\n    x: *${MARK}\n` }, args: demo('i.yml'), message: /i\.yml:3:\d+: YAML syntax error: unidentified alias/ },
  { title: 'an unknown tag in YAML', files: { 'i.yml': `all:\n  vars:\n    x: !${MARK} y\n` }, args: demo('i.yml'), message: /i\.yml:3:\d+: YAML syntax error: unknown tag/ },
  {
    title: 'a group_vars file that is not YAML',
    files: { 'inv/hosts': GOOD_INI, 'inv/group_vars/web.yml': `root:x:0:0:${MARK}:/root:/bin/bash\n{ nope: [\n` },
    args: demo('inv/hosts'),
    message: /inv\/group_vars\/web\.yml:\d+:\d+: YAML syntax error/,
  },
  {
    title: 'a symlinked group_vars file holding text, not a mapping',
    files: { 'inv/hosts': GOOD_INI, 'passwd': `root:x:0:0:${MARK}:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n` },
    links: { 'inv/group_vars/all': '../../passwd' },
    args: demo('inv/hosts'),
    message: /inv\/group_vars\/all:1: a variables file must be a mapping of names to values, got a string/,
  },
  // -e
  { title: '-e word without =', args: demo('hosts.ini', '-e', `a=1 ${MARK}`), message: /-e #1: word 2 is not key=value/ },
  { title: '-e with an open quote', args: demo('hosts.ini', '-e', `a='${MARK}`), message: /-e #1: unterminated ' quote/ },
  { title: '-e YAML that does not parse', args: demo('hosts.ini', '-e', `{"a": "${MARK}"`), message: /-e #1:\d+:\d+: YAML syntax error/ },
  { title: '-e YAML that is not a mapping', args: demo('hosts.ini', '-e', `[${MARK}]`), message: /-e #1: inline extra vars must be a mapping/ },
  { title: '-e @file with an unknown alias', files: { 'x.yml': `a: *${MARK}\n` }, args: demo('hosts.ini', '-e', '@x.yml'), message: /x\.yml:1:\d+: YAML syntax error/ },
  { title: '-e @file that is not a mapping', files: { 'x.yml': `- ${MARK}\n` }, args: demo('hosts.ini', '-e', '@x.yml'), message: /x\.yml:1: extra vars file must hold a mapping/ },
  // playbooks
  { title: 'a bad serial', files: { 'p.yml': `- hosts: web\n  serial: ${MARK}\n  roles: [demo]\n` }, args: ['p.yml', '-i', 'hosts.ini', '--syntax-check'], message: /p\.yml:2: key '0\.serial': serial must be/ },
  { title: 'a bad any_errors_fatal', files: { 'p.yml': `- hosts: web\n  any_errors_fatal: ${MARK}\n  roles: [demo]\n` }, args: ['p.yml', '-i', 'hosts.ini', '--syntax-check'], message: /p\.yml:2: key '0\.any_errors_fatal': must be true or false/ },
  // typed role variables (the demo fixture and the real LB roles)
  { title: 'a role boolean', args: demo('hosts.ini', '-e', `demo_enabled=${MARK}`), message: /-e #1: key 'demo_enabled': must be a boolean, got a string/ },
  { title: 'an integer out of range', args: lbVar({ keepalived_router_id: Number(NUMBER_MARK) }), message: /-e #1: key 'keepalived_router_id': must be <= 255/ },
  { title: 'an integer that is text', args: lbVar({ keepalived_advert_int: MARK }), message: /key 'keepalived_advert_int': must be an integer, got a string/ },
  { title: 'one of a few words', args: lbVar({ keepalived_check: MARK }), message: /key 'keepalived_check': must be one of haproxy, apiserver/ },
  { title: 'an IPv4 address', args: lbVar({ apiserver_vip: `10.0.0.${MARK}` }), message: /key 'apiserver_vip': must be an IPv4 address/ },
  { title: 'an interface name', args: lbVar({ keepalived_interface: `${MARK}/eth0` }), message: /key 'keepalived_interface': must be an interface name/ },
  { title: 'an item of a list of interfaces', args: lbVar({ keepalived_track_interfaces: [`${MARK}/0`] }), message: /-e #1: key 'keepalived_track_interfaces\[0\]': is not an interface name/ },
  { title: 'an extra VIP', args: lbVar({ keepalived_vips: [`${MARK}/24`] }), message: /key 'keepalived_vips\[0\]': must be an IPv4 address/ },
  { title: 'a haproxy bind address', args: lbVar({ haproxy_bind_address: MARK }), message: /key 'haproxy_bind_address': must be '\*' or an IPv4 address/ },
  { title: 'a haproxy time', args: lbVar({ haproxy_timeout_client: MARK }), message: /key 'haproxy_timeout_client': must be a haproxy time/ },
  { title: 'a group name', args: lbVar({ lb_group: `${MARK}!` }), message: /key 'lb_group': must be an inventory group name/ },
  { title: 'a DNS name', args: lbVar({ control_plane_endpoint_name: `${MARK}_x` }), message: /key 'control_plane_endpoint_name': must be a DNS name/ },
  { title: 'a notification address', args: lbVar({ keepalived_notification_email: MARK, keepalived_smtp_server: 'localhost' }), message: /key 'keepalived_notification_email': is not an email address/ },
  { title: 'a controller key that is no key and no file', args: lbVar({ ssh_trust_controller_key: `/nonexistent/${MARK}.pub` }), message: /key 'ssh_trust_controller_key': is neither a public key nor a readable file \(ENOENT\)/ },
  // vault
  { title: 'a --vault-id without a source', args: demo('hosts.ini', '--vault-id', `${MARK}@`), message: /--vault-id: expected \[LABEL@\]SOURCE/ },
];

describe('input errors never print the offending value or line', function () {
  this.timeout(60000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-no-echo-'));
    writeFileSync(join(dir, 'hosts.ini'), GOOD_INI);
    writeFileSync(join(dir, 'good.yml'), '- hosts: web\n  roles: [demo]\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    it(c.title, async () => {
      const root = mkdtempSync(join(dir, 'case-'));
      for (const [name, text] of Object.entries({ 'hosts.ini': GOOD_INI, 'good.yml': '- hosts: web\n  roles: [demo]\n', ...c.files })) {
        mkdirSync(dirname(join(root, name)), { recursive: true });
        writeFileSync(join(root, name), text);
      }
      for (const [name, target] of Object.entries(c.links ?? {})) {
        mkdirSync(dirname(join(root, name)), { recursive: true });
        symlinkSync(target, join(root, name));
      }
      const run = await runPlay([...c.args], { cwd: root, env: { PLAY_ROLES_PATH: FIXTURE_ROLES } });
      const printed = run.stdout + run.stderr;
      expect(run.code, printed).to.equal(2);
      expect(run.stderr, printed).to.match(c.message);
      expect(printed).not.to.include(MARK);
      expect(printed).not.to.include(NUMBER_MARK);
    });
  }
});
