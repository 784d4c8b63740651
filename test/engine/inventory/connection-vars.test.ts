import { expect } from 'chai';
import os from 'node:os';
import { InventoryError } from '../../../engine/errors.js';
import { connectionSpec } from '../../../engine/inventory/index.js';
import { connectionSpecs } from '../../../engine/runner/connections.js';
import { Redactor } from '../../../engine/secrets.js';
import { RunVars } from '../../../engine/template/index.js';
import type { InventoryHost } from '../../../engine/types.js';
import { cleanupInventories, inventoryFrom } from './helpers/inventory-fixture.js';

function host(vars: Record<string, unknown>): InventoryHost {
  const origins = Object.fromEntries(Object.keys(vars).map((k, i) => [k, { file: 'hosts', line: i + 1 }]));
  return { name: 'node1', vars, origins, groups: [] };
}

function failure(vars: Record<string, unknown>): InventoryError {
  try {
    connectionSpec(host(vars));
  } catch (err) {
    if (err instanceof InventoryError) return err;
    throw err;
  }
  throw new Error('expected an InventoryError');
}

describe('inventory: connection vars', () => {
  after(cleanupInventories);

  it('defaults to ssh to the inventory name', () => {
    expect(connectionSpec(host({}))).to.deep.equal({ kind: 'ssh', host: 'node1', address: 'node1', become: false, commonArgs: [] });
  });

  it('reads every ansible_* connection variable', () => {
    const spec = connectionSpec(
      host({
        ansible_host: 'node1.example.test',
        ansible_port: '2222',
        ansible_user: 'admin',
        ansible_connection: 'ssh',
        ansible_become: 'yes',
        ansible_become_user: 'root',
        ansible_ssh_private_key_file: '~/.ssh/lab',
        ansible_ssh_common_args: `-o ProxyJump="jump host" -o 'A=b c'`,
        ansible_ssh_extra_args: '-v',
      }),
    );
    expect(spec).to.deep.equal({
      kind: 'ssh',
      host: 'node1',
      address: 'node1.example.test',
      port: 2222,
      user: 'admin',
      become: true,
      becomeUser: 'root',
      privateKeyFile: `${os.homedir()}/.ssh/lab`,
      commonArgs: ['-o', 'ProxyJump=jump host', '-o', 'A=b c', '-v'],
    });
  });

  it('accepts bool-ish become values and local connections', () => {
    for (const value of [true, 'true', 'True', 'yes', '1', 1, 'on']) expect(connectionSpec(host({ ansible_become: value })).become).to.equal(true);
    for (const value of [false, 'no', '0', 0, 'off', null]) expect(connectionSpec(host({ ansible_become: value })).become).to.equal(false);
    expect(connectionSpec(host({ ansible_connection: 'local' })).kind).to.equal('local');
  });

  it('does not make localhost local unless asked', () => {
    const spec = connectionSpec({ name: 'localhost', vars: {}, origins: {}, groups: [] });
    expect(spec.kind).to.equal('ssh');
  });

  it('falls back to the older ansible_ssh_* names', () => {
    const spec = connectionSpec(host({ ansible_ssh_host: '10.0.0.9', ansible_ssh_port: 22, ansible_ssh_user: 'u' }));
    expect(spec).to.include({ address: '10.0.0.9', port: 22, user: 'u' });
  });

  it('rejects bad values naming file, line and key', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ansible_port: 'ssh' }, 'ansible_port', /port number/],
      [{ ansible_port: 70000 }, 'ansible_port', /port number/],
      [{ x: 1, ansible_connection: 'winrm' }, 'ansible_connection', /'ssh' or 'local'/],
      [{ ansible_become: 'maybe' }, 'ansible_become', /boolean/],
      [{ ansible_host: ['a'] }, 'ansible_host', /non-empty string/],
      [{ ansible_ssh_common_args: '-o "open' }, 'ansible_ssh_common_args', /No closing quotation/],
      [{ ansible_ssh_extra_args: 5 }, 'ansible_ssh_extra_args', /string of ssh arguments/],
    ];
    for (const [vars, key, reason] of cases) {
      const err = failure(vars);
      expect(err.key).to.equal(key);
      expect(err.where).to.deep.equal({ file: 'hosts', line: Object.keys(vars).indexOf(key) + 1 });
      expect(err.message).to.match(reason);
      expect(err.exitCode).to.equal(2);
    }
  });

  it('points at the inventory line the bad value came from', async () => {
    const inv = await inventoryFrom({ hosts: '[g]\nh1\nh2 ansible_port=abc\n' }, ['hosts']);
    const h2 = inv.hosts.get('h2');
    expect(h2).to.not.equal(undefined);
    expect(() => connectionSpec(h2 as InventoryHost)).to.throw(InventoryError, /^hosts:3: key 'ansible_port': host 'h2': must be a port number/);
  });

  it('reads the sudo password from ansible_become_password or its older names, rendered, as a secret', async () => {
    const inv = await inventoryFrom(
      {
        hosts: '[g]\nnew ansible_become_password="{{ vault_sudo }}"\nold ansible_become_pass=sudo-pw-2\noldest ansible_sudo_pass=sudo-pw-3\nnone\n',
        'group_vars/all.yml': 'vault_sudo: sudo-pw-1\n',
      },
      ['hosts'],
    );
    const redactor = new Redactor();
    const specOf = connectionSpecs(new RunVars(inv, { secrets: redactor }));
    expect(['new', 'old', 'oldest', 'none'].map((h) => specOf(h).becomePassword)).to.deep.equal(['sudo-pw-1', 'sudo-pw-2', 'sudo-pw-3', undefined]);
    expect(redactor.redact('sudo-pw-1 sudo-pw-2 sudo-pw-3')).to.equal('******** ******** ********');
  });

  it('an older name in a stronger layer beats the main name in a weaker one (ansible.cfg and -K < inventory < -u < -e)', async () => {
    const inv = await inventoryFrom(
      {
        hosts: [
          '[g]',
          'old ansible_ssh_user=invuser ansible_sudo_pass=inv-sudo-pw ansible_private_key_file=/inv/key',
          'plain',
          'flagged ansible_ssh_user=invuser',
          'extra ansible_user=invuser',
        ].join('\n') + '\n',
      },
      ['hosts'],
    );
    const layer = (vars: Record<string, unknown>, file: string) => ({ vars, origins: Object.fromEntries(Object.keys(vars).map((k) => [k, { file }])) });
    // What ansible.cfg (remote_user, private_key_file) and -K put below the inventory.
    const connectionDefaults = layer({ ansible_user: 'cfguser', ansible_ssh_private_key_file: '/cfg/key', ansible_become_password: 'k-sudo-pw' }, 'ansible.cfg');
    const specOf = (extra: Record<string, unknown> = {}, flags: Record<string, unknown> = {}) =>
      connectionSpecs(new RunVars(inv, { secrets: new Redactor(), connectionDefaults, connectionFlags: layer(flags, '-u'), extraVars: layer(extra, '-e') }));
    const base = specOf();
    expect(['old', 'plain'].map((h) => [base(h).user, base(h).privateKeyFile, base(h).becomePassword])).to.deep.equal([
      ['invuser', '/inv/key', 'inv-sudo-pw'],
      ['cfguser', '/cfg/key', 'k-sudo-pw'],
    ]);
    expect(specOf({}, { ansible_user: 'flaguser' })('flagged').user, '-u over the inventory\'s ansible_ssh_user').to.equal('flaguser');
    expect(specOf({ ansible_ssh_user: 'extrauser' })('extra').user, "-e ansible_ssh_user over the inventory's ansible_user").to.equal('extrauser');
  });
});
