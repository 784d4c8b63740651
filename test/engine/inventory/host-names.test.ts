/**
 * Issue 13 row 13: inventory host names follow Ansible's hostname rule (or are addresses), so a
 * name never carries a newline (a keepalived vrrp_script) or a space (a second /etc/hosts name)
 * into a config. Refused as input (exit 2) at the host's line, without quoting the name.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInventoryHostName } from '../../../engine/inventory/host-name.js';
import { runPlay } from '../../helpers/run-play.js';
import { dedent } from './helpers/temp-tree.js';
import { cleanupInventories, expectInputError, inventoryFrom } from './helpers/inventory-fixture.js';

describe('inventory host names', () => {
  after(cleanupInventories);

  it("takes Ansible's hostnames and addresses", () => {
    for (const name of ['lb1', 'web-01', 'db_1', '_internal', 'node.example.test', 'bücher', '10.0.0.1', 'fe80::1', '2001:db8::10']) {
      expect(isInventoryHostName(name), name).to.equal(true);
    }
    for (const name of ['lb1 evil.example.test', 'lb1\n  vrrp_script x', '-lead', 'trail-', 'trail_', 'a..b', '', 'a/b', "o'q", 'x'.repeat(254)]) {
      expect(isInventoryHostName(name), JSON.stringify(name)).to.equal(false);
    }
  });

  it('refuses a quoted INI name with a space at its line, never quoting it', async () => {
    const err = await expectInputError(inventoryFrom({ hosts: '[lb]\nlb1\n"lb2 evil.example.test" ansible_host=10.0.0.12\n' }, ['hosts']), {
      file: 'hosts',
      line: 3,
      message: /invalid host name/,
    });
    expect(err.message).not.to.contain('evil');
  });

  it('refuses a YAML name with a newline or a space at its line, never quoting it', async () => {
    const yaml = dedent(`
      all:
        children:
          lb:
            hosts:
              lb1: {}
              "lb2\\n  vrrp_script evil {": {}
    `);
    const err = await expectInputError(inventoryFrom({ 'hosts.yml': yaml }, ['hosts.yml']), { file: 'hosts.yml', line: 6, message: /invalid host name/ });
    expect(err.message).not.to.contain('evil');
  });

  it('play exits 2 before contacting any host, and does not echo the name', async function () {
    this.timeout(30000);
    const dir = mkdtempSync(join(tmpdir(), 'play-hostname-'));
    try {
      writeFileSync(join(dir, 'hosts'), '[lb]\n"lb1 evil.example.test" ansible_host=192.0.2.1\n');
      writeFileSync(join(dir, 'p.yml'), '- hosts: all\n  roles: []\n');
      const run = await runPlay(['p.yml', '-i', 'hosts', '--syntax-check'], { cwd: dir });
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(/hosts:2: invalid host name/);
      expect(run.stdout + run.stderr).not.to.contain('evil');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
