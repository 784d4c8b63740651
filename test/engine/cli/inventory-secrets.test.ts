/** Issue 13 row 9: `play inventory --list/--host` mask secrets like every other output; --show-secrets shows them. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlay } from '../../helpers/run-play.js';

const PASS = 'vrrp-Pw7';
const DB = 'db"pa\\ss';
const SHORT = 'ab';

describe('play inventory masks secrets', function () {
  this.timeout(30000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'play-inv-secrets-'));
    writeFileSync(
      join(dir, 'hosts.yml'),
      [
        'all:',
        '  vars:',
        `    keepalived_auth_pass: ${PASS}`,
        `    mirror_url: "https://bot:${PASS}@mirror.example.test/"`,
        '  children:',
        '    lb:',
        '      hosts:',
        '        lb1:',
        '          ansible_host: 192.0.2.11',
        `          registry_credentials: { user: deploy, password: ${JSON.stringify(DB)} }`,
        `          short_token: ${SHORT}`,
        '',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const mode of [['--list'], ['--host', 'lb1']]) {
    it(`${mode.join(' ')}: no secret in clear, whatever its form or length; --show-secrets prints them`, async () => {
      const masked = await runPlay(['inventory', '-i', 'hosts.yml', ...mode], { cwd: dir });
      expect(masked.code, masked.stderr).to.equal(0);
      expect(masked.stdout).not.to.contain(PASS);
      expect(masked.stdout).not.to.contain(JSON.stringify(DB).slice(1, -1));
      expect(masked.stdout).not.to.match(/"ab"/);
      const vars = (mode[0] === '--list' ? (JSON.parse(masked.stdout) as { _meta: { hostvars: Record<string, unknown> } })._meta.hostvars.lb1 : JSON.parse(masked.stdout)) as Record<string, unknown>;
      expect(vars.keepalived_auth_pass).to.equal('********');
      expect(vars.registry_credentials).to.equal('********');
      expect(vars.short_token).to.equal('********');
      expect(vars.mirror_url).to.equal('https://bot:********@mirror.example.test/');
      expect(vars.ansible_host, 'other values stay').to.equal('192.0.2.11');

      const clear = await runPlay(['inventory', '-i', 'hosts.yml', ...mode, '--show-secrets'], { cwd: dir });
      expect(clear.code, clear.stderr).to.equal(0);
      expect(clear.stdout).to.contain(PASS);
    });
  }
});
