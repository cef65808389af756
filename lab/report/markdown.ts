// report.md: the run for people. Verdict first, then why, then the SLA table with each number's
// source, the soak checks, the lab checks and the runners. Rendered only from the summary.

import type { RunSummary } from './summary.ts';
import type { SlaResult } from '../analysis/slaJudgement.ts';
import { formatThresholdValue } from '../analysis/thresholds.ts';
import { faultsMarkdown } from '../faults/report.ts';
import { decisionsMarkdown } from './decisionSections.ts';
import { browserMarkdown } from './browserSection.ts';

const MARK: Record<string, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', 'not-measured': 'not measured' };

export function formatQuantity(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'ratio') return `${(value * 100).toFixed(2)}%`;
  if (unit === 'ms') return `${value.toFixed(1)} ms`;
  if (unit === 'score') return value.toFixed(3);
  if (unit === 'bytes') return `${(value / 1024).toFixed(1)} KiB`;
  return `${value.toFixed(1)} ${unit}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function slaRow(s: SlaResult): string {
  return `| ${cell(s.title)} (\`${s.id}\`) | ${formatQuantity(s.value, s.unit)} | ${s.op} ${formatQuantity(s.threshold, s.unit)} | ${MARK[s.status]} | ${cell(s.source)} |`;
}

/** ' — PARTIAL (...)' when the run did not run to its end. */
export function partialTitle(s: Pick<RunSummary, 'partial' | 'abortedBy' | 'faults'>): string {
  if (!s.partial) return '';
  const killed = s.faults?.find((f) => f.kind === 'runner-kill' && f.injected && f.runner !== null);
  if (killed && !s.abortedBy) return ` — PARTIAL (runner ${killed.runner} killed by fault runner-kill@${killed.at})`;
  return s.abortedBy ? ` — PARTIAL (stopped by threshold ${s.abortedBy.metric}: ${s.abortedBy.expression})` : ' — PARTIAL (interrupted)';
}

