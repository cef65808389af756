// report.html: the same report as report.md, one self-contained page (no scripts, no external
// assets: the charts are inline SVG, lab/report/charts.ts) to attach to a CI run or open from the
// results folder. Rendered only from the summary.

import type { RunSummary } from './summary.ts';
import { formatQuantity, partialTitle } from './markdown.ts';
import { formatThresholdValue } from '../analysis/thresholds.ts';
import { xmlEscape as esc } from './junit.ts';
import { faultsHtml } from '../faults/report.ts';
import { chartsHtml, decisionsHtml } from './decisionSections.ts';
import { CHART_CSS } from './charts.ts';
import { browserHtml } from './browserSection.ts';

const STATUS_CLASS: Record<string, string> = { pass: 'pass', fail: 'fail', warn: 'warn', 'not-measured': 'na' };
const STATUS_TEXT: Record<string, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', 'not-measured': 'not measured' };

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}
const td = (text: string) => `<td>${esc(text)}</td>`;
const tdStatus = (status: string) => `<td class="${STATUS_CLASS[status] ?? ''}">${esc(STATUS_TEXT[status] ?? status)}</td>`;

export function renderReportHtml(s: RunSummary): string {
  const order = { fail: 0, pass: 1, 'not-measured': 2 } as const;
  const title = `Run ${s.runId}${partialTitle(s)}`;
  const parts = [
    `<h1>${esc(title)}</h1>`,
    `<p class="verdict ${s.verdict.status}">Verdict: ${esc(s.verdict.status.toUpperCase())} (${esc(s.verdict.kind)}, exit code ${s.verdict.exitCode})</p>`,
    s.verdict.reasons.length ? `<ul>${s.verdict.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '',
    s.verdict.warnings.length ? `<ul class="warnings">${s.verdict.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '',
    '<h2>Run</h2>',
    table(['field', 'value'], [
      ['target', s.target], ['scenario', s.scenario], ['profile', s.profile],
      ['VUs', s.vus === null ? 'profile default' : String(s.vus)], ['duration', s.duration ?? 'profile default'],
      ['parallelism (runners)', String(s.parallelism)], ['base URL', s.baseUrl ?? 'the lab target service'],
      ['started', s.startedAt], ['ended', s.endedAt], ['Prometheus', s.prometheusUrl ?? '—'],
    ].map(([k, v]) => [td(k!), td(v!)])),
    '<h2>Over time</h2>',
    chartsHtml(s),
    decisionsHtml(s),
    '<h2>Across all runners</h2>',
    `<p>Requests ${s.totals.requests === null ? '—' : Math.round(s.totals.requests)} · p95 ${esc(formatQuantity(s.totals.p95Ms, 'ms'))} · p99 ${esc(formatQuantity(s.totals.p99Ms, 'ms'))} · error rate ${esc(formatQuantity(s.totals.errorRate, 'ratio'))}</p>`,
    s.endpointGroups.length ? table(['endpoint group', 'requests', 'p95', 'p99'], s.endpointGroups.map((g) =>
      [td(g.endpoint), td(String(g.requests)), td(formatQuantity(g.p95Ms, 'ms')), td(formatQuantity(g.p99Ms, 'ms'))])) : '',
    '<h2>SLAs</h2>',
    table(['SLA', 'id', 'measured', 'target', 'result', 'source'], [...s.slas].sort((a, b) => order[a.status] - order[b.status]).map((x) =>
      [td(x.title), td(x.id), td(formatQuantity(x.value, x.unit)), td(`${x.op} ${formatQuantity(x.threshold, x.unit)}`), tdStatus(x.status), td(x.source)])),
    browserHtml(s),
    '<h2>Thresholds (the scenario\'s own, across all runners)</h2>',
    s.thresholds.length ? table(['metric', 'threshold', 'across all runners', 'samples', 'result', 'how'], s.thresholds.map((t) =>
      [td(t.metric), td(`${t.expression}${t.abortOnFail ? ' (abortOnFail)' : ''}`), td(formatThresholdValue(t)), td(t.samples === null ? '—' : String(t.samples)),
        tdStatus(t.status), td(t.approximate ?? 'exact')])) : '<p>None: the scenario declares no thresholds beyond the catalogue\'s SLAs.</p>',
    '<h2>Prometheus series</h2>',
    `<p>This run made ${esc(String(s.cardinality.series ?? '—'))} series (warn at ${s.cardinality.warnSeries}, stop at ${s.cardinality.maxSeries})${
      s.cardinality.stopped ? ': the guard stopped every runner' : ''}${s.cardinality.label ? `; the label with the most values: ${esc(s.cardinality.label.name)} (${s.cardinality.label.values})` : ''}. The url tag was ${s.cardinality.urlTag ? 'on' : 'off'}.</p>`,
    s.cardinality.groupedNames.length ? table(['request name (grouped from its URL)', 'requests'], s.cardinality.groupedNames.map((g) => [td(g.name), td(String(Math.round(g.requests)))])) : '',
    '<h2>Soak checks</h2>',
    s.soakChecks.length ? table(['check', 'result', 'detail'], s.soakChecks.map((c) => [td(c.title), tdStatus(c.status), td(c.detail)])) : '<p>None for this run.</p>',
    faultsHtml(s, esc),
    '<h2>Lab checks</h2>',
    s.labChecks.length ? table(['check', 'when', 'result', 'detail'], s.labChecks.map((c) => [td(c.title), td(c.phase), tdStatus(c.ok ? 'pass' : 'fail'), td(c.detail)])) : '<p>None.</p>',
    '<h2>Runners</h2>',
    table(['instance', 'k6 exit code'], s.runners.map((r) => [td(String(r.instance)), td(r.exitCode === null ? 'none (stopped)' : String(r.exitCode))])),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem}table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
.pass{color:#106b21;font-weight:600}.fail{color:#b00020;font-weight:600}.warn{color:#8a5a00;font-weight:600}.na{color:#666}
.verdict{font-size:1.3rem}.warnings{color:#8a5a00}
${CHART_CSS}
</style></head><body>
${parts.filter(Boolean).join('\n')}
</body></html>
`;
}
