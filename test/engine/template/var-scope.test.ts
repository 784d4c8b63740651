/**
 * Variable scopes: rendered at use and once, Ansible's SINGLE_VAR shortcut, magic variables,
 * hostvars rendered in the peer's own context, Undefined inside templates, errors naming file,
 * line and key, and secrets tainting what is rendered from them.
 */
import { expect } from 'chai';
import { VarsError } from '../../../engine/errors.js';
import { MASK, Redactor } from '../../../engine/secrets.js';
import { RunVars } from '../../../engine/template/index.js';
import type { Inventory } from '../../../engine/types.js';
import { cleanupInventories, inventoryFrom } from '../inventory/helpers/inventory-fixture.js';
import { dedent } from '../inventory/helpers/temp-tree.js';

const FILES = {
  'inv/hosts.ini': dedent(`
    [lb]
    lb1 ansible_host=10.0.0.11 prio=150
    lb2 ansible_host="{{ net }}.12" prio="{{ 100 + 40 }}"
    [masters]
    m1.example.com ansible_host=10.0.0.21
  `),
  'inv/group_vars/all.yml': dedent(`
    net: 10.0.0
    port: 6443
    nothing: null
    me: "{{ inventory_hostname }}"
    short: "{{ inventory_hostname_short }}"
    peer_me: "{{ hostvars['lb2'].me }}"
    peer_prio: "{{ hostvars['lb2']['prio'] }}"
    masters: "{{ groups['masters'] }}"
    port_alone: "{{ port }}"
    port_expr: "{{ port + 0 }}"
    nothing_alone: "{{ nothing }}"
    broken: "{{ no_such_name }}"
    rescued: "{{ broken | default('rescued') }}"
    uses_broken: "x{{ broken }}"
    self_a: "{{ self_b }}"
    self_b: "{{ self_a }}"
    vault_db_password: hunter2-db
    db_url: "postgres://app:{{ vault_db_password }}@db"
    b64: "{{ other_secret | b64encode }}"
    plain_text: just text
  `),
};

describe('variable scopes', () => {
  let inventory: Inventory;
  before(async () => {
    inventory = await inventoryFrom(FILES, ['inv/hosts.ini']);
  });
  after(cleanupInventories);

  const runVars = (redactor = new Redactor()): RunVars => new RunVars(inventory, { extraVars: { vars: {}, where: { file: '-e' } }, secrets: redactor });

  it('renders magic variables and groups', () => {
    const h = runVars().host('m1.example.com');
    expect(h.raw('me')).to.equal('m1.example.com');
    expect(h.raw('short')).to.equal('m1');
    expect(h.raw('masters')).to.deep.equal(['m1.example.com']);
    expect(h.raw('group_names')).to.deep.equal(['masters']);
  });

  it("renders a peer's variable in the peer's own context (hostvars)", () => {
    const vars = runVars();
    expect(vars.host('lb1').raw('peer_me')).to.equal('lb2');
    expect(vars.host('lb1').raw('peer_prio')).to.equal('140');
    expect(vars.view('lb2').ansible_host).to.equal('10.0.0.12');
    expect(vars.view('lb2').prio).to.equal('140');
  });

  it('keeps a lone {{ name }} of a number or None as it is; anything else becomes text', () => {
    const h = runVars().host('lb1');
    expect(h.raw('port_alone')).to.equal(6443);
    expect(h.raw('port_expr')).to.equal('6443');
    expect(h.raw('nothing_alone')).to.equal(null);
  });

  it('renders each value once per scope, and only when read', () => {
    const vars = runVars();
    const scope = vars.host('lb1');
    const engine = vars.run.engine;
    let renders = 0;
    const original = engine.render.bind(engine);
    engine.render = (source, s) => {
      renders++;
      return original(source, s);
    };
    try {
      expect(scope.raw('me')).to.equal('lb1');
      expect(scope.raw('me')).to.equal('lb1');
      expect(renders).to.equal(1);
      expect(scope.raw('plain_text')).to.equal('just text');
      expect(renders, 'a value without {{ skips the engine').to.equal(1);
    } finally {
      engine.render = original;
    }
  });

  it('lets default() rescue a variable whose template is undefined, and names it when used', () => {
    const h = runVars().host('lb1');
    expect(h.raw('rescued')).to.equal('rescued');
    for (const key of ['broken', 'uses_broken']) {
      let err: unknown;
      try {
        h.raw(key);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(VarsError);
      const message = (err as VarsError).message;
      expect(message).to.match(/^inv\/group_vars\/all\.yml:12: key 'broken': its template uses 'no_such_name', which is undefined$/);
    }
  });

  it('refuses a variable that refers to itself, naming file, line and key', () => {
    expect(() => runVars().host('lb1').raw('self_a')).to.throw(VarsError, /^inv\/group_vars\/all\.yml:15: key 'self_a': its value refers to itself \(self_a -> self_b -> self_a\)$/);
  });

  it('registers values rendered from secrets as secret, and nothing else', () => {
    const redactor = new Redactor();
    redactor.add('vault-plaintext'); // as the vault work registers decrypted values
    const vars = new RunVars(inventory, { extraVars: { vars: { other_secret: 'vault-plaintext' }, where: { file: '-e' } }, secrets: redactor });
    const h = vars.host('lb1');
    expect(h.raw('db_url')).to.equal('postgres://app:hunter2-db@db');
    expect(h.raw('b64')).to.equal(Buffer.from('vault-plaintext').toString('base64'));
    expect(h.raw('me')).to.equal('lb1');
    expect(h.isSecret('db_url') && h.isSecret('b64') && h.isSecret('vault_db_password')).to.equal(true);
    expect(h.isSecret('me')).to.equal(false);
    expect(redactor.redact(`${h.raw('db_url')} ${h.raw('b64')} lb1`)).to.equal(`${MASK} ${MASK} lb1`);
  });
});
