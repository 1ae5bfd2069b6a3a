// The chaos run's report as Markdown: one row per phase, then the audit check.
import type { ChaosReport } from './chaos-run.js';

const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || '—';

export function chaosReportMarkdown(report: ChaosReport): string {
  const o = report.options;
  const lines = [
    '# nhs-graph chaos run',
    '',
    `${o.connections} concurrent clients (closed loop, ${o.requestTimeoutMs} ms client timeout); per phase ` +
      `${o.leadSeconds} s of load, then the fault for ${o.faultSeconds} s, then up to ` +
      `${o.recoveryWaitSeconds} s for normal service. Audit trail read from ${report.audit === 'postgres' ? 'Postgres' : 'the embedded store'}.`,
    '',
    '| phase | fault | sent | with patient data | complete | errors by code | HTTP statuses | recovery after the fault | crashed |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.phases.map(
      (p) =>
        `| ${p.name} | ${p.fault}${p.restartedBy ? ` (restarted by ${p.restartedBy})` : ''} | ${p.sent} | ${p.withData} | ${p.complete} | ` +
        `${list(p.byCode)} | ${list(p.byStatus)} | ${p.recoverySeconds === null ? 'not recovered' : `${p.recoverySeconds.toFixed(2)} s`} | ` +
        `${p.crashed.join(', ') || 'none'} |`,
    ),
    '',
    '## Answers with patient data vs answers with an audit record',
    '',
    '| phase | answers with data | with an audit record | lost | undocumented errors / no answer |',
    '|---|---|---|---|---|',
    ...report.phases.map(
      (p) =>
        `| ${p.name} | ${p.withData} | ${p.audited} | ${p.withData - p.audited}` +
        `${p.unauditedSample.length ? ` (e.g. ${p.unauditedSample.slice(0, 2).join(', ')})` : ''} | ${list(p.undocumented)} |`,
    ),
    '',
    ...(report.skipped.length ? [`Skipped: ${report.skipped.join('; ')}.`, ''] : []),
  ];
  return lines.join('\n');
}
