/** Issue 13 "Also": the CI dependency check fails on high advisories, skips loudly when the registry does not answer. */
import { expect } from 'chai';
import { auditVerdict } from './verdict.js';

const report = (vulnerabilities: Record<string, unknown>, counts: Record<string, number>) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...counts }, dependencies: { total: 136 } },
  });

describe('npm run audit: the verdict on npm audit --json', () => {
  it('passes a tree without high or critical advisories, counting the lesser ones', () => {
    expect(auditVerdict(report({}, {}))).to.deep.equal({ outcome: 'pass', line: 'npm audit: no high or critical advisories in 136 dependencies' });
    const moderate = report({ debug: { name: 'debug', severity: 'moderate', via: [{ title: 'ReDoS' }] } }, { moderate: 1, total: 1 });
    expect(auditVerdict(moderate).outcome).to.equal('pass');
    expect(auditVerdict(moderate).line).to.contain('(1 low or moderate)');
  });

  it('fails on a high or critical advisory, naming the package and the advisory', () => {
    const v = auditVerdict(
      report(
        {
          yaml: { name: 'yaml', severity: 'high', via: [{ title: 'Uncaught exception in yaml' }], fixAvailable: true },
          'brace-expansion': { name: 'brace-expansion', severity: 'critical', via: ['minimatch'], fixAvailable: false },
          debug: { name: 'debug', severity: 'low', via: [] },
        },
        { high: 1, critical: 1, low: 1, total: 3 },
      ),
    );
    expect(v.outcome).to.equal('fail');
    expect(v.line).to.equal('npm audit: FAILED, 2 package(s) with high or critical advisories');
    expect(v.outcome === 'fail' && v.details).to.deep.equal(['yaml (high): Uncaught exception in yaml, fix available (npm audit fix)', 'brace-expansion (critical)']);
  });

  it('skips, saying so, when the registry cannot be reached or has no audit endpoint', () => {
    const offline = JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'request to https://registry.npmjs.org/-/npm/v1/security/advisories/bulk failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org', detail: '' } });
    expect(auditVerdict(offline)).to.deep.equal({
      outcome: 'skip',
      line: 'npm audit: SKIPPED, the registry did not answer the audit request (ENOTFOUND): dependency advisories were NOT checked',
    });
    // What this machine's registry answers (captured): no bulk advisory endpoint.
    const noEndpoint = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405, body: '', error: { summary: '', detail: '' } });
    expect(auditVerdict(noEndpoint).outcome).to.equal('skip');
    expect(auditVerdict(noEndpoint).line).to.contain('HTTP 405');
    expect(auditVerdict('', true).outcome).to.equal('skip');
  });

  it('fails when npm itself fails for another reason or prints no report', () => {
    expect(auditVerdict(JSON.stringify({ error: { code: 'ENOLOCK', summary: 'This command requires an existing lockfile.' } })).outcome).to.equal('fail');
    expect(auditVerdict('npm ERR! something').outcome).to.equal('fail');
  });
});
