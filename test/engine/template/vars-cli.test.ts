/**
 * Jinja2 in variables through the real CLI and planner, on a local-connection host in a temp
 * dir (the varprobe fixture role writes the values it was given): precedence of every layer,
 * laziness, errors before any host is touched, secrets derived from secrets, and the connection
 * variables (-u, -e) as the connection and the roles see them.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROLES, REPO_ROOT, runPlay, type PlayRun } from '../../helpers/run-play.js';

const env = { PLAY_ROLES_PATH: FIXTURE_ROLES };

describe('templates through the CLI', function () {
  this.timeout(60000);
  let dir: string;
  let out: string;

  const write = (files: Record<string, string>): void => {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
  };
  const recorded = (): Record<string, unknown> => JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  const playbook = (names: string[], extra = ''): string =>
    `- name: probe\n  hosts: boxes\n  vars:\n    layered: "{{ 'play-' ~ from_defaults }}"\n    from_play: play\n${extra}  roles:\n    - role: varprobe\n      vars:\n        varprobe_names: ${JSON.stringify(names)}\n        from_entry: "{{ from_play }}-entry"\n`;
  const play = (args: string[]): Promise<PlayRun> => runPlay(['p.yml', '-i', 'inv/hosts.ini', ...args], { cwd: dir, env: { ...env, XDG_RUNTIME_DIR: dir } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-tpl-'));
    out = join(dir, 'values.json');
    write({
      'inv/hosts.ini': `[boxes]\nbox1 ansible_connection=local host_level="{{ group_level }}+host"\n\n[boxes:vars]\nvarprobe_out=${out}\ngroup_level="{{ all_level }}+group"\n`,
      'inv/group_vars/all.yml': 'all_level: all\nnever_read: "{{ no_such_variable }}"\nlist_value: [a, b]\nas_list: "{{ list_value + [\'c\'] }}"\n',
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('renders with the full precedence: role defaults < inventory all < group < host < play < role vars < -e', async () => {
    write({ 'p.yml': playbook(['from_defaults', 'all_level', 'group_level', 'host_level', 'layered', 'from_entry', 'from_extra', 'as_list']) });
    const run = await play(['-e', '{"from_extra": "{{ host_level }}/-e", "from_defaults": "overridden by -e"}']);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(recorded()).to.deep.equal({
      from_defaults: 'overridden by -e',
      all_level: 'all',
      group_level: 'all+group',
      host_level: 'all+group+host',
      layered: 'play-overridden by -e',
      from_entry: 'play-entry',
      from_extra: 'all+group+host/-e',
      as_list: ['a', 'b', 'c'],
    });
  });

  it('renders a variable only when read: a broken one nobody reads does not stop the run', async () => {
    write({ 'p.yml': playbook(['all_level']) });
    const run = await play([]);
    expect(run.code, run.stderr).to.equal(0);
    expect(recorded()).to.deep.equal({ all_level: 'all' });
  });

  for (const [what, files, key, reason] of [
    ['an undefined name', { 'inv/group_vars/boxes.yml': 'x: 1\nbad: "{{ x ~ secretish_value_123 }}"\n' }, 'inv/group_vars/boxes.yml:2: key \'bad\'', /uses 'secretish_value_123', which is undefined/],
    ['a recursive definition', { 'inv/group_vars/boxes.yml': 'bad: "{{ other }}/x"\nother: "{{ bad }}/y"\n' }, "inv/group_vars/boxes.yml:1: key 'bad'", /refers to itself \(bad -> other -> bad\)/],
    ['a syntax error', { 'inv/group_vars/boxes.yml': 'ok: 1\nbad: "{{ hunter2 | }}"\n' }, "inv/group_vars/boxes.yml:2: key 'bad'", /template syntax error/],
  ] as const) {
    it(`refuses ${what} with file, line and key, exit 2, before any host is touched, quoting nothing`, async () => {
      write({ ...files, 'p.yml': playbook(['bad']) });
      for (const args of [['--syntax-check'], []]) {
        const run = await play(args);
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stderr).to.include(key);
        expect(run.stderr).to.match(reason);
        expect(run.stderr).to.not.match(/\{\{|hunter2|\/x|\/y/);
      }
      expect(existsSync(out), 'the host was touched').to.equal(false);
    });
  }

  it('masks a value derived from a secret wherever it would show (-vvv, --json)', async () => {
    write({
      'inv/group_vars/boxes.yml': 'vault_api_token: s3cr3t-t0ken-value\nderived: "{{ vault_api_token | b64encode }}"\nwrapped: "Bearer {{ vault_api_token }}"\nplain: "{{ \'not secret\' }}"\n',
      'p.yml': playbook(['derived', 'wrapped', 'plain']),
    });
    const b64 = Buffer.from('s3cr3t-t0ken-value').toString('base64');
    for (const args of [['-vvv'], ['--json'], ['--check', '--diff']]) {
      const run = await play(args);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout + run.stderr).to.not.include('s3cr3t-t0ken-value').and.not.include(b64).and.not.include('Bearer s3cr3t');
      expect(run.stdout + run.stderr).to.include('not secret');
    }
    expect(recorded()).to.deep.equal({ derived: b64, wrapped: 'Bearer s3cr3t-t0ken-value', plain: 'not secret' });
  });

  it('play vars prints rendered values, secrets masked unless --show-secrets', async () => {
    write({ 'inv/group_vars/boxes.yml': 'vault_pass: hunter2-secret\nderived: "x-{{ vault_pass }}"\n' });
    const run = await runPlay(['vars', '-i', 'inv/hosts.ini', 'box1', 'host_level', 'as_list', 'derived', 'vault_pass', 'group_names'], { cwd: dir });
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({ host_level: 'all+group+host', as_list: ['a', 'b', 'c'], derived: '********', vault_pass: '********', group_names: ['boxes'] });
    const shown = await runPlay(['vars', '-i', 'inv/hosts.ini', 'box1', 'derived', '--show-secrets'], { cwd: dir });
    expect(JSON.parse(shown.stdout)).to.deep.equal({ derived: 'x-hunter2-secret' });
    const missing = await runPlay(['vars', '-i', 'inv/hosts.ini', 'box1', 'nope'], { cwd: dir });
    expect(missing.code).to.equal(2);
  });

  describe("the README's examples", () => {
    it('play vars on the dedicated-lb-pair example', async () => {
      const run = await runPlay(['vars', '-i', 'inventories/examples/dedicated-lb-pair', 'lb1', 'keepalived_vips', 'control_plane_endpoint_name'], { cwd: REPO_ROOT });
      expect(run.code, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout)).to.deep.equal({
        keepalived_vips: [{ address: '192.168.0.10', prefix: 24, device: 'ens33' }],
        control_plane_endpoint_name: 'k8s-api',
      });
    });

    it('the group_vars example of the inventory section renders as it says', async () => {
      const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
      const example = /```yaml\n# group_vars\/all\.yml\n([\s\S]*?)```/.exec(readme)?.[1];
      expect(example, 'the README lost its group_vars example').to.be.a('string');
      write({ 'inv/hosts.ini': '[lb]\nlb1 ansible_host=192.0.2.11\n', 'inv/group_vars/all.yml': example! });
      const run = await runPlay(['vars', '-i', 'inv/hosts.ini', '-e', 'vault_keepalived_pass=pw-from-vault', 'lb1', 'control_plane_endpoint_name', 'keepalived_auth_pass', 'apiserver_vip'], { cwd: dir });
      expect(run.code, run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout)).to.deep.equal({ control_plane_endpoint_name: 'api.k8s.example.com', keepalived_auth_pass: '********', apiserver_vip: '192.0.2.10' });
    });
  });

  describe('connection variables', () => {
    /**
     * An ssh host whose ProxyCommand writes the user, address and port ssh was asked for, then
     * fails: what the connection really uses, with no packet sent anywhere.
     */
    const sshHost = (extra: string): string => {
      const seen = join(dir, 'seen');
      const proxy = `sh -c 'echo %r@%h:%p >> ${seen}; exit 1'`;
      return `far ansible_host="{{ '10.255.0.' ~ 7 }}" ansible_user=alice ansible_port=2222 ansible_ssh_common_args="-F /dev/null -o ProxyCommand=\\"${proxy}\\"" ${extra}`;
    };
    const seen = (): string[] => readFileSync(join(dir, 'seen'), 'utf8').trim().split('\n');

    beforeEach(() => {
      write({
        'inv/hosts.ini': `[boxes]\nbox1 ansible_connection=local ansible_user=inventory-user\n${sshHost('')}\n\n[boxes:vars]\nvarprobe_out=${out}\n`,
        'p.yml': playbook(['ansible_user', 'kube_admin_user']).replace('  vars:\n', '  vars:\n    kube_admin_user: "{{ ansible_user }}"\n'),
      });
    });

    it('inventory values, rendered, reach the connection and the roles', async () => {
      const run = await play([]);
      expect(run.code, run.stderr).to.equal(4);
      expect(seen()).to.deep.equal(['alice@10.255.0.7:2222']);
      expect(recorded()).to.deep.equal({ ansible_user: 'inventory-user', kube_admin_user: 'inventory-user' });
    });

    it('-u beats the inventory user (play\'s rule), and the roles see that user', async () => {
      const run = await play(['-u', 'bob']);
      expect(run.code, run.stderr).to.equal(4);
      expect(seen()).to.deep.equal(['bob@10.255.0.7:2222']);
      expect(recorded()).to.deep.equal({ ansible_user: 'bob', kube_admin_user: 'bob' });
    });

    it('-e wins over -u and the inventory for every connection variable, templates included', async () => {
      const run = await play(['-u', 'bob', '-e', '{"ansible_user": "carol", "ansible_port": 2200, "ansible_host": "{{ \'10.255.0.\' ~ 9 }}"}']);
      expect(run.code, run.stderr).to.equal(4);
      expect(seen()).to.deep.equal(['carol@10.255.0.9:2200']);
      expect(recorded()).to.deep.equal({ ansible_user: 'carol', kube_admin_user: 'carol' });
    });

    it('roles see the user the connection uses even when play vars set another one', async () => {
      write({ 'p.yml': playbook(['ansible_user']).replace('  vars:\n', '  vars:\n    ansible_user: play-var-user\n') });
      const run = await play([]);
      expect(run.code, run.stderr).to.equal(4);
      expect(seen()).to.deep.equal(['alice@10.255.0.7:2222']);
      expect(recorded()).to.deep.equal({ ansible_user: 'inventory-user' });
    });

    it('a bad rendered connection value is refused with file, line and key before any host is touched', async () => {
      const run = await play(['-e', 'ansible_port="{{ 70000 + 1 }}"']);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(/-e #1: key 'ansible_port': host '(box1|far)': must be a port number/);
      expect(existsSync(join(dir, 'seen'))).to.equal(false);
      expect(existsSync(out)).to.equal(false);
    });
  });
});