export function renderReportMarkdown(s: RunSummary): string {
  const lines: string[] = [];
  lines.push(`# Run ${s.runId}${partialTitle(s)}`, '');
  lines.push(`**Verdict: ${s.verdict.status.toUpperCase()}** (${s.verdict.kind}, exit code ${s.verdict.exitCode})`, '');
  if (s.partial) lines.push(`> This run was ${s.abortedBy ? 'stopped by a threshold (abortOnFail)' : 'interrupted'}. Every figure below covers only the part that ran.`, '');
  if (s.verdict.reasons.length > 0) {
    lines.push('Why:', '', ...s.verdict.reasons.map((r) => `- ${r}`), '');
  }
  if (s.verdict.warnings.length > 0) {
    lines.push('Warnings:', '', ...s.verdict.warnings.map((w) => `- ${w}`), '');
  }

  lines.push('## Run', '');
  lines.push('| field | value |', '| --- | --- |');
  const rows: Array<[string, string]> = [
    ['target', s.target],
    ['scenario', s.scenario],
    ['profile', s.profile],
    ['VUs', s.vus === null ? 'profile default' : String(s.vus)],
    ['duration', s.duration ?? 'profile default'],
    ['parallelism (runners)', String(s.parallelism)],
    ['base URL', s.baseUrl ?? 'the lab target service'],
    ['scenario thresholds', s.scenarioSlas.length > 0 ? s.scenarioSlas.join(', ') : 'none declared'],
    ['started', s.startedAt],
    ['ended', s.endedAt],
    ['Prometheus', s.prometheusUrl ?? '—'],
  ];
  for (const [k, v] of rows) lines.push(`| ${k} | ${cell(v)} |`);
  lines.push('');

  lines.push('## Across all runners', '');
  lines.push(`Requests: ${s.totals.requests === null ? '—' : Math.round(s.totals.requests)} · ` +
    `p95 ${formatQuantity(s.totals.p95Ms, 'ms')} · p99 ${formatQuantity(s.totals.p99Ms, 'ms')} · ` +
    `error rate ${formatQuantity(s.totals.errorRate, 'ratio')}`, '');
  if (s.endpointGroups.length > 0) {
    lines.push('| endpoint group | requests | p95 | p99 |', '| --- | ---: | ---: | ---: |');
    for (const g of s.endpointGroups) {
      lines.push(`| ${cell(g.endpoint)} | ${g.requests} | ${formatQuantity(g.p95Ms, 'ms')} | ${formatQuantity(g.p99Ms, 'ms')} |`);
    }
    lines.push('');
  }

  lines.push(...decisionsMarkdown(s));

  lines.push('## SLAs', '');
  lines.push('| SLA | measured | target | result | source |', '| --- | ---: | --- | --- | --- |');
  const order = { fail: 0, pass: 1, 'not-measured': 2 } as const;
  for (const sla of [...s.slas].sort((a, b) => order[a.status] - order[b.status])) lines.push(slaRow(sla));
  lines.push('');

  lines.push(...browserMarkdown(s));

  lines.push('## Thresholds (the scenario\'s own, across all runners)', '');
  if (s.thresholds.length === 0) lines.push('None: the scenario declares no thresholds beyond the catalogue\'s SLAs.', '');
  else {
    lines.push('| metric | threshold | across all runners | samples | result | how |', '| --- | --- | ---: | ---: | --- | --- |');
    for (const t of s.thresholds) {
      lines.push(`| \`${cell(t.metric)}\` | \`${cell(t.expression)}\`${t.abortOnFail ? ' (abortOnFail)' : ''} | ${formatThresholdValue(t)} | ` +
        `${t.samples ?? '—'} | ${MARK[t.status]} | ${cell(t.approximate ?? 'exact')} |`);
    }
    lines.push('');
  }

  const c = s.cardinality;
  lines.push('## Prometheus series', '');
  lines.push(`This run made ${c.series ?? '—'} series (warn at ${c.warnSeries}, stop at ${c.maxSeries})` +
    `${c.stopped ? ': the guard stopped every runner' : ''}${c.label ? `; the label with the most values: ${c.label.name} (${c.label.values})` : ''}. ` +
    `The url tag was ${c.urlTag ? 'on (a series per distinct URL)' : 'off'}.`, '');
  if (c.groupedNames.length > 0) {
    lines.push('Requests the scenario did not name, named by their URL with the ids grouped:', '');
    lines.push('| name | requests |', '| --- | ---: |');
    for (const g of c.groupedNames) lines.push(`| \`${cell(g.name)}\` | ${Math.round(g.requests)} |`);
    lines.push('');
  }

  lines.push('## Soak checks', '');
  if (s.soakChecks.length === 0) lines.push('None for this run.', '');
  else {
    lines.push('| check | value | result | detail |', '| --- | ---: | --- | --- |');
    for (const c of s.soakChecks) {
      const value = c.value === null ? '—' : c.unit === 'ratio' ? `${(c.value * 100).toFixed(1)}%` : `${c.value.toFixed(1)} MB/h`;
      lines.push(`| ${cell(c.title)} (\`${c.id}\`) | ${value} | ${MARK[c.status]} | ${cell(c.detail)} |`);
    }
    lines.push('');
  }

  lines.push(...faultsMarkdown(s));

  lines.push('## Lab checks', '');
  if (s.labChecks.length === 0) lines.push('None (the cluster target reports its own health in Grafana).', '');
  else {
    lines.push('| check | when | result | detail |', '| --- | --- | --- | --- |');
    for (const c of s.labChecks) lines.push(`| ${cell(c.title)} (\`${c.id}\`) | ${c.phase} | ${c.ok ? 'PASS' : 'FAIL'} | ${cell(c.detail)} |`);
    lines.push('');
  }

  lines.push('## Runners', '');
  lines.push('| instance | k6 exit code |', '| ---: | ---: |');
  for (const r of s.runners) lines.push(`| ${r.instance} | ${r.exitCode === null ? 'none (stopped)' : r.exitCode} |`);
  lines.push('');
  return lines.join('\n');
}
