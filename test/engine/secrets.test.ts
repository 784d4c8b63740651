/** Issue 13 rows 7 and 8: which names are secrets, which forms of a value are masked, what -vvv shows of a script. */
import { expect } from 'chai';
import { base64Of, sh } from '../../engine/shell.js';
import { isSecretName, maskSecretVars, MASK, Redactor, summariseScript } from '../../engine/secrets.js';

describe('secrets', () => {
  it('takes names holding a secret word anywhere, in snake or camel case', () => {
    const secret = [
      'keepalived_auth_pass', 'ansible_become_password', 'db_passwd', 'rootpass', 'aws_secret_access_key', 'aws_access_key',
      'db_credentials', 'registry_creds', 'github_token', 'apiToken', 'secretAccessKey', 'client_key_data', 'vpn_psk',
      'certificate_key', 'ssh_private_key', 'encryption_key', 'my_secret', 'passphrase', 'token_value',
    ];
    for (const name of secret) expect(isSecretName(name), name).to.equal(true);
  });

  it('leaves names that only describe a secret, or hold a public key or a path', () => {
    const plain = [
      'kubeadm_token_ttl', 'ansible_ssh_private_key_file', 'vault_password_file', 'kube_package_key_url', 'ssh_trust_controller_key',
      'bypass_proxy', 'passenger_count', 'keepalived_router_id', 'tokens_enabled', 'apiserver_port', 'monkey',
    ];
    for (const name of plain) expect(isSecretName(name), name).to.equal(false);
  });

  it('masks the JSON-escaped and shell-quoted forms of a value too', () => {
    const r = new Redactor();
    const value = `it's "quoted" \\ here`;
    r.add(value);
    expect(r.redact(`raw ${value}`)).to.equal(`raw ${MASK}`);
    expect(r.redact(JSON.stringify({ v: value }))).to.equal(`{"v":"${MASK}"}`);
    expect(r.redact(sh`echo ${value}`)).to.equal(`echo '${MASK}'`);
  });

  it('registers every leaf under a secret name (a list or a mapping of credentials)', () => {
    const r = new Redactor();
    r.addFromVars({ registry_credentials: { user: 'deploy-bot', password: 'hunter22' }, tokens: ['tok-aaaa'], api_tokens: ['tok-bbbb'] });
    expect(r.redact('deploy-bot hunter22 tok-bbbb')).to.equal(`${MASK} ${MASK} ${MASK}`);
  });

  it('masks secret-named values of any length in a vars tree', () => {
    expect(maskSecretVars({ a: 1, keepalived_auth_pass: 'x', nested: [{ db_password: 12 }], empty_token: null })).to.deep.equal({
      a: 1,
      keepalived_auth_pass: MASK,
      nested: [{ db_password: MASK }],
      empty_token: null,
    });
  });

  it('summarises the content of a file write whatever its length', () => {
    const short = base64Of('pw=1234\n');
    const shown = summariseScript(sh`printf %s ${short} | base64 -d > "$tmp"`);
    expect(shown).not.to.contain(short);
    expect(shown).to.equal('printf %s <8 bytes of base64> | base64 -d > "$tmp"');
    const long = base64Of('x'.repeat(90));
    expect(summariseScript(`echo ${long}`)).to.equal('echo <90 bytes of base64>');
  });

  describe('shared values (YAML aliases), issue 13 row 10', () => {
    /** Thirty references to the same level, eight levels deep: 30^8 paths, 9 objects. */
    const dag = (leaf: unknown): Record<string, unknown> => {
      let level: unknown = leaf;
      for (let depth = 0; depth < 8; depth++) level = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, level]));
      return level as Record<string, unknown>;
    };

    it('are visited once when secrets are looked for, and a secret under a plain name first is still found', () => {
      const shared = { note: 'plain', db_password: 'Shared-Secret-1' };
      const r = new Redactor();
      r.addFromVars({ tree: dag(shared), again: dag(shared), api_token: shared });
      expect(r.redact('Shared-Secret-1 plain')).to.equal(`${MASK} ${MASK}`);
    });

    it('are masked once and copied once', () => {
      const leaf = { db_password: 'Shared-Secret-2', user: 'root' };
      const masked = maskSecretVars(dag(leaf)) as Record<string, Record<string, unknown>>;
      expect(masked.k0).to.equal(masked.k1);
      let node: unknown = masked;
      for (let depth = 0; depth < 8; depth++) node = (node as Record<string, unknown>).k29;
      expect(node).to.deep.equal({ db_password: MASK, user: 'root' });
    });
  });
});
