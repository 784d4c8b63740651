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
});
