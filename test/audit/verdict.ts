/**
 * The dependency check CI runs (`npm run audit`): what `npm audit --json` says, turned into a
 * verdict. High and critical advisories fail the run; a registry that does not answer (offline,
 * or a mirror without the audit endpoint) skips the check with a line saying so, because then
 * nothing is known either way; any other npm error fails, so a broken check is never silent.
 */
export type AuditVerdict =
  | { readonly outcome: 'pass'; readonly line: string }
  | { readonly outcome: 'skip'; readonly line: string }
  | { readonly outcome: 'fail'; readonly line: string; readonly details: readonly string[] };

/** Severities that fail the check. */
export const FAILING = ['high', 'critical'] as const;

/** npm's codes for a registry it could not talk to. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'EPROTO']);

interface AuditReport {
  vulnerabilities?: Record<string, { name?: string; severity?: string; via?: unknown[]; fixAvailable?: unknown }>;
  metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { total?: number } };
  error?: { code?: string; summary?: string };
  statusCode?: number;
  code?: string;
  message?: string;
}

function titlesOf(via: unknown[] | undefined): string {
  const titles = (via ?? []).flatMap((v) => (typeof v === 'object' && v !== null && 'title' in v ? [String((v as { title: unknown }).title)] : []));
  return titles.length ? `: ${[...new Set(titles)].join('; ')}` : '';
}

/** `stdout` of `npm audit --json`; `timedOut` when npm did not finish in time (a registry that hangs). */
export function auditVerdict(stdout: string, timedOut = false): AuditVerdict {
  if (timedOut) return { outcome: 'skip', line: 'npm audit: SKIPPED, the registry did not answer in time: dependency advisories were NOT checked' };
  let report: AuditReport;
  try {
    report = JSON.parse(stdout) as AuditReport;
  } catch {
    return { outcome: 'fail', line: 'npm audit: FAILED, its output is not JSON', details: [stdout.trim().split('\n').slice(-5).join('\n')] };
  }
  const counts = report.metadata?.vulnerabilities;
  if (report.vulnerabilities && counts) {
    const bad = Object.values(report.vulnerabilities).filter((v) => (FAILING as readonly string[]).includes(v.severity ?? ''));
    const total = report.metadata?.dependencies?.total;
    const lesser = (counts.low ?? 0) + (counts.moderate ?? 0) + (counts.info ?? 0);
    if (bad.length === 0) {
      return { outcome: 'pass', line: `npm audit: no high or critical advisories${total !== undefined ? ` in ${total} dependencies` : ''}${lesser ? ` (${lesser} low or moderate)` : ''}` };
    }
    return {
      outcome: 'fail',
      line: `npm audit: FAILED, ${bad.length} package(s) with high or critical advisories`,
      details: bad.map((v) => `${v.name ?? '?'} (${v.severity})${titlesOf(v.via)}${v.fixAvailable ? ', fix available (npm audit fix)' : ''}`),
    };
  }
  const code = report.error?.code ?? report.code;
  const requestFailed = /^request to \S+ failed/.test(report.error?.summary ?? '');
  if (report.statusCode !== undefined || (code !== undefined && UNREACHABLE.has(code)) || requestFailed) {
    const why = report.statusCode !== undefined ? `HTTP ${report.statusCode}` : code;
    return { outcome: 'skip', line: `npm audit: SKIPPED, the registry did not answer the audit request (${why}): dependency advisories were NOT checked` };
  }
  return { outcome: 'fail', line: `npm audit: FAILED (${code ?? 'no report'})`, details: [report.error?.summary ?? report.message ?? ''] };
}
